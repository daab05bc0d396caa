import Audio
import Deepgram
import FoundationEssentials
import SystemSupport
import Logging
import SpeechEngines
import Transcript
#if canImport(Glibc)
import Glibc
#endif

/// `captty transcribe FILE`: a file through any engine, as fast as it allows, into any format.
public enum TranscribeRunner {
    /// What a run produced.
    public struct Outcome: Sendable {
        public var lines: Int
        public var words: Int
        public var audioSeconds: Double
        public var output: String?
    }

    /// Transcribes `input` with `engine` and writes `format` to `output` (atomically, 0600) or
    /// to standard output. Non-fatal engine errors go to `warn`; a fatal one fails the command.
    /// `interruptions` counts termination signals (Ctrl-C, SIGTERM): at the first the audio
    /// ends where it is, the engine finishes what it was sent and that transcript is written
    /// (then `CapttyError.interrupted`); at the second, what has come back so far is written.
    public static func run(input: AudioInput, engine: any SpeechEngine, options: LiveOptions, format: ExportFormat,
                           output: String?, timestamps: Bool = true, rawFormat: PCMFormat? = nil,
                           interruptions: @escaping @Sendable () -> Int = { 0 }, status: StatusLine? = nil,
                           journal: JournalRequest? = nil,
                           warn say: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        // Warnings take the progress line away first, so that they are not written over it.
        let warn: @Sendable (String) -> Void = { message in
            if let status { status.say { say(message) } } else { say(message) }
        }
        defer { status?.clear() }
        // Checked before any work: the transcript must never replace the recording it came from,
        // and a path it cannot be written to must not waste a whole transcription.
        if let output, case .file(let path) = input, Files.sameFile(output, path) {
            throw CapttyError.failed("\(output) is the recording being transcribed; writing the transcript there would replace it. "
                                     + "Choose another output path with -o.")
        }
        if let output, case .stdin = input, OutputFile.isStandardInput(output) {
            throw CapttyError.failed("\(output) is the file on standard input, the recording being transcribed; writing the "
                                     + "transcript there would replace it. Choose another output path with -o.")
        }
        if let output, let problem = OutputFile.problem(with: output) { throw CapttyError.failed(problem) }
        let source: any AudioSource
        do {
            // With multichannel and no channel count, each of the file's channels is transcribed.
            // Opening a FIFO, or the first bytes of a pipe, may wait for ever: Ctrl-C stops it.
            let opening = StopRace<any AudioSource>(stop: { interruptions() > 0 })
            defer { opening.finish() }
            let sourceFormat = engine.sourceFormat(for: options)
            let made = try await opening.run {
                try await SourceFactory.make(input, format: sourceFormat, chunkDuration: 0.25,
                                             pacing: .asFastAsPossible, rawFormat: rawFormat,
                                             keepChannels: options.multichannel == true && options.channels == nil, transcribing: true)
            }
            guard let made else { throw CapttyError.interrupted("interrupted before any audio came: nothing was transcribed") }
            source = made
        } catch let e as CapttyError {
            throw e
        } catch {
            throw CapttyError.failed("\(error)")
        }
        // Raw input read with the format given; a WAV header, when there is one, wins.
        let headerless = rawFormat != nil && (source as? FileAudioSource)?.wavHeader == nil
        if rawFormat != nil, (source as? FileAudioSource)?.wavHeader != nil {
            warn("--raw-format is not used: \(source.name) has a WAV header, which gives its format")
        }
        var opts = options
        opts.encoding = opts.encoding ?? .init(rawValue: source.format.encoding.rawValue)
        opts.sampleRate = opts.sampleRate ?? source.format.sampleRate
        opts.channels = opts.channels ?? source.format.channels

        // The finals are journaled as they come, so that a kill (SIGKILL, the OOM killer, a
        // power cut) does not lose a long job: `captty export` reads the journal back.
        // When the job started: the transcript's session_start, as the journal's.
        let started = Date()
        let writer: JournalWriter?
        if let journal {
            writer = try await journal.open(header: JournalHeader(engine: engine.name, model: engine.modelName(for: opts), options: opts,
                                                                  startTime: started, capttyVersion: CapttyVersion.string), warn: warn)
        } else {
            writer = nil
        }

        let meter = AudioMeter(warn: warn, stop: { interruptions() > 0 })
        let audio = meter.tap(source.chunks())
        let events = engine.transcribe(audio, options: opts)
        let tally = Tally()
        let consumer = Task { () -> Progress in
            var p = Progress()
            do {
                for try await event in events {
                    let change = p.take(event, warn: warn)
                    if let writer { await Self.journal(event, change: change, into: writer) }
                    if case .results(let r) = event, r.isFinal { tally.final(end: r.start + r.duration, lines: p.store.lines.count) }
                    if case .open = event { tally.opened() }
                }
            } catch {
                p.failure = "transcription failed: \(error)"
            }
            return p
        }
        // The first signal ends the audio (the tap sees it); the second stops waiting. Before the
        // engine ever opened (still connecting, or retrying an address where nothing answers)
        // there is nothing to finish: the first stops at once (it waited through every retry).
        let watcher = Task {
            var said: ContinuousClock.Instant?
            while !Task.isCancelled {
                let n = interruptions()
                if n >= 1 && !tally.everOpened { consumer.cancel(); return }
                if n >= 1 && said == nil {
                    said = .now
                    warn("stopping: finishing the transcript of the audio sent so far, for at most \(Self.interruptedFinishLimit.components.seconds) s (press Ctrl-C again to stop at once)")
                }
                // One Ctrl-C waits a bounded time: the server's finish bound starts again with
                // each final, so a slow server held it 25 s.
                if let said, said.duration(to: .now) >= Self.interruptedFinishLimit { consumer.cancel(); return }
                if n >= 2 { consumer.cancel(); return }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        // How far it has got, twice a second, for a job that may take as long as the recording.
        let total = (source as? FileAudioSource)?.expectedSeconds
        let reporter = status.map { line in
            Task {
                while !Task.isCancelled {
                    let (upTo, lines) = tally.now
                    line.update(Self.progressText(name: source.name, read: meter.seconds, total: total, captionedTo: upTo, lines: lines))
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        }
        var journalClosed = false
        do {
            var run = await consumer.value
            reporter?.cancel()
            status?.clear()
            watcher.cancel()
            // A guess the engine never confirmed is the only text for its audio: kept, and said.
            let tail = run.store.keepUnconfirmedTail()
            if let from = tail.from, !tail.change.committed.isEmpty { warn(Session.Summary.unconfirmedNote(from: from)) }
            // In the journal too, with the audio left without a transcript (below): the journal
            // kept after a failure is what `captty export` reads back.
            if let writer, !tail.change.committed.isEmpty { await writer.append(tail.change.committed) }
            var store = run.store
            let interrupted = interruptions() > 0
            if let fatal = run.fatal { run.failure = fatal.description }
            if run.failure == nil, run.rejected > 0, store.wordCount == 0, !interrupted {
                // Not the audio's fault ("check its language and level" was said, and it exited 0).
                run.failure = "no usable transcript came back: the server's results could not be read (\(NumberText.counted(run.rejected, "message")) "
                    + "rejected, above); check that --url names a Deepgram-compatible server"
            }
            let failure = run.failure
            // What arrived before a failure is written out all the same (and is in the journal),
            // and the failure says how far it got.
            if let failure, store.lines.isEmpty, !interrupted { throw CapttyError.failed(failure) }
            if interrupted, store.lines.isEmpty, let output {
                // Nothing to write: an earlier transcript at that path is not replaced by an empty one.
                throw CapttyError.interrupted("interrupted before any transcript came back: \(output) was not written"
                                              + (failure.map { " (\($0))" } ?? ""))
            }
            // How far the transcript goes, for a failure or a server that stopped answering.
            // Finals cover the audio up to their end, not their last word's: a recording ending in
            // silence is transcribed whole though its last word ends before it does.
            let upTo = max(store.lines.map(\.end).max() ?? 0, tally.now.0)
            let complete = upTo + 0.5 >= meter.seconds
            if !complete, !interrupted, failure != nil || run.stoppedAnswering {
                // The audio read that has no transcript is marked where it is, in the file too.
                let tail = AudioGap(start: upTo, duration: meter.seconds - upTo, reason: AudioGap.notCaptioned)
                for piece in AudioGap.uncovered(tail, by: store.gaps) {
                    store.addGap(piece)
                    if let writer { await writer.append(gap: piece) }
                }
            }
            // Where the audio read ended: no cue is stretched past it (the journal says it too).
            let audioEnd = store.audioEnd(read: meter.seconds)
            if let writer { await writer.append(audioEnd: audioEnd) }
            let read = Timecode.clock(meter.seconds)
            if failure == nil && run.stoppedAnswering && !complete {
                // Not the audio's fault: say how far the transcript goes instead of blaming language or level.
                warn(store.wordCount == 0
                     ? "no transcript came back for \(source.name): the engine stopped answering (above), so its \(read) of audio have none"
                     : "the transcript goes up to \(Timecode.clock(upTo)) of \(read): the engine stopped answering (above) before the rest")
            } else if failure == nil && store.wordCount == 0 && !interrupted {
                warn(Self.nothingRecognised(in: source.name, seconds: meter.seconds, peakDB: meter.peakDB, headerless: headerless,
                                            offlineEngine: engine.name.hasPrefix("local")))
            }

            let header = JournalHeader(engine: engine.name, model: run.model ?? engine.modelName(for: opts), options: opts,
                                       startTime: started, capttyVersion: CapttyVersion.string)
            let text = Exporter.render(store.lines, format: format, header: header, metadata: store.metadata,
                                       search: store.search, entities: store.entities,
                                       options: ExportOptions(timestamps: timestamps, gaps: store.gaps, unconfirmed: store.unconfirmedSpans,
                                                              audioEnd: audioEnd))
            let data = Data(text.utf8)
            if let output {
                if let (error, savedAt) = OutputFile.write(data, to: output, fallbackExtension: format.fileExtension) {
                    // The error names the file and the cause ("cannot write X: No space left on device").
                    throw CapttyError.failed("\(error). "
                                             + (savedAt.map { "The transcript was saved to \($0) instead." } ?? "The transcript could not be saved anywhere."))
                }
            } else if let why = TerminalSafeOutput.write(data) {
                throw CapttyError.failed("cannot write the transcript to standard output: \(why)")
            }
            let written = "(\(NumberText.counted(store.lines.count, "line"))) was written \(output.map { "to \($0)" } ?? "above")"
            if interrupted {
                if complete {
                    // All that was read had its finals ("up to 00:00:09 of 00:00:10 … the rest was not
                    // transcribed" was said of a whole transcript).
                    let unread = total.map { meter.seconds + 0.5 < $0 } ?? !meter.reachedEnd
                    throw CapttyError.interrupted(unread
                        ? "interrupted: the transcript of all \(read) of audio read \(written); the rest of \(source.name) was not read."
                        : "interrupted while finishing, but all \(read) of \(source.name) had been transcribed: the transcript \(written).")
                }
                throw CapttyError.interrupted("interrupted: the transcript up to \(Timecode.clock(upTo)) of the \(read) of audio read \(written); "
                                              + "the rest of \(source.name) was not transcribed.")
            }
            if let failure {
                throw CapttyError.failed("\(failure)\nThe transcript up to \(Timecode.clock(upTo)) of the \(read) of audio read \(written); "
                                         + "the rest has no transcript.")
            }
            if run.lostSeconds > 0 {
                // Not a success: part of the file has no transcript (exit 0 with a gap inside was
                // taken for a whole transcript).
                throw CapttyError.failed("\(NumberText.fixed(run.lostSeconds, decimals: 1)) s of the audio have no transcript: they were lost "
                                         + "while the engine was disconnected (above). The rest \(written).")
            }
            let outcome = Outcome(lines: store.lines.count, words: store.wordCount, audioSeconds: meter.seconds, output: output)
            journalClosed = true
            if let problem = await journal?.close(writer, written: true, warn: warn) {
                // The transcript is whole; the journal asked for is not (as live captions, whose
                // save failure shows in the exit status).
                throw CapttyError.failed("\(problem). The whole transcript \(written).")
            }
            return outcome
        } catch {
            if !journalClosed { await journal?.close(writer, written: false, warn: warn) }
            throw error
        }
    }

    /// How long the first Ctrl-C waits for the last finals before stopping as a second does.
    static let interruptedFinishLimit = Duration.seconds(20)

    /// What the engine's events added up to.
    struct Progress: Sendable {
        var store = TranscriptStore()
        var fatal: LiveError?
        var failure: String?
        var stoppedAnswering = false
        var lostSeconds = 0.0
        var model: String?
        /// Server messages left out as malformed or impossible.
        var rejected = 0

        @discardableResult
        mutating func take(_ event: LiveEvent, warn: @Sendable (String) -> Void) -> StoreChange {
            switch event {
            case .error(let e):
                if e.isFatal { fatal = e } else { warn(e.description) }
                if e.kind == .protocolViolation { rejected += 1 }
                if e.kind == .timeout { stoppedAnswering = true }
                if e.kind == .audioLost {
                    lostSeconds += e.lostSeconds ?? 0
                    // A file's audio is the stream's: its clock is the results' clock.
                    if let from = e.lostFrom, let secs = e.lostSeconds {
                        store.addGap(AudioGap(start: from, duration: secs, reason: "the engine was disconnected"))
                    }
                }
            case .results(let r):
                if model == nil, let info = r.metadata?.modelInfo { model = info.displayName }
            case .reconnecting(let attempt, let delay):
                warn("reconnecting in \(NumberText.fixed(delay.seconds, decimals: 1)) s (attempt \(attempt))")
            default: break
            }
            return store.apply(event)
        }
    }

    /// What `event` added to the store, in the journal: finals, search hits, entities, metadata,
    /// and audio lost.
    static func journal(_ event: LiveEvent, change: StoreChange, into writer: JournalWriter) async {
        if !change.committed.isEmpty { await writer.append(change.committed) }
        // As the live session journals them: `captty export` of the journal gives what the
        // transcript has (search hits and entities were left out).
        for h in change.searchHits { await writer.append(search: h) }
        for e in change.entities { await writer.append(entity: e) }
        switch event {
        case .metadata(let m): await writer.append(metadata: m)
        case .error(let e) where e.kind == .audioLost:
            if let from = e.lostFrom, let secs = e.lostSeconds {
                await writer.append(gap: AudioGap(start: from, duration: secs, reason: "the engine was disconnected"))
            }
        default: break
        }
    }

    /// Where `transcribe` journals its finals while it runs.
    public struct JournalRequest: Sendable {
        /// The journal's path.
        public var url: URL
        /// Kept when the transcript is written (a path the user named); the default one is
        /// removed then, having served its purpose.
        public var keep: Bool

        public init(url: URL, keep: Bool) { self.url = url; self.keep = keep }

        /// The journal, created now. A path the user named that cannot be written is refused
        /// before any work; the default one is given up with a warning (the transcript itself
        /// still goes where it was asked to).
        func open(header: JournalHeader, warn: @Sendable (String) -> Void) async throws -> JournalWriter? {
            if let problem = JournalLocation.problem(creating: url, named: keep) {
                // A default one is named for now; one there already is not this job's.
                guard !keep else { throw CapttyError.cannotCreate(problem) }
                return nil
            }
            let writer = await JournalWriter(url: url, header: header)
            guard case .failing(_, let message, _) = await writer.state else { return writer }
            await writer.abandon()
            if keep {
                throw CapttyError.cannotCreate("\(message). Nothing was transcribed yet: choose another --journal path, or transcribe without one with --no-journal")
            }
            warn("\(message); transcribing without a journal (a kill would lose the work so far)")
            return nil
        }

        /// Closes the journal; a default one is removed once the transcript is `written`, and
        /// kept (and said) otherwise. One that holds no final is not said to hold any, and a
        /// default one then goes (a failed run left a journal of a header alone, said to hold
        /// "the finals that came back"; found in QA).
        ///
        /// Returns what went wrong when the journal is incomplete (the disk filled up): a full
        /// disk left a journal named with `--journal` holding part of the finals, without a word
        /// and with exit status 0, so it looked like a whole, shorter session (found in QA).
        @discardableResult
        func close(_ writer: JournalWriter?, written: Bool, warn: @Sendable (String) -> Void) async -> String? {
            guard let writer else { return nil }
            let state = await writer.close()
            let path = await writer.currentURL.path
            let captioned = await writer.finalCount > 0
            if (written || !captioned) && !keep {
                unlink(path)
                return nil
            }
            if case .failing(_, let message, _) = state {
                let problem = "the journal \(path) is incomplete: \(message)"
                if !written { warn(problem + "; it holds the finals written before that (captty export reads it)") }
                return problem
            }
            if !written && captioned { warn("the finals that came back are in the journal \(path) (captty export reads it)") }
            return nil
        }
    }
}

extension TranscribeRunner {
    /// Why a transcript may be empty, from how much audio there was and how loud it got.
    /// `headerless`: raw input read with `--raw-format`, whose likeliest fault is that format.
    static func nothingRecognised(in name: String, seconds: Double, peakDB: Double, headerless: Bool = false,
                                  offlineEngine: Bool = false) -> String {
        let length = NumberText.fixed(seconds, decimals: 1) + " s"
        if seconds == 0 { return "\(name) holds no audio samples: the transcript is empty" }
        if peakDB <= LevelMeter.floorDB { return "no speech in \(name): its \(length) of audio are digital silence" }
        let rounded = NumberText.fixed(peakDB, decimals: 0)
        let loudest = (rounded == "-0" ? "0" : rounded) + " dBFS"   // a full-scale peak, not "-0"
        if peakDB < -60 {
            return "no speech in \(name): its \(length) of audio are nearly silent (loudest sample \(loudest)); was the right input recorded?"
        }
        if headerless {
            // Raw samples read at the wrong rate, width or channel count are noise to the engine.
            return "no speech was recognised in \(name) (\(length) of audio, loudest sample \(loudest)); if it holds speech, check that "
                + "--raw-format gives its real encoding, rate and channels (e.g. s16le:16000:1), then its language (--language)"
        }
        // A normal level is not blamed ("No." alone at -7 dBFS was told to check its level; found
        // in QA), and a word said alone is what the offline engine misses most.
        var text = "no speech was recognised in \(name) (\(length) of audio, loudest sample \(loudest)); if it holds speech, check its language (--language)"
            + (peakDB < -30 ? " and level" : "")
        if offlineEngine && seconds < 5 {
            text += "; the offline engine can miss a word said alone, which Deepgram (--engine deepgram) hears better"
        }
        return text
    }
}

extension TranscribeRunner {
    /// The progress line: `transcribing talk.wav: 00:12:34 of 00:58:00 read (21%), captions to
    /// 00:11:50, 42 lines` (without the total and percentage when the length is not known).
    static func progressText(name: String, read: Double, total: Double?, captionedTo: Double, lines: Int) -> String {
        var text = "transcribing \(name): \(Timecode.clock(read))"
        if let total, total > 0 {
            let percent = Int((min(read / total, 1) * 100).rounded(.down))
            text += " of \(Timecode.clock(total)) read (\(percent)%)"
        } else {
            text += " read"
        }
        return text + ", captions to \(Timecode.clock(captionedTo)), \(NumberText.counted(lines, "line"))"
    }

    /// Where the finals have got, for the progress line (written by the consumer, read by the
    /// reporter).
    final class Tally: @unchecked Sendable {
        private let lock = Lock()
        private var upTo = 0.0
        private var lines = 0
        private var open = false
        func final(end: Double, lines count: Int) { lock.withLock { upTo = max(upTo, end); lines = count } }
        func opened() { lock.withLock { open = true } }
        /// Whether the engine has opened (a connection, or the offline engine's start).
        var everOpened: Bool { lock.withLock { open } }
        var now: (Double, Int) { lock.withLock { (upTo, lines) } }
    }
}

/// Counts the audio that passed through a stream (for the summary line). The tapped stream is
/// pulled on demand, so the engine's pace (the socket's backpressure) reaches the file reader:
/// a long file is not read ahead into memory (it was: an hour of audio held ~110 MB).
/// A WAV file cut short ends the stream normally after its last sample, with a warning: the
/// transcript of what is there is written, not thrown away.
final class AudioMeter: @unchecked Sendable {
    private let lock = Lock()
    private var total = 0.0
    private var level = LevelMeter()
    private var peak = LevelMeter.floorDB
    private let warn: @Sendable (String) -> Void
    private let stop: @Sendable () -> Bool
    var seconds: Double { lock.withLock { total } }
    private var ended = false
    /// Whether the source came to its end (not stopped first, e.g. at a stalled pipe).
    var reachedEnd: Bool { lock.withLock { ended } }
    /// The loudest sample so far, in dBFS.
    var peakDB: Double { lock.withLock { peak } }

    /// `stop`: when it holds, the stream ends at the next chunk (the rest is not read).
    init(warn: @escaping @Sendable (String) -> Void, stop: @escaping @Sendable () -> Bool = { false }) {
        self.warn = warn
        self.stop = stop
    }

    /// The one consumer's iterator over the source (only the stream's single consumer calls next).
    private final class Source: @unchecked Sendable {
        var iterator: AsyncThrowingStream<AudioChunk, Error>.AsyncIterator
        init(_ s: AsyncThrowingStream<AudioChunk, Error>) { iterator = s.makeAsyncIterator() }
    }

    func tap(_ s: AsyncThrowingStream<AudioChunk, Error>) -> AsyncThrowingStream<AudioChunk, Error> {
        let source = Source(s)
        // A stop ends the stream at once, even while the source waits for audio that is not
        // coming (a stalled pipe): the engine is then told the audio has ended.
        let race = StopRace<AudioChunk?>(stop: stop)
        return AsyncThrowingStream(unfolding: { [self] in
            if stop() { race.finish(); return nil }
            let next: AudioChunk?
            do {
                guard let got = try await race.run({ try await source.iterator.next() }) else { return nil }
                next = got
            } catch let e as AudioError {
                race.finish()
                guard let warning = e.earlyEndWarning else { throw e }
                warn(warning)
                return nil
            }
            guard let c = next else {
                race.finish()
                lock.withLock { ended = true }
                return nil
            }
            lock.withLock {
                total += c.duration
                peak = max(peak, level.update(c).peakDB)
            }
            return c
        })
    }
}
