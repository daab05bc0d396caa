import Executors
import Audio
import CaptionUI
import Deepgram
import LocalSpeech
import FoundationEssentials
import Logging
import SpeechEngines
import Synchronization
import SystemSupport
import Transcript

/// One captioning session: audio source → level meter → engine → transcript store + journal →
/// a `SessionView` for the screen. Owns the current `LiveOptions`.
///
/// - The pump (one task) reads the source, measures the level (off the capture thread) and
///   hands each chunk to the engine run now receiving audio; while paused nothing is sent (the
///   Deepgram client keeps its connection on KeepAlive by itself).
/// - An option change starts a new engine run and finishes the old run's input between two
///   chunks, so chunk k goes to the old run and chunk k+1 to the new one: no audio is dropped.
///   The old run flushes (CloseStream/finish) and its last finals still reach the store; the
///   new run's events wait until the old run has ended (at most `restartHoldTimeout`), so the
///   transcript stays in order. Each run has its own `SessionTimeline`, so times continue.
/// - `finish()` stops the source, finishes the engine (bounded wait for the last results),
///   flushes and closes the journal.
public actor Session {
    /// Tunables.
    public struct Configuration: Sendable {
        /// How long `finish()` waits for the engine's last results.
        public var finishTimeout: Duration = .seconds(10)
        /// How long a new run's events wait for the previous run's last results.
        public var restartHoldTimeout: Duration = .seconds(10)
        /// Seconds without audio (or with only silence) before "no audio from <device>".
        public var silenceSeconds: Double = 5
        /// Shown instead of the device name (e.g. the demo-recording fallback).
        public var deviceNotice: String?
        /// Said when the session starts (e.g. the journal went to another folder).
        public var startNotice: String?
        /// The executor the audio pump and engine event tasks prefer (nil: Swift's global pool).
        /// captty passes `SerialThreadExecutor.shared` (one thread, no hops per chunk).
        public var executor: (any TaskExecutor)?
        /// Whether a new level-meter reading alone signals `changes` (the full-screen meter
        /// needs it; plain mode shows no meter and is not woken for every chunk).
        public var levelUpdates = true
        /// Whether a new interim guess alone signals `changes` (the screen draws it; plain mode
        /// prints only closed lines and status, and is not woken for each interim).
        public var interimUpdates = true
        /// Whether the session clock's new second alone signals `changes` (the status bar shows
        /// it; plain mode does not, and is not woken every second for it). `view` has it either way.
        public var clockUpdates = true
        public init() {}
    }

    /// What `finish()` reports.
    public struct Summary: Sendable, Equatable {
        /// The journal file, if one was written.
        public var journalPath: String?
        /// The journal's final state (nil without a journal).
        public var save: Transcript.SaveState?
        public var lineCount: Int
        public var wordCount: Int
        /// Whether every engine run ended by itself within the timeout.
        public var engineFinishedCleanly: Bool
        /// When it did not: what may be missing and why, for the user (nil otherwise).
        public var incomplete: String? = nil
        /// Seconds of audio the engine lost (disconnected for longer than it could hold): they
        /// have no captions. Said once more at the end (the warnings scrolled by).
        public var audioLostSeconds: Double = 0
        /// Seconds of audio never captured because the audio device was gone (`AudioGap`s of
        /// half a second or more).
        public var deviceLostSeconds: Double = 0
        /// Where the words start that the engine showed as a guess (interim) and never made
        /// final: they are kept in the transcript as last heard (nil: there were none).
        public var unconfirmedFrom: Double?
        /// A file (of known length) that the session was finished before the end of (a quit, a
        /// signal): how far it had been read. Its end said "finished" as if it were whole.
        public var stoppedEarly: StoppedEarly?
        /// Seconds of audio sent to the engine, and its loudest sample (dBFS): why a session
        /// without a word may have had none to caption.
        public var audioSentSeconds: Double = 0
        public var loudestDB: Double = LevelMeter.floorDB

        public struct StoppedEarly: Sendable, Equatable {
            /// Seconds of the file read; its length; its name.
            public var at: Double, length: Double, source: String
            /// "stopped at 00:00:04 of talk.wav (00:00:19 long): the rest was not captioned".
            public var note: String {
                "stopped at \(TimeFormat.clock(at)) of \(source) (\(TimeFormat.clock(length)) long): the rest was not captioned"
            }
        }

        /// Said at the end when the transcript keeps unconfirmed words.
        public var unconfirmedNote: String? { unconfirmedFrom.map(Self.unconfirmedNote(from:)) }

        public static func unconfirmedNote(from time: Double) -> String {
            "the engine never made its last words final (from \(TimeFormat.clock(time))): they are kept in the "
                + "transcript as last heard, unconfirmed"
        }
    }

    /// Audio accounting, for tests and the benchmark.
    public struct AudioCounts: Sendable, Equatable {
        /// Bytes the source produced before the session began to stop.
        public var produced = 0
        /// Bytes produced while paused (not sent).
        public var whilePaused = 0
        /// Bytes handed to each engine run, by run number (0, 1, …).
        public var perRun: [Int] = []
        public var sent: Int { perRun.reduce(0, +) }
    }

    struct EngineRun {
        let id: Int
        let options: LiveOptions
        let input: AsyncThrowingStream<AudioChunk, Error>.Continuation
        /// What the engine has not taken yet (the pump of a file waits when it is too much).
        let backlog: InputBacklog
        var timeline = SessionTimeline()
        var task: Task<Void, Never>?
        var held: [LiveEvent] = []
        var ended = false
        /// Chunks sent before the engine confirmed the connection (`.open`); replayed to a
        /// replacement run if this one is refused. Nil once confirmed.
        var unconfirmed: [AudioChunk]? = []
        var unconfirmedBytes = 0
        /// The options to go back to if the engine refuses this run's: the ones it replaced
        /// (nil: the last ones the engine accepted). Only the change that was refused is undone;
        /// with the last accepted options, a toggle made a moment earlier (not yet confirmed)
        /// was undone too.
        var fallback: LiveOptions?
        /// The model's name as shown before this run's options (results name it: "moonshine").
        var fallbackModelName = ""
        /// Session time up to which this run's finals have answered its audio.
        var answeredTo = -Double.infinity

        /// The audio this run was sent after what its finals answered and `alsoCovered` (guesses
        /// kept, the store's time), as a gap of `reason`; nil when under 0.5 s.
        func uncaptioned(alsoCovered: Double, reason: String) -> AudioGap? {
            let covered = max(answeredTo, alsoCovered, timeline.sessionTime(0))
            let missing = timeline.sessionSent - covered
            return missing >= 0.5 ? AudioGap(start: covered, duration: missing, reason: reason) : nil
        }
    }

    /// At most this much audio is kept for replay while a new connection is unconfirmed.
    static let unconfirmedLimit = 30 * 32_000
    /// A file is read at most this far ahead of the engine (about 30 s of 16 kHz audio).
    static let backlogLimit = 1 << 20

    public nonisolated let source: any AudioSource
    public nonisolated let engine: any SpeechEngine
    public nonisolated let journal: JournalWriter?
    public nonisolated let header: JournalHeader
    public nonisolated let configuration: Configuration
    /// Fires (coalesced) whenever the view changed.
    public nonisolated let changes: AsyncStream<Void>
    private nonisolated let changeContinuation: AsyncStream<Void>.Continuation
    private nonisolated let published: Mutex<SessionView>

    public private(set) var options: LiveOptions
    /// The key terms and keywords as the session began: the `m` key gives each model its form.
    private let vocabulary: OptionToggles.Vocabulary
    private var store = TranscriptStore()
    private var viewState = SessionView()
    private var runs: [Int: EngineRun] = [:]
    /// Live runs, oldest first; only the oldest applies its events, later ones hold them.
    private var runOrder: [Int] = []
    private var currentRun: Int?
    /// Why the current run's connection last dropped or failed to open (shown while reconnecting).
    private var dropReason = ""
    /// When the reconnect attempt being counted down to starts (the status counts down to it).
    private var reconnectDue: ContinuousClock.Instant?
    private var nextRunID = 0
    private var counts = AudioCounts()
    private var meter: LevelMeter
    /// For the summary: how much audio went to the engines, and how loud it got.
    private var audioSentSeconds = 0.0
    private var loudestDB = LevelMeter.floorDB
    private var lastSentEnd: Double?
    /// Stretches of session time with no audio (capture lost, e.g. a PulseAudio outage) the
    /// engine has not answered past yet: not lag, since the engine never had them to caption.
    private var gapsAhead: [(start: Double, length: Double)] = []
    private var lastChunkAt: ContinuousClock.Instant?
    /// The format of the last audio delivered (for the empty chunk of `finalizeStalledSpeech`).
    private var lastChunkFormat: AudioFormat?
    /// Whether the engine was asked to finalize during the current stall.
    private var stallFinalized = false
    private let clock = ContinuousClock()
    private var startedAt: ContinuousClock.Instant?
    /// When the journal's path was last checked outside a write (`tick`).
    private var journalCheckedAt: ContinuousClock.Instant?
    /// How often, with nothing written, the session checks that the journal's file is still
    /// at its path (two `stat` calls on a wake-up the clock has anyway).
    static let journalCheckInterval: Duration = .seconds(10)
    private var paused = false
    private var stopping = false
    private var hurried = false
    private var started = false
    private var pumpTask: Task<Void, Never>?
    private var tickTask: Task<Void, Never>?
    private var saveTask: Task<Void, Never>?
    private var recoveryTask: Task<Void, Never>?
    private var rewriteTask: Task<Void, Never>?
    /// Where the journal is written now (it moves next to its path if another file took it).
    private var journalURL: URL?
    private var captureTask: Task<Void, Never>?
    private var journalTask: Task<Void, Never>?
    /// What goes to the journal, in order: finals as they commit, a server's Metadata, new
    /// search hits.
    enum JournalEntry: Sendable {
        case finals([CommittedSegment]), metadata(Metadata), search(ChannelSearchHits), entity(TimedEntity), gap(AudioGap)
        /// Where the session's audio ended (it finished).
        case end(Double)
        /// The engine's options changed (a key), from a session time on.
        case options(OptionsChange)
        /// Every record so far (the journal was emptied in place: `JournalWriter.rewrite`).
        case rewrite([String])
    }
    private let journalFeed: AsyncStream<JournalEntry>.Continuation
    private let journalStream: AsyncStream<JournalEntry>
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    private var summary: Summary?
    /// Options of the last run the engine accepted (for falling back when a change is refused).
    private var lastGoodOptions: LiveOptions?
    /// The options the transcript says the captions have now (the header's, then each change
    /// an engine accepted): a change is journaled once its connection opens.
    private var journaledOptions: LiveOptions

    public init(source: any AudioSource, engine: any SpeechEngine, options: LiveOptions,
                journal: JournalWriter? = nil, header: JournalHeader? = nil, configuration: Configuration = Configuration()) {
        self.source = source
        self.engine = engine
        self.options = options
        journaledOptions = options
        self.vocabulary = .init(options)
        self.journal = journal
        journalURL = journal?.url
        self.header = header ?? JournalHeader(engine: engine.name, model: options.model?.rawValue, options: options,
                                              capttyVersion: CapttyVersion.string)
        self.configuration = configuration
        meter = LevelMeter(silenceDuration: configuration.silenceSeconds)
        (changes, changeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (journalStream, journalFeed) = AsyncStream.makeStream(of: JournalEntry.self)
        var v = SessionView()
        v.options = options
        v.engineName = engine.name
        v.modelName = engine.modelName(for: options) ?? ""
        let notices = [engine.notice, configuration.startNotice].compactMap { $0 }
        v.notice = notices.isEmpty ? nil : notices.joined(separator: "; ")
        v.deviceName = configuration.deviceNotice ?? source.name
        v.sourceIsDevice = source is PulseCapture
        v.save = journal.map { .starting(path: $0.url.path) }
        published = Mutex(v)
        viewState = v
    }

    // MARK: Reading (any thread)

    /// The latest view; cheap, never blocks on the session.
    public nonisolated var view: SessionView { published.withLock { $0 } }

    /// Audio bytes produced, held back while paused, and sent to each engine run.
    public var audioCounts: AudioCounts { counts }

    /// Whether the input can be switched to another device (a PulseAudio source).
    public nonisolated var canSwitchDevice: Bool { source is PulseCapture }

    // MARK: Control

    /// Starts the pump, the first engine run, the journal writer and the clock.
    public func start() {
        guard !started else { return }
        started = true
        startedAt = clock.now
        if let journal {
            let stream = journalStream
            journalTask = Task {
                for await entry in stream {
                    switch entry {
                    case .finals(let segs): await journal.append(segs)
                    case .metadata(let m): await journal.append(metadata: m)
                    case .search(let h): await journal.append(search: h)
                    case .entity(let e): await journal.append(entity: e)
                    case .gap(let g): await journal.append(gap: g)
                    case .end(let seconds): await journal.append(audioEnd: seconds)
                    case .options(let c): await journal.append(optionsChange: c)
                    case .rewrite(let records): await journal.rewrite(records)
                    }
                }
            }
            let rewrites = journal.rewriteRequests
            rewriteTask = Task { [weak self] in for await _ in rewrites { await self?.journalEmptied() } }
            let states = journal.states
            saveTask = Task { [weak self] in for await s in states { await self?.saveChanged(s) } }
            let recoveries = journal.recoveries
            recoveryTask = Task { [weak self] in for await r in recoveries { await self?.journalRecovered(r) } }
        }
        if let capture = source as? PulseCapture {
            let events = capture.events()
            captureTask = Task { [weak self] in for await e in events { await self?.captureEvent(e) } }
        }
        startRun()
        let source = self.source
        pumpTask = Task(executorPreference: configuration.executor) { [weak self] in
            do {
                let canWait = source.canWait
                let canHold = (source as? FileAudioSource)?.canHold == true
                for try await chunk in source.chunks() {
                    guard let self else { return }
                    if canHold { await self.waitWhilePaused() }
                    let backlog = await self.deliver(chunk)
                    if canWait { await backlog?.waitForRoom() }
                }
                await self?.sourceEnded(error: nil)
            } catch {
                await self?.sourceEnded(error: error)
            }
        }
        // The clock shows whole seconds: tick on each second boundary of the session, no more,
        // and up to a quarter second late, so that the tick rides on an audio chunk's wake-up.
        let ticksFrom = clock.now
        tickTask = Task(executorPreference: configuration.executor) { [weak self] in
            var next = ticksFrom
            while !Task.isCancelled {
                next = max(next + .seconds(1), ContinuousClock.now)
                try? await SerialThreadExecutor.sleep(until: next, leeway: .milliseconds(250))
                await self?.tick()
            }
        }
        publish()
    }

    /// Applies new engine options: a new connection (engine run) takes over between two
    /// chunks; the old one flushes its last results. No-op when nothing changed.
    public func setOptions(_ new: LiveOptions) {
        guard new != options else { return }
        let previous = options
        let previousModelName = viewState.modelName
        options = new
        viewState.options = new
        // The model's name as results give it ("moonshine") stays unless the model changes.
        if new.model != previous.model, !viewState.modelName.isEmpty || new.model != nil {
            viewState.modelName = new.model?.rawValue ?? viewState.modelName
        }
        guard started, !stopping, !viewState.sourceEnded else { publish(); return }
        let old = currentRun
        startRun(fallback: previous, modelName: previousModelName)
        if let old, let run = runs[old] {
            run.input.finish()
            let hold = configuration.restartHoldTimeout
            Task { [weak self] in
                try? await Task.sleep(for: hold)
                await self?.giveUp(on: old)
            }
        }
        publish()
    }

    /// Applies an engine-option key action (punctuate, smart format, diarize, numerals,
    /// profanity filter, language or model cycle). Returns false for other actions.
    @discardableResult
    public func apply(_ action: KeyAction, languages: [String], models: [String]) -> Bool {
        guard let o = OptionToggles.apply(action, to: options, languages: languages, models: models,
                                          vocabulary: vocabulary) else { return false }
        if engine is LocalRecognizer, let why = Self.offlineEngineLacks(action, runs: Self.offlineModel(engine, options)) {
            // Said instead of restarting the engine for nothing (each restart split what was
            // being said; the status bar showed "diar" on, which the engine ignores).
            addWarning("the offline engine has no \(why), so this key changes nothing here (Deepgram has it: --engine deepgram)")
            publish()
            return true
        }
        setOptions(o)
        return true
    }

    /// What the offline engine lacks for an option key (nil: it has it).
    static func offlineEngineLacks(_ action: KeyAction, runs model: String = "Moonshine") -> String? {
        switch action {
        case .toggleDiarize: "speaker labels (diarization)"
        case .toggleProfanityFilter: "profanity filter"
        case .cycleModel: "other models (it runs \(model))"
        case .cycleLanguage: "other languages (it transcribes English)"
        default: nil
        }
    }

    /// The model the offline engine runs, as its keys name it: PocketSphinx when Moonshine is not
    /// installed (`m` said "it runs Moonshine" while the status bar said pocketsphinx; found in QA).
    nonisolated static func offlineModel(_ engine: any SpeechEngine, _ options: LiveOptions) -> String {
        (engine.modelName(for: options) ?? "").lowercased().contains("sphinx") ? "PocketSphinx" : "Moonshine"
    }

    /// Session time of the audio produced while paused (not captioned): from, to.
    private var pausedSpan: (from: Double, to: Double)?

    /// The stretch skipped by a pause, as a gap in the transcript (the exports and the journal
    /// said nothing: the captions jumped from before the pause to after it).
    private func recordPauseGap() {
        guard let span = pausedSpan else { return }
        pausedSpan = nil
        // Paused time is not behind: the offline engine's lag read 14 s after a 12 s pause,
        // until its next result (found in QA).
        if span.to > span.from { gapsAhead.append((span.from, span.to - span.from)) }
        if span.to - span.from >= 0.5 { recordGap(AudioGap(start: span.from, duration: span.to - span.from, reason: AudioGap.paused)) }
    }

    /// Pauses or resumes: no audio is sent while paused.
    public func setPaused(_ p: Bool) {
        guard p != paused else { return }
        if p && !stallFinalized { finalizeHeardSpeech() }
        if !p { recordPauseGap() }
        paused = p
        viewState.paused = p
        if let file = source as? FileAudioSource, file.canHold {
            // A file waits where it is (its audio was dropped as live audio is: the paused
            // stretch was never captioned, found in QA); its pacing resumes from there.
            if p { heldSince = clock.now } else if let since = heldSince { file.held(for: clock.now - since); heldSince = nil }
        }
        if !p { resumeHeldReaders() }
        publish()
    }

    /// When a paused file's reading was held.
    private var heldSince: ContinuousClock.Instant?
    private var heldReaders: [CheckedContinuation<Void, Never>] = []

    /// Returns once the file may be read on: at once unless paused (stopping ends the wait).
    private func waitWhilePaused() async {
        guard paused, !stopping else { return }
        await withCheckedContinuation { heldReaders.append($0) }
    }

    private func resumeHeldReaders() {
        let w = heldReaders
        heldReaders = []
        for c in w { c.resume() }
    }

    /// Toggles pause; returns the new state.
    @discardableResult
    public func togglePause() -> Bool {
        setPaused(!paused)
        return paused
    }

    /// Moves a PulseAudio capture to another device.
    public func switchDevice(to selector: AudioDeviceSelector) async throws {
        guard let capture = source as? PulseCapture else {
            throw CapttyError.usage("switching devices is not available when captioning \(source.name)")
        }
        // (During an outage the time without audio is the lost device's, whatever comes next.)
        switchingDevice = deviceBeforeOutage == nil
        switchPending = true
        defer { switchPending = false }
        do { try await capture.switchDevice(to: selector) } catch { switchingDevice = false; throw error }
        viewState.deviceName = capture.name
        viewState.sourceIsMonitor = capture.isMonitor
        publish()
    }

    /// A device switch the user asked for is under way: the gap before the first chunk from the
    /// new device is the switch's (`switchPending` while `switchDevice` waits for the capture).
    private var switchingDevice = false
    private var switchPending = false
    /// The capture follows the default output to its new monitor: the time until the new one
    /// delivers (PulseAudio sends a monitor only what its sink renders after it attached) is
    /// that move's, not a lost device's (found in QA: "the audio device was lost").
    private var followingOutput = false
    /// The same for the notice of that time (capture events and chunks come on two streams).
    private var followingOutputNotice = false

    /// Files `export` wrote in this session (it may write them again).
    private var exportsWritten: Set<String> = []

    /// Writes the transcript so far as `format` next to the journal (or in the sessions
    /// directory without one), atomically; returns the path.
    public func export(_ format: ExportFormat, directory: URL? = nil) throws -> URL {
        let dir = directory ?? journalURL?.deletingLastPathComponent() ?? JournalLocation.sessionsDirectory()
        let stem = journal.map { $0.url.deletingPathExtension().lastPathComponent } ?? header.fileStem
        var url = dir.appendingPathComponent(stem + "." + format.fileExtension)
        if let journalURL, url.standardizedFileURL.path == journalURL.standardizedFileURL.path || Files.sameFile(url.path, journalURL.path) {
            // A journal named like an export (`--journal talk.txt`, then save as txt) must not be
            // replaced by its export: the writer would go on appending to a deleted file.
            url = dir.appendingPathComponent(stem + "-export." + format.fileExtension)
        }
        // A file this session did not write is never replaced (`--journal notes.jsonl` next to
        // the user's own notes.txt): the export takes the next free name, notes-1.txt and so on.
        // Its own earlier export of the same format is brought up to date.
        let wanted = url
        var n = 0
        while FileManager.default.fileExists(atPath: url.path) && !exportsWritten.contains(url.path) {
            n += 1
            url = dir.appendingPathComponent(wanted.deletingPathExtension().lastPathComponent + "-\(n)." + format.fileExtension)
        }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        // The words still being recognised are written too, marked unconfirmed, as at the end
        // of a session: while someone spoke on without a pause, `s` wrote an empty file with
        // the words on screen (found in QA). The session's own store is left as it is.
        var shown = store
        _ = shown.keepUnconfirmedTail()
        let text = Exporter.render(shown.lines, format: format, header: header, metadata: shown.metadata, search: shown.search,
                                   entities: shown.entities, options: ExportOptions(gaps: shown.gaps, unconfirmed: shown.unconfirmedSpans,
                                                                                    audioEnd: audioEnd, optionChanges: shown.optionChanges))
        do {
            try AtomicFile.write(Data(text.utf8), to: url)
        } catch {
            throw CapttyError.usage("cannot write \(url.path): \(error.message)")
        }
        exportsWritten.insert(url.path)
        if !viewState.exports.contains(url.path) { viewState.exports.append(url.path) }
        viewState.lastExport = url.path
        lastExportAt = clock.now
        publish()
        return url
    }

    /// When the last export was written: the status says "saved …" for `exportShownFor`, then
    /// names the journal again (found in QA: "saved …/j20.srt" stayed for the rest of the
    /// session, and nothing on screen said the journal was still being written).
    private var lastExportAt: ContinuousClock.Instant?
    static let exportShownFor: Duration = .seconds(5)

    /// Waits until the source has ended and every engine run has delivered its last event
    /// (a file captioned to the end), or until `finish()`.
    public func waitUntilIdle() async {
        if isIdle { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    /// Bytes handed to the current engine run that it has not taken yet (tests).
    var engineBacklogBytes: Int { currentRun.flatMap { runs[$0]?.backlog.waitingBytes } ?? 0 }

    /// Whether `finish()` has completed.
    public var isFinished: Bool { summary != nil }

    /// Makes a `finish()` in progress stop waiting for the engine's last results (the user
    /// asked twice); what arrived is kept and the journal is closed as usual.
    public func stopWaiting() { hurried = true }

    private var isIdle: Bool { (viewState.sourceEnded && runOrder.isEmpty) || summary != nil }

    /// When no engine has answered in this session and the current one is between failed
    /// attempts (the server cannot be reached): the number of the next attempt, else nil. A quit
    /// then waits for that one attempt only, not for the whole finish timeout.
    public nonisolated static func unreachedEngineAttempt(_ view: SessionView) -> Int? {
        guard !view.engineReached, case .reconnecting(_, let attempt, _) = view.connection else { return nil }
        return attempt
    }

    /// Stops the source, finishes the engine (waiting at most `finishTimeout` for its last
    /// results), flushes and closes the journal. Idempotent. `userAsked`: the user quit (a key,
    /// a signal), so an engine that was never reached is not waited for.
    @discardableResult
    public func finish(userAsked: Bool = false) async -> Summary {
        if let summary { return summary }
        if stopping {
            // Someone else is finishing: wait for them.
            while summary == nil { try? await Task.sleep(for: .milliseconds(20)) }
            return summary!
        }
        stopping = true
        // A file quit before its end: how far it got (not within half a second of the end). Not
        // after the engine stopped with an error (a refused key): its error says what happened,
        // and the file read on past it had no captions anyway (the full screen said "stopped at
        // 00:00:03" after a refused key, as if 3 s had been captioned).
        var stoppedEarly: Summary.StoppedEarly?
        if !viewState.sourceEnded, !viewState.engineFailed, let length = (source as? FileAudioSource)?.expectedSeconds, length - lastChunkEnd >= 0.5 {
            stoppedEarly = Summary.StoppedEarly(at: lastChunkEnd, length: length, source: source.name)
        }
        resumeHeldReaders()
        // A quit while the engine was never reached waits for the attempt made at once on
        // finishing (the server may be back), not for attempts after it.
        let unreachedAttempt = userAsked ? Self.unreachedEngineAttempt(viewState) : nil
        pumpTask?.cancel()
        for id in runOrder {
            runs[id]?.input.finish()
            runs[id]?.backlog.close()   // the pump must not wait for an engine that is stopping
        }
        let deadline = clock.now.advanced(by: configuration.finishTimeout)
        while !runOrder.isEmpty && clock.now < deadline && !hurried {
            if let tried = unreachedAttempt, let next = Self.unreachedEngineAttempt(viewState), next > tried { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let clean = runOrder.isEmpty
        // Set before the runs are cancelled: their ending shows as "finished" otherwise.
        viewState.finishedIncomplete = !clean
        for id in runOrder { runs[id]?.task?.cancel() }
        // Cancelled runs end promptly; their held events are applied in order.
        let grace = clock.now.advanced(by: .seconds(2))
        while !runOrder.isEmpty && clock.now < grace { try? await Task.sleep(for: .milliseconds(10)) }
        recordPauseGap()   // quit while paused
        if deviceBeforeOutage != nil, let since = outageSince {
            // Ended while the device was gone: that stretch is marked now.
            let seconds = (clock.now - since.at).seconds
            if seconds >= 0.5 { recordGap(AudioGap(start: since.sessionTime, duration: seconds, reason: AudioGap.deviceLost)) }
        }
        // A guess the engine never confirmed (it closed the stream, or stopped answering,
        // without a final for it) is the only text for its audio: kept, and said.
        keepUnconfirmedGuess()
        markUncaptionedTail(finishedCleanly: clean)
        tickTask?.cancel()
        captureTask?.cancel()
        journalFeed.yield(.end(audioEnd))
        journalFeed.finish()
        await journalTask?.value
        var save: Transcript.SaveState?
        if let journal {
            save = await journal.close()
            viewState.save = save
            // close() may have written the journal again (its file went while the session
            // was idle): that is said too. The stream has finished, so this ends.
            await recoveryTask?.value
        }
        saveTask?.cancel()
        if case .error = viewState.connection {} else { viewState.connection = .finished }
        viewState.finished = true
        var s = Summary(journalPath: save?.path ?? journalURL?.path, save: save, lineCount: store.lines.count,
                        wordCount: store.wordCount, engineFinishedCleanly: clean)
        if !clean { s.incomplete = incompleteMessage() }
        s.audioLostSeconds = audioLostSeconds
        s.deviceLostSeconds = store.gaps.filter { $0.reason == AudioGap.deviceLost || $0.reason == AudioGap.suspended }
            .reduce(0) { $0 + $1.duration }
        s.unconfirmedFrom = unconfirmedFrom
        s.stoppedEarly = stoppedEarly
        s.audioSentSeconds = audioSentSeconds
        s.loudestDB = loudestDB
        summary = s
        publish()
        changeContinuation.finish()
        resumeIdleWaiters()
        return s
    }

    /// Said when finishing gave up on an engine run: the audio that may have no captions, and
    /// the engine's last problem (e.g. it could not reconnect).
    private func incompleteMessage() -> String {
        let why = dropReason.isEmpty ? "" : " (last problem: \(dropReason))"
        var text = "stopped before the \(viewState.engineName.isEmpty ? "speech" : viewState.engineName) engine finished\(why)"
        if let sent = lastSentEnd, sent > store.time + 0.5 {
            text += "; the last \(AudioGap.seconds(sent - store.time)) s of audio (from "
                + "\(TimeFormat.clock(store.time))) may have no captions"
        } else {
            text += "; the last captions may be missing"
        }
        return text
    }

    // MARK: Pump

    private func startRun(fallback: LiveOptions? = nil, modelName: String = "") {
        let id = nextRunID
        nextRunID += 1
        let (input, continuation) = AsyncThrowingStream.makeStream(of: AudioChunk.self)
        let backlog = InputBacklog(limit: Self.backlogLimit)
        let events = engine.transcribe(backlog.counting(input), options: options)
        var run = EngineRun(id: id, options: options, input: continuation, backlog: backlog)
        run.fallback = fallback
        run.fallbackModelName = modelName
        viewState.engineStopped = false
        run.task = Task(executorPreference: configuration.executor) { [weak self] in
            do {
                for try await e in events {
                    guard let self else { return }
                    await self.received(e, run: id)
                }
                await self?.runEnded(id, error: nil)
            } catch {
                await self?.runEnded(id, error: error)
            }
        }
        runs[id] = run
        runOrder.append(id)
        currentRun = id
        counts.perRun.append(0)
        viewState.runsStarted += 1
        viewState.connection = .connecting
    }

    /// Hands `chunk` to the current engine run; returns that run's backlog (nil when the chunk
    /// went nowhere: paused, stopping, no run).
    private func deliver(_ chunk: AudioChunk) -> InputBacklog? {
        let reading = meter.update(chunk)
        viewState.level = reading
        lastChunkAt = clock.now
        if !chunk.data.isEmpty { lastChunkFormat = chunk.format; stallFinalized = false }
        if suspendedNotice, !chunk.data.isEmpty { suspendedNotice = false; viewState.audioOutage = nil }
        lastChunkEnd = max(lastChunkEnd, chunk.startTime + chunk.duration)
        defer {
            if !chunk.data.isEmpty, !switchPending { switchingDevice = false; followingOutput = false }
            // No gap to report after the move: its notice is not coming either.
            if !chunk.data.isEmpty, chunk.gapBefore == 0 { followingOutputNotice = false }
        }
        // Without a meter on screen, only a change of the "no audio" state is worth a wake-up.
        let signal = configuration.levelUpdates || viewState.noAudio != reading.isSilent || viewState.noAudioArriving
        if viewState.noAudio, !reading.isSilent { viewState.audioReturns += 1 }
        viewState.noAudio = reading.isSilent
        viewState.noAudioArriving = false
        // Audio read while the session stops is not the session's (it is neither sent nor lost):
        // counted, it read as audio the engine never got (found by a test's race).
        guard !stopping else { return nil }
        counts.produced += chunk.data.count
        if paused {
            counts.whilePaused += chunk.data.count
            let end = chunk.startTime + chunk.duration
            pausedSpan = (pausedSpan?.from ?? chunk.startTime - chunk.gapBefore, end)
            publish(signal: signal)
            return nil
        }
        guard let id = currentRun, var run = runs[id] else { return nil }
        audioSentSeconds += chunk.duration
        loudestDB = max(loudestDB, reading.peakDB)
        run.timeline.sent(sessionTime: chunk.startTime, duration: chunk.duration)
        runs[id] = run
        counts.perRun[id] += chunk.data.count
        lastSentEnd = chunk.startTime + chunk.duration
        if chunk.gapBefore > 0 {
            gapsAhead.append((chunk.startTime - chunk.gapBefore, chunk.gapBefore))
            if chunk.gapBefore >= 0.5 {
                // The gap of a switch the user asked for is no loss (it read "the audio device was lost").
                let reason = switchingDevice ? AudioGap.switched : followingOutput ? AudioGap.outputChanged
                    : chunk.gapWasSuspension ? AudioGap.suspended : AudioGap.deviceLost
                recordGap(AudioGap(start: chunk.startTime - chunk.gapBefore, duration: chunk.gapBefore, reason: reason))
            }
        }
        var c = chunk
        c.gapBefore = 0  // the timeline accounts for gaps; the engine sees contiguous audio
        if run.unconfirmed != nil, run.unconfirmedBytes + c.data.count <= Self.unconfirmedLimit {
            runs[id]?.unconfirmed?.append(c)
            runs[id]?.unconfirmedBytes += c.data.count
        }
        run.backlog.added(c.data.count)
        run.input.yield(c)
        updateLag()
        publish(signal: signal)
        return run.backlog
    }

    /// Audio lost at `gap`: kept with the transcript and journaled, so every export marks it
    /// (the journal jumped from 0:04 to 0:23 with nothing said).
    private func recordGap(_ gap: AudioGap) {
        store.addGap(gap)
        journalFeed.yield(.gap(gap))
        viewState.revision += 1
    }

    /// Audio stopped coming without the source ending (a pipe whose writer stalls, a capture
    /// server that died mid-sentence): the engine is asked, once per stall, to make final what
    /// it has heard (an empty chunk: Finalize for Deepgram, a flush for the offline engine).
    /// The words already spoken stayed an interim guess, on no line and in no journal, until
    /// the audio came back or the session ended; killed meanwhile, they were lost.
    private func finalizeStalledSpeech() {
        guard !stallFinalized, !paused else { return }
        log.info("audio: none for a while; asking the engine to finalize what it has")
        finalizeHeardSpeech()
    }

    /// Asks the engine to make final what it has heard (an empty chunk), once until more audio
    /// comes: on a stall, and on pause (the last words stayed a guess for the whole pause).
    private func finalizeHeardSpeech() {
        guard !stopping, let format = lastChunkFormat, let id = currentRun, let run = runs[id] else { return }
        stallFinalized = true
        run.input.yield(AudioChunk(format: format, data: []))
    }

    /// How long without audio before `finalizeStalledSpeech`.
    static let stallFinalizeAfter: Duration = .seconds(2)

    private func sourceEnded(error: Error?) {
        guard !viewState.sourceEnded else { return }
        viewState.sourceEnded = true
        if let warning = (error as? AudioError)?.earlyEndWarning {
            // All the audio that is there was sent: the session finishes as for a whole file.
            viewState.notice = warning
        } else if error == nil, counts.produced == 0, !stopping {
            // A file of no samples finished without a word, as if it had been captioned (found
            // in QA; `transcribe` said it).
            viewState.notice = "\(source.name) holds no audio samples: there is nothing to caption"
        } else if let error, !stopping, !(error is CancellationError) {
            viewState.sourceError = "\(error)"
            viewState.connection = .error(message: "audio: \(error)")
        }
        // Ended while paused: the stretch skipped is known now, and shown now (it was only
        // journaled on quitting, never on the screen that stays up after a file ends).
        recordPauseGap()
        for id in runOrder { runs[id]?.input.finish() }
        publish()
        if isIdle { resumeIdleWaiters() }
    }

    // MARK: Engine events

    private func received(_ event: LiveEvent, run id: Int) {
        guard let run = runs[id] else { return }
        if case .open = event, run.unconfirmed != nil {
            runs[id]?.unconfirmed = nil
            runs[id]?.unconfirmedBytes = 0
            lastGoodOptions = run.options
            if run.options != journaledOptions {
                // From the first audio this run was given (the change applies from what is said next).
                let from = run.timeline.engineSent > 0 ? run.timeline.sessionTime(0) : lastChunkEnd
                let change = OptionsChange(start: max(0, from), from: journaledOptions, to: run.options)
                journaledOptions = run.options
                store.addOptionsChange(change)
                journalFeed.yield(.options(change))
            }
        }
        let mapped = run.timeline.map(event)
        if case .results(let r) = mapped, r.isFinal { runs[id]?.answeredTo = max(run.answeredTo, r.start + r.duration) }
        if case .error(let e) = event, e.kind == .audioLost, let from = e.lostFrom, let secs = e.lostSeconds, secs > 0 {
            recordGap(AudioGap(start: run.timeline.sessionTime(from), duration: secs, reason: AudioGap.engineLost))
        }
        let connectionBefore = viewState.connection
        if id == currentRun {
            // A refusal of new options before any audio was accepted is undone when the run
            // ends (back to the last accepted options): no "error" flashes up meanwhile.
            if case .error(let e) = mapped, e.isFatal, fallbackOptions(for: run) != nil {} else { updateConnection(for: mapped) }
        }
        if runOrder.first != id {
            runs[id]?.held.append(mapped)
            publish()
            return
        }
        applyToStore(mapped)
        // An interim that changes nothing else (not the connection state) is only worth a
        // wake-up to a consumer that shows interims.
        var interimOnly = false
        if case .results(let r) = mapped, !r.isFinal { interimOnly = viewState.connection == connectionBefore }
        publish(signal: configuration.interimUpdates || !interimOnly)
    }

    private func updateConnection(for event: LiveEvent) {
        switch event {
        case .open, .results, .speechStarted, .utteranceEnd:
            if case .open = event { dropReason = "" }
            viewState.engineReached = true
            if case .error = viewState.connection { break }
            viewState.connection = .live
        case .reconnecting(let attempt, let delay):
            reconnectDue = clock.now + delay
            if case .reconnecting = viewState.connection {} else { viewState.outages += 1 }
            viewState.connection = .reconnecting(inSeconds: Self.wholeSeconds(delay), attempt: attempt, reason: dropReason)
        case .error(let e):
            if let lost = e.lostSeconds, e.kind == .audioLost { audioLostSeconds += lost }
            if !e.isFatal, e.kind != .audioLost {
                // The engine says why before it says it reconnects: kept for the status.
                dropReason = e.description
            }
            if e.isFatal {
                viewState.connection = .error(message: e.description)
            } else if e.kind == .server || e.kind == .protocolViolation || e.kind == .timeout || e.kind == .audioLost || e.kind == .engine {
                // A timeout says what may be missing (finish gave up waiting for the last
                // results) or why a reconnect happens: shown like a server problem. The offline
                // engine says so when it runs degraded (Moonshine failing, options it lacks):
                // those were dropped, and `--diarize` did nothing without a word.
                addWarning(e.description)
            }
        case .metadata, .unhandled, .close, .configured, .configureRefused:
            break
        }
    }

    private func applyToStore(_ event: LiveEvent) {
        // The model as users name it (Deepgram's "nova-3", the offline engine's "moonshine").
        if case .results(let r) = event, let name = r.metadata?.modelInfo?.displayName, !name.isEmpty {
            viewState.modelName = name
        }
        let change = store.apply(event)
        if let span = change.staleFinal {
            let text = "the engine sent a final for \(Timecode.clock(span.lowerBound))–\(Timecode.clock(span.upperBound)) again "
                + "(already captioned); it was left out"
            log.warning("\(text)")
            addWarning(text)
        }
        if !change.committed.isEmpty { journalFeed.yield(.finals(change.committed)) }
        if case .metadata(let m) = event { journalFeed.yield(.metadata(m)) }
        for h in change.searchHits { journalFeed.yield(.search(h)) }
        for e in change.entities { journalFeed.yield(.entity(e)) }
        if !change.committed.isEmpty || !change.closedLineIDs.isEmpty { viewState.revision += 1 }
        updateLag()
    }

    /// The options to go back to if `run` fails before accepting any audio: the last ones the
    /// engine accepted, when `run` asked for others (nil: nothing to go back to).
    private func fallbackOptions(for run: EngineRun) -> LiveOptions? {
        guard run.unconfirmed != nil, let good = run.fallback ?? lastGoodOptions, good != run.options else { return nil }
        return good
    }

    private func runEnded(_ id: Int, error: Error?) {
        guard var run = runs[id], !run.ended else { return }
        run.backlog.close()
        run.ended = true
        runs[id] = run
        if id == currentRun, let error, !(error is CancellationError), !stopping, !viewState.sourceEnded,
           let replay = run.unconfirmed, let good = fallbackOptions(for: run) {
            // The engine refused the new options before accepting any audio: go back to the
            // last options it accepted and re-send the audio the refused run never took.
            let message = (error as? LiveError)?.description ?? "\(error)"
            counts.perRun[id] -= run.unconfirmedBytes
            runs[id]?.unconfirmed = nil
            options = good
            viewState.options = good
            var back: [String] = []
            if good.model != run.options.model {
                let name = run.fallback != nil && !run.fallbackModelName.isEmpty ? run.fallbackModelName : good.model?.rawValue
                back.append("model \(name ?? "the default")")
                viewState.modelName = name ?? viewState.modelName
            }
            if good.language != run.options.language { back.append("language \(good.language?.rawValue ?? "the default")") }
            viewState.notice = "The engine refused the new settings (\(message)); back to "
                + (back.isEmpty ? "the previous ones." : back.joined(separator: ", ") + ".")
            // If these are refused too, back to what the engine last accepted.
            startRun()
            if let new = currentRun {
                for c in replay {
                    runs[new]?.timeline.sent(sessionTime: c.startTime, duration: c.duration)
                    counts.perRun[new] += c.data.count
                    runs[new]?.backlog.added(c.data.count)
                    runs[new]?.input.yield(c)
                }
            }
        } else if id == currentRun {
            if let error, !(error is CancellationError) {
                let message = (error as? LiveError)?.description ?? "\(error)"
                viewState.connection = .error(message: message)
                viewState.engineStopped = true
            } else if stopping || viewState.sourceEnded {
                if case .error = viewState.connection {} else { viewState.connection = .finished }
                viewState.lagMilliseconds = nil
            } else {
                if case .error = viewState.connection {} else {
                    viewState.connection = .error(message: "the \(engine.name) engine stopped")
                }
                viewState.engineStopped = true
            }
        }
        // The end of the audio (or of the engine): a guess it left unconfirmed stays on the
        // screen as last heard, in the journal at once, and is said; it vanished from the
        // screen and reached the journal only when the user quit.
        if id == currentRun, stopping || viewState.sourceEnded || viewState.engineStopped, runOrder.first == id,
           !keepUnconfirmedGuess().isEmpty, let from = unconfirmedFrom, summary == nil {
            addWarning(Summary.unconfirmedNote(from: from))
        }
        // Apply runs' events in order: when the oldest run has ended, the next one's held
        // events go to the store, and so on.
        while let first = runOrder.first {
            if let held = runs[first]?.held, !held.isEmpty {
                runs[first]?.held = []
                for e in held { applyToStore(e) }
            }
            guard runs[first]?.ended == true else { break }
            runOrder.removeFirst()
            if first != currentRun { runs[first] = nil }
        }
        publish()
        if isIdle { resumeIdleWaiters() }
    }

    /// Audio the last engine run was given but never captioned (it stopped with an error, or
    /// would not finish the stream) is marked as a gap: it was said on stderr, but the journal
    /// and every export read as whole (found in QA). Kept guesses and other gaps (a pause, a lost
    /// device) count as covered. After a clean finish nothing is marked: a last final may end
    /// before trailing silence.
    private func markUncaptionedTail(finishedCleanly: Bool) {
        guard !finishedCleanly || viewState.engineFailed, let id = currentRun, let run = runs[id] else { return }
        guard let tail = run.uncaptioned(alsoCovered: store.time, reason: AudioGap.notCaptioned) else { return }
        for piece in AudioGap.uncovered(tail, by: store.gaps) { recordGap(piece) }
    }

    /// Where the first guess kept unconfirmed starts (for the summary), if one was.
    private var unconfirmedFrom: Double?

    /// Commits the engine's last guesses that no final replaced (as closed lines, journaled)
    /// and notes where they start; returns the segments committed.
    @discardableResult
    private func keepUnconfirmedGuess() -> [CommittedSegment] {
        let tail = store.keepUnconfirmedTail()
        guard !tail.change.committed.isEmpty else { return [] }
        journalFeed.yield(.finals(tail.change.committed))
        viewState.revision += 1
        if let from = tail.from { unconfirmedFrom = min(unconfirmedFrom ?? from, from) }
        return tail.change.committed
    }

    /// The old run did not end within the hold time: stop waiting for it. What it heard but
    /// did not make final is not dropped without a word (10 s of speech vanished when a key
    /// was pressed mid-sentence and the offline engine was slow): its last guess is kept as
    /// unconfirmed lines, and the audio after that (all of it, with no guess) is marked as a
    /// gap and said.
    private func giveUp(on id: Int) {
        guard let run = runs[id], !run.ended else { return }
        // Only this run's results have reached the store (the next run's are held until it ends).
        let kept = keepUnconfirmedGuess()
        let gap = run.uncaptioned(alsoCovered: kept.map(\.end).max() ?? -.infinity, reason: AudioGap.notFinished)
        if let gap {
            recordGap(gap)
            addWarning("\(NumberText.fixed(gap.duration, decimals: 1)) s of audio before the settings changed have no captions: "
                       + "the engine did not finish them within \(configuration.restartHoldTimeout.components.seconds) s")
        }
        let unanswered = NumberText.fixed(gap?.duration ?? 0, decimals: 1)
        log.warning("engine run \(id) did not finish within the hold time after a settings change; \(unanswered) s of its audio had no final")
        run.task?.cancel()
        publish()
    }

    // MARK: Status

    private func saveChanged(_ s: Transcript.SaveState) {
        guard summary == nil else { return }
        viewState.save = s
        publish()
    }

    /// The journal's file was emptied in place: every record of the transcript so far goes to
    /// it again, through the journal's own queue, so that the finals still on their way to it
    /// follow (not precede, nor repeat) what the store holds now.
    private func journalEmptied() {
        var records: [String] = []
        for line in store.lines where !line.words.isEmpty {
            let whole = CommittedSegment(lineID: line.id, channel: line.channel, speaker: line.speaker, start: line.start, end: line.end,
                                         confidence: line.confidence, words: line.words, speechFinal: line.isClosed)
            records.append(JournalCodec.encode(whole, sessionStartUnixMs: header.startUnixMs))
        }
        records += store.gaps.map { JournalCodec.encode($0) }
        records += store.optionChanges.map { JournalCodec.encode($0) }
        if let m = store.metadata { records.append(JournalCodec.encode(m)) }
        for (c, queries) in store.search.byChannel.sorted(by: { $0.key < $1.key }) {
            records += queries.map { JournalCodec.encode(ChannelSearchHits(channel: c, hits: $0)) }
        }
        for (_, found) in store.entities.byChannel.sorted(by: { $0.key < $1.key }) { records += found.map { JournalCodec.encode($0) } }
        journalFeed.yield(.rewrite(records))
    }

    /// The journal's file went (deleted, moved away, replaced, emptied) and was written again:
    /// said once, on the screen and on stderr in plain mode.
    private func journalRecovered(_ r: JournalRecovery) {
        journalURL = URL(fileURLWithPath: r.path)
        if r.path != r.lostPath { ScreenSupervisor.reportJournal(r.path) }
        log.warning("journal: \(r.description)")   // the notice on the screen closes by itself
        guard summary == nil else { return }
        viewState.notice = r.description
        publish()
    }

    /// A problem for the meter row (for a while) and plain mode's stderr.
    private func addWarning(_ text: String) {
        viewState.recentWarnings.append(text)
        if viewState.recentWarnings.count > SessionView.recentWarningLimit { viewState.recentWarnings.removeFirst() }
        viewState.warningCount += 1
    }

    /// The device whose audio was lost, while capture retries (nil when capturing): each
    /// outage is said once.
    private var deviceBeforeOutage: String?
    /// Seconds of audio the engine reported lost (`Summary.audioLostSeconds`).
    private var audioLostSeconds = 0.0
    /// What is wrong during the current outage, as last said.
    private var outageReason = ""
    /// Where (session time) and when the current outage began: a device still gone when the
    /// session ends has its gap marked then (no chunk comes to carry it; the journal just
    /// stopped, found in QA).
    private var outageSince: (sessionTime: Double, at: ContinuousClock.Instant)?
    /// The session time of the end of the last chunk captured (sent or not).
    private var lastChunkEnd = 0.0
    /// The outage notice says the device is suspended (cleared by the next audio).
    private var suspendedNotice = false
    /// Where the session's audio ends so far, on the session clock: its last chunk, or a gap
    /// after it (a pause or a device lost at the end).
    private var audioEnd: Double { store.audioEnd(read: lastChunkEnd) }

    /// The device lost before the outage capture just came back from, until the gap is said.
    private var resumingFrom: String?
    /// Device changes and outages go to the log file too (they were only on the screen).
    private let log = Logger(label: "captty.audio")

    private func captureEvent(_ e: CaptureEvent) {
        guard configuration.deviceNotice == nil else { return }
        switch e {
        case .capturing(let device):
            if deviceBeforeOutage != nil { log.info("audio: capturing from \(device) again") }
            viewState.deviceName = device
            viewState.sourceIsMonitor = (source as? PulseCapture)?.isMonitor ?? false
            resumingFrom = deviceBeforeOutage
            // The silence timer starts again: it counted from the last chunk before an outage,
            // so "no audio" flashed up just as audio came back.
            lastChunkAt = clock.now
        case .reconnecting(_, _, let reason):
            // Said once per outage and again only when what is wrong changes (plain mode printed
            // it on every attempt, every 2 s; the first reason stayed, "the server is not
            // running" after the server was back without the device); the waits are short and
            // grow, so no countdown (it said "1 s" for 0.1 s waits).
            if deviceBeforeOutage != nil, reason == outageReason { return }
            if deviceBeforeOutage == nil { outageSince = (lastChunkEnd, clock.now) }
            let lost = deviceBeforeOutage ?? source.name
            deviceBeforeOutage = lost
            finalizeStalledSpeech()
            outageReason = reason
            let why = reason.isEmpty ? "" : ": \(reason)"
            viewState.deviceName = "\(lost) — audio lost\(why); retrying"
            viewState.audioOutage = "audio lost\(why); retrying — “\(lost)”"
            log.warning("audio: \(lost): audio lost\(why); retrying")
            // The meter shows no level while there is no audio (it froze at the last one), and
            // the outage text is the notice: no "no audio from <outage text>" on top of it.
            viewState.level = LevelReading()
            viewState.noAudio = false
        case .moved(let device, let why):
            viewState.deviceName = device
            lastChunkAt = clock.now
            // Another microphone (or output) is being captioned now: never silently. The name
            // comes first, since the screen cuts a long warning.
            let reason = switch why {
            case .movedByPulseAudio: "PulseAudio moved the recording: the default input changed, or the one in use went away"
            case .defaultOutputChanged: "the default output changed"
            case .defaultChangedDuringOutage: "the default device changed while audio was lost"
            }
            addWarning("now capturing from \(device) (\(reason))")
            log.warning("audio: now capturing from \(device) (\(reason))")
            if case .defaultOutputChanged = why { followingOutput = true; followingOutputNotice = true }
        case .suspended(let device):
            // Not a loss of the device: it comes back by itself, and the gap is said then.
            suspendedNotice = true
            viewState.audioOutage = "the device is suspended (by PulseAudio or another program): nothing is captured until it resumes — “\(device)”"
            viewState.level = LevelReading()
            viewState.noAudio = false
            log.warning("audio: \(device) is suspended: nothing is captured until it resumes")
        case .resumed(let gap):
            viewState.deviceName = source.name
            lastChunkAt = clock.now
            // How much was lost, once capture is back (it was not said at all). A device picked
            // meanwhile was never lost: said as the time without audio.
            let seconds = NumberText.fixed(gap, decimals: 1)
            if gap > 0 { log.warning("audio: \(source.name): audio again after \(seconds) s without it") }
            if gap >= 0.5 {
                if followingOutputNotice {
                    addWarning("audio from \(source.name) after \(seconds) s: the time the move to the new default output took has no captions")
                } else if let before = resumingFrom, before != source.name {
                    addWarning("audio from \(source.name) after \(seconds) s without audio; that stretch has no captions")
                } else {
                    addWarning("audio from \(source.name) is back after \(seconds) s without it; that stretch has no captions")
                }
            }
        }
        switch e {
        case .reconnecting, .suspended: break
        default: deviceBeforeOutage = nil; viewState.audioOutage = nil; suspendedNotice = false
        }
        if case .resumed = e { resumingFrom = nil; followingOutputNotice = false }
        publish()
    }

    /// `d` in whole seconds, rounded up (a wait of 0.2 s shows as 1 s, not 0).
    static func wholeSeconds(_ d: Duration) -> Int {
        Int(d.seconds.rounded(.up))
    }

    private func tick() {
        // "saved …" gives way after its time, also once the session has finished (it stayed on
        // the status bar until something else changed the screen; found in QA).
        if let at = lastExportAt, clock.now - at >= Self.exportShownFor {
            lastExportAt = nil
            viewState.lastExport = nil
            publish()
        }
        // Once the audio has ended and the engine is done, the clock stops at the session's length.
        guard let startedAt, summary == nil, !isIdle else { return }
        if let journal, clock.now - (journalCheckedAt ?? startedAt) >= Self.journalCheckInterval {
            journalCheckedAt = clock.now
            Task { await journal.verifyPath() }
        }
        let elapsed = (clock.now - startedAt).components.seconds
        var changed = false
        var clockMoved = false
        if Double(elapsed) != viewState.elapsedSeconds {
            viewState.elapsedSeconds = Double(elapsed)
            clockMoved = true
        }
        // "reconnecting in N s" counts down (it stayed at the first value until the attempt).
        if case .reconnecting(let shown, let attempt, let reason) = viewState.connection, let due = reconnectDue {
            let left = Self.wholeSeconds(max(.zero, due - clock.now))
            if left != shown {
                viewState.connection = .reconnecting(inSeconds: left, attempt: attempt, reason: reason)
                changed = true
            }
        }
        // No chunks at all for a while also counts as "no audio" — unless a file's reading waits
        // for the engine (a slow engine, a server not taking audio): that said "no audio from
        // talk.wav — check it is on and not muted".
        if !viewState.sourceEnded, !paused, deviceBeforeOutage == nil {
            let since = lastChunkAt ?? startedAt
            let waitingForEngine = currentRun.flatMap { runs[$0]?.backlog.holdsThePump } ?? false
            if waitingForEngine { lastChunkAt = clock.now }
            if !waitingForEngine, clock.now - since > Self.stallFinalizeAfter { finalizeStalledSpeech() }
            let quiet = !waitingForEngine && (clock.now - since) > .milliseconds(Int(configuration.silenceSeconds * 1000))
            let silent = quiet || meter.reading.isSilent
            if silent != viewState.noAudio || quiet != viewState.noAudioArriving {
                viewState.noAudio = silent
                // A stalled pipe is not silence ("it is silent here" was said of one; found in QA).
                viewState.noAudioArriving = quiet
                changed = true
            }
        }
        if changed || clockMoved { publish(signal: changed || configuration.clockUpdates) }
    }

    private func updateLag() {
        // No lag to show once finished, or under an error that stopped the engine (it grew
        // for as long as the screen stayed up).
        let stopped: Bool = if case .error = viewState.connection { true } else { viewState.connection == .finished }
        guard let sent = lastSentEnd, !stopped else { viewState.lagMilliseconds = nil; return }
        // Time without audio is not behind: after a 5 s capture outage the lag read 5 s until
        // the engine's next result.
        let answered = store.time
        gapsAhead.removeAll { $0.start + $0.length <= answered }
        let missing = gapsAhead.reduce(0.0) { $0 + min($1.length, $1.start + $1.length - answered) }
        let lag = ((sent - answered - missing) * 1000).rounded()
        viewState.lagMilliseconds = lag.isFinite && lag > 0 ? Int(min(lag, 1e12)) : 0
    }

    /// Makes the current state visible to `view`; `signal` also wakes `changes` consumers.
    private func publish(signal: Bool = true) {
        viewState.store = store
        let v = viewState
        published.withLock { $0 = v }
        if signal { changeContinuation.yield() }
    }

    private func resumeIdleWaiters() {
        let w = idleWaiters
        idleWaiters = []
        for c in w { c.resume() }
    }
}
