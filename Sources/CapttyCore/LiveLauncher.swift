import Executors
import Audio
import CaptionUI
import FoundationEssentials
import Glibc
import SystemSupport
import Logging
import SpeechEngines
import Transcript

/// Everything `captty live` was asked to do, after flags and the config file are combined.
public struct LiveRequest: Sendable {
    public var engine: EngineSettings
    public var input: AudioInput
    /// Whether the user chose the input (a flag or the config); only the implicit default
    /// microphone falls back to the demo recording.
    public var inputExplicit: Bool
    public var options: LiveOptions
    public var plain: Bool
    public var timestamps: Bool
    /// `--journal PATH`; nil: the default location (or `journalDirectory`).
    public var journalPath: String?
    public var journalDirectory: String?
    public var noJournal: Bool
    public var settings: LiveApp.Settings
    /// Plays a file or stdin this many times faster than real time; 0: as fast as possible
    /// (`--speed`, for benchmarks, soak and fault tests). Devices are always live.
    public var speed: Double = 1
    /// The format of a headerless file or stdin (`--raw-format`); nil: the input must be WAV.
    public var rawFormat: PCMFormat?
    /// Seconds of audio per chunk sent to the engine, 0.02…0.25 (`--chunk-ms`, `chunk_ms`).
    /// Each chunk costs a wake-up and a message; each millisecond more is a millisecond later
    /// on screen.
    public var chunkDuration: Double = 0.05

    public init(engine: EngineSettings, input: AudioInput, inputExplicit: Bool, options: LiveOptions, plain: Bool,
                timestamps: Bool, journalPath: String?, journalDirectory: String?, noJournal: Bool,
                settings: LiveApp.Settings) {
        self.engine = engine; self.input = input; self.inputExplicit = inputExplicit; self.options = options
        self.plain = plain; self.timestamps = timestamps; self.journalPath = journalPath
        self.journalDirectory = journalDirectory; self.noJournal = noJournal; self.settings = settings
    }
}

/// A failure that stops `captty live` before or while it runs, with its exit status.
public struct LiveFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public var exitCode: Int32
    public init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// Builds the engine, source, journal and session for a `LiveRequest` and runs the screen or
/// plain mode. The command line only parses flags; this does the rest.
public enum LiveLauncher {
    /// Runs the session; returns the process exit status. Messages go to stderr (and, after
    /// the full-screen app, the transcript's location to stdout).
    public static func run(_ request: LiveRequest, logger: Logger = Logger(label: "captty")) async -> Int32 {
        var request = request
        if !request.plain {
            // Before the journal opens or the engine connects: a terminal the screen cannot be
            // drawn on (TERM unset or unknown) is an error that says what to do.
            do { try CursesTerminal.checkCanDraw() } catch {
                if case .cannotMoveCursor(let term) = error {
                    // TERM=dumb (an Emacs shell buffer, an IDE's output pane) shows lines well:
                    // captions as lines there, said once, rather than nothing.
                    PlainRunner.standardError("captty: TERM=\(term) cannot draw the caption screen, so captions are printed as lines "
                                              + "(plain mode; set TERM to your terminal's type, e.g. TERM=xterm-256color, for the screen)")
                    request.plain = true
                } else {
                    PlainRunner.standardError("captty: \(error)")
                    return 1
                }
            }
            if !request.plain, let status = ScreenSupervisor.superviseIfNeeded() { return status }
        }
        do {
            let session = try await makeSession(request, logger: logger)
            ScreenSupervisor.reportJournal(session.journal?.url.path)
            let summary: Session.Summary
            if request.plain {
                TerminalSignals.installTerminationHandlers()
                // A closed standard output is noticed and the session ends cleanly (journal
                // closed, the reason said), whichever engine runs: SIGPIPE killed it mid-write
                // with Deepgram, and was ignored (captioning on for ever) with the offline engine.
                signal(SIGPIPE, SIG_IGN)
                let runner = PlainRunner(timestamps: request.timestamps || request.settings.toggles.timestamps,
                                         speakerLabels: request.settings.toggles.speakerLabels, lagNotices: request.speed == 1)
                // Off the audio thread (docs/ARCHITECTURE.md): a stdout nobody reads must not stall the audio.
                // Also when nothing reads the captions any more (`| head -1`): a microphone
                // would otherwise be captioned for ever, for no one.
                summary = await runner.run(session, stop: { TerminalSignals.terminationRequested || OutputFailure.standardOutput.readerGone },
                                           signals: { TerminalSignals.terminationCount },
                                           interrupts: { TerminalSignals.interruptCount })
            } else {
                let app = LiveApp(session: session, settings: request.settings)
                do {
                    summary = try await app.run()
                } catch {
                    await session.finish()
                    throw LiveFailure("\(error)", exitCode: 1)   // each TerminalError names --plain
                }
            }
            let view = session.view
            let out: @Sendable (String) -> Void = request.plain ? PlainRunner.standardError : PlainRunner.standardOutput
            if let early = summary.stoppedEarly { out("captty: \(DisplayWidth.sanitizedForTerminal(early.note))") }
            if let incomplete = summary.incomplete { out("captty: \(DisplayWidth.sanitizedForTerminal(incomplete))") }
            // (Plain mode printed it as it happened, at the end of the audio.)
            if let unconfirmed = summary.unconfirmedNote, !(request.plain && view.recentWarnings.contains(unconfirmed)) {
                out("captty: \(unconfirmed)")
            }
            // Said as it happened, and once more here: the warnings scrolled by.
            if let lost = Self.lostAudioSummary(summary, whereSaid: request.plain ? "see the warnings above or the log"
                                                                                  : "the log says when: \(CapttyLogging.logPath())") {
                out("captty: \(lost)")
            }
            if let why = Self.noWordsNote(summary, view: view, headerless: request.rawFormat != nil) { out("captty: \(why)") }
            if !view.exports.isEmpty {
                // Saved with `s`: said at the end too (with --no-journal nothing was said, and the
                // snapshot was the only copy).
                let files = view.exports.map { shellQuoted($0) }.joined(separator: ", ")
                out("Saved during the session (the captions up to each save): \(files)")
            }
            if let path = summary.journalPath {
                if case .failing(_, let message, _) = summary.save {
                    out("captty: the transcript could not be fully saved to \(path): \(message)")
                    await rescue(session, plain: request.plain, out: out)
                } else if summary.lineCount == 0 {
                    // Nothing to export: said, not an export command for an empty transcript.
                    // A journal captty named itself holds only its header: removed, not left
                    // in the sessions folder after every failed start (one named by the user stays).
                    if request.journalPath == nil, (try? FileManager.default.removeItem(atPath: path)) != nil {
                        out("captty: no captions this session, so its journal \(path) was removed")
                    } else {
                        out("Transcript saved to \(path) (no captions this session, so nothing to export)")
                    }
                } else {
                    out("Transcript saved to \(path); export it with: captty export \(shellQuoted(path)) --format srt")
                }
            }
            // Plain mode has already printed the connection's error as its status ("captty:
            // error: …"); the full screen is gone, so its error is said again here.
            if let e = view.sourceError {
                if !request.plain { PlainRunner.standardError("captty: \(e)") }
                return 1
            }
            if case .error(let message) = view.connection {
                if !request.plain { PlainRunner.standardError("captty: \(message)") }
                return 1
            }
            if summary.save?.isFailing == true { return 1 }
            if request.plain, let why = OutputFailure.standardOutput.message {
                let kept = summary.journalPath.map { "; the journal \($0) has them" } ?? ""
                PlainRunner.standardError("captty: captions could not be written to standard output: \(why)\(kept)")
                return 74
            }
            return 0
        } catch let e as LiveFailure {
            PlainRunner.standardError("captty: \(e.description)")
            return e.exitCode
        } catch let e as CapttyError {
            PlainRunner.standardError("captty: \(e)")
            return e.exitCode
        } catch {
            PlainRunner.standardError("captty: \(error)")
            return 1
        }
    }

    /// After the journal failed for good: the whole transcript as text in the first place that
    /// takes it (the sessions directory, then the temporary directory), else, from the full
    /// screen, on standard output (plain mode already printed every line there). Nothing is lost.
    static func rescue(_ session: Session, plain: Bool, out: @Sendable (String) -> Void) async {
        guard !session.view.store.lines.isEmpty else { return }
        let journalDirectory = session.view.save.map { URL(fileURLWithPath: $0.path).deletingLastPathComponent().path }
        // The temporary directory is shared: the copy goes in a new private directory there, so
        // a link (or FIFO) planted under the predictable name cannot take it elsewhere.
        let places: [(make: () -> URL?, made: Bool)] = [({ JournalLocation.sessionsDirectory() }, false),
                                                        ({ privateTemporaryDirectory() }, true)]
        for place in places {
            guard let dir = place.make(), dir.standardizedFileURL.path != journalDirectory else { continue }
            if let url = try? await session.export(.txt, directory: dir) {
                // With every word's time as well (Deepgram's JSON shape): the text alone could
                // not make captions (SRT, WebVTT) without captioning again (found in QA).
                let timed = (try? await session.export(.json, directory: dir)).map { " (and with word timings to \($0.path))" } ?? ""
                out("captty: the whole transcript was written instead to \(url.path)\(timed)")
                return
            }
            if place.made { rmdir(dir.path) }
        }
        if plain {
            out("captty: every line was printed on standard output above; nowhere else could take a copy")
        } else {
            out("captty: nowhere could take a copy of the transcript; here it is:")
            PlainRunner.standardOutput(Exporter.render(session.view.store.lines, format: .txt, header: nil, metadata: nil))
        }
    }

    /// A new directory only this user can enter, in the temporary directory (`mkdtemp`).
    static func privateTemporaryDirectory() -> URL? {
        var template = Array((FileManager.default.temporaryDirectory.path + "/captty-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { return nil }
        return URL(fileURLWithPath: String(cBuffer: template))
    }

    /// The engine, source and journal for `request`, as a session not yet started.
    public static func makeSession(_ request: LiveRequest, logger: Logger = Logger(label: "captty")) async throws -> Session {
        if let why = EngineFactory.refusal(request.engine, options: request.options) { throw LiveFailure(why, exitCode: 64) }
        var configuration = Session.Configuration()
        configuration.executor = SerialThreadExecutor.shared
        configuration.levelUpdates = !request.plain
        configuration.interimUpdates = !request.plain
        configuration.clockUpdates = !request.plain
        let source: any AudioSource
        var input = request.input
        if !request.inputExplicit, input == .defaultDevice, case let probe = await pulseSources(),
           (try? probe.get())?.isEmpty != false {
            // The full screen says it plays the demo; plain mode (a pipe, a screen reader, a
            // script) would caption it as if it were the microphone and exit 0.
            if request.plain {
                // No server at all is said as `captty devices` says it (PULSE_SERVER included):
                // "no source is available" sent people looking for a microphone.
                if case .failure(let error) = probe {
                    throw LiveFailure("\(error)", exitCode: 69)
                }
                throw LiveFailure("no PulseAudio source is available, so there is no microphone to caption; "
                                  + "start PulseAudio (`pulseaudio --start`; `captty devices` lists sources) or caption a file with --file PATH",
                                  exitCode: 69)
            }
            guard let demo = DemoRecording.find() else {
                // Said as plain mode says it: why there is no audio (no server, with its
                // PULSE_SERVER hint, exit 69), not that a recording nobody asked for is missing.
                if case .failure(let error) = probe { throw LiveFailure("\(error)", exitCode: 69) }
                throw LiveFailure("no PulseAudio source is available, so there is no microphone to caption; "
                                  + "start PulseAudio (`pulseaudio --start`; `captty devices` lists sources) or caption a file with --file PATH",
                                  exitCode: 69)
            }
            input = .file(demo)
            configuration.deviceNotice = "demo recording (no audio device)"
        }
        switch input {
        case .device, .systemAudio, .defaultDevice:
            // Resolve now so a missing server or device is a clear error before the screen opens.
            let devices: [AudioDevice]
            do { devices = try await listAudioDevices(timeout: 5) } catch {
                // No sound server is "service unavailable" (69), as for the default microphone.
                if case .noServer? = error as? AudioError { throw LiveFailure("\(error)", exitCode: 69) }
                throw LiveFailure("\(error)")
            }
            let selector: AudioDeviceSelector
            switch input {
            case .device(let d): selector = .named(d)
            case .systemAudio: selector = .systemAudio
            default: selector = .defaultSource
            }
            if case .named = selector {
                do { _ = try selector.resolve(in: devices) } catch { throw LiveFailure("\(error)") }
            }
        case .file, .stdin:
            break
        }
        do {
            source = try await SourceFactory.make(
                input, format: EngineFactory.sourceFormat(request.engine, options: request.options), chunkDuration: request.chunkDuration, pacing: request.speed == 0 ? .asFastAsPossible : .faster(request.speed), rawFormat: request.rawFormat,
                keepChannels: request.options.multichannel == true && request.options.channels == nil)
        } catch {
            throw LiveFailure("\(error)")
        }
        // A file kept its own channels for multichannel: the engine is told how many.
        var options = request.options
        if options.multichannel == true && options.channels == nil && source.format.channels > 1 { options.channels = source.format.channels }
        let engine: any SpeechEngine
        do {
            // The source says whether its audio waits through a reconnect (a file or standard
            // input, the demo recording included) or cannot (PulseAudio capture); the session
            // asks the same source.
            engine = try EngineFactory.make(request.engine, logger: logger, keepReconnecting: true,
                                            audioCanWait: source.canWait)
        } catch let e as CapttyError {
            throw e
        } catch {
            throw LiveFailure("cannot start the \(request.engine.resolve().rawValue) engine: \(error)", exitCode: 69)
        }
        // The offline engine finishes what it heard before new settings take over however long
        // its work takes (no network to wait on): a busy machine took over 10 s, and the speech
        // was cut off.
        if engine.name.hasPrefix("local") { configuration.restartHoldTimeout = .seconds(60) }
        var journal: JournalWriter?
        let header = JournalHeader(engine: engine.name, model: engine.modelName(for: options), options: options,
                                   capttyVersion: CapttyVersion.string)
        if !request.noJournal {
            let url: URL
            if let p = request.journalPath {
                url = URL(fileURLWithPath: p.expandingTilde)
            } else if let dir = request.journalDirectory {
                url = URL(fileURLWithPath: dir.expandingTilde).appendingPathComponent(header.fileStem + ".jsonl")
            } else {
                url = JournalLocation.defaultURL(for: header)
            }
            if let problem = JournalLocation.problem(creating: url, named: request.journalPath != nil) {
                throw LiveFailure(problem, exitCode: 73)
            }
            journal = try await openJournal(at: url, header: header, named: request.journalPath != nil, configuration: &configuration)
        }
        return Session(source: source, engine: engine, options: options, journal: journal, header: header,
                       configuration: configuration)
    }

    /// The journal at `url`, created now. When it cannot be created (a read-only or full file
    /// system, no permission), a path the user named is refused before anything is captioned;
    /// the default folder gives way to one under the temporary directory (said when the session
    /// starts), so that the session is still crash-safe. Only when that fails too does the
    /// transcript stay in memory (retried, rescued at the end) as before.
    static func openJournal(at url: URL, header: JournalHeader, named: Bool,
                            configuration: inout Session.Configuration) async throws -> JournalWriter {
        let writer = await JournalWriter(url: url, header: header)
        guard case .failing(_, let message, _) = await writer.state else { return writer }
        await writer.abandon()
        if named {
            throw LiveFailure("\(message). Nothing was captioned yet: choose another --journal path, or caption without saving with --no-journal",
                              exitCode: 73)
        }
        if let dir = JournalLocation.fallbackDirectory() {
            let elsewhere = dir.appendingPathComponent(url.lastPathComponent)
            let other = await JournalWriter(url: elsewhere, header: header)
            if case .failing = await other.state { await other.abandon() } else {
                configuration.startNotice = "\(message); the transcript is saved to \(elsewhere.path) instead "
                    + "(a temporary folder: export or move it before the machine restarts)"
                return other
            }
        }
        return await JournalWriter(url: url, header: header)
    }

    /// Whether a PulseAudio server answers and lists at least one source.
    /// PulseAudio's sources, or why they cannot be listed (no server, most often).
    static func pulseSources() async -> Result<[AudioDevice], Error> {
        do { return .success(try await listAudioDevices(timeout: 3)) } catch { return .failure(error) }
    }

    static func shellQuoted(_ s: String) -> String {
        let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:,@".contains($0) }
        return safe ? s : "'" + s.replacingAll("'", with: "'\\''") + "'"
    }
}

/// Finds `Assets/demo-preamble.wav`: `$CAPTTY_DEMO`, next to the package the binary was built
/// in, the working directory, or an installed share directory.
public enum DemoRecording {
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let e = environment["CAPTTY_DEMO"], !e.isEmpty { candidates.append(e) }
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        let exePath = n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : (CommandLine.arguments.first ?? "")
        let exe = URL(fileURLWithPath: exePath)
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("Assets/demo-preamble.wav").path)
            dir.deleteLastPathComponent()
        }
        // Installed (`make install`): PREFIX/bin/captty and PREFIX/share/captty/demo-preamble.wav.
        candidates.append(exe.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/captty/demo-preamble.wav").path)
        candidates.append(FileManager.default.currentDirectoryPath + "/Assets/demo-preamble.wav")
        candidates.append("/usr/local/share/captty/demo-preamble.wav")
        candidates.append("/usr/share/captty/demo-preamble.wav")
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }
}


extension LiveLauncher {
    /// The closing line about audio with no captions: lost while the engine was disconnected,
    /// never captured while the device was gone, or both (nil when none was).
    /// Why a session that sent audio got not a word back (silence, a quiet input, the wrong
    /// language): it ended with "finished" and nothing else, which read as a broken engine.
    /// Nil when words came, or when something else (an error, lost audio, an engine that never
    /// answered, a silent monitor: nothing played) already explains it.
    static func noWordsNote(_ summary: Session.Summary, view: SessionView, headerless: Bool) -> String? {
        guard summary.wordCount == 0, summary.audioSentSeconds >= 1, summary.incomplete == nil,
              summary.audioLostSeconds < 0.05, view.engineReached, view.sourceError == nil else { return nil }
        if case .error = view.connection { return nil }
        if view.sourceIsMonitor && summary.loudestDB < -60 { return nil }
        let name = DisplayWidth.sanitizedForTerminal(view.deviceName.isEmpty ? "the input" : view.deviceName)
        return TranscribeRunner.nothingRecognised(in: name, seconds: summary.audioSentSeconds, peakDB: summary.loudestDB,
                                                  headerless: headerless, offlineEngine: view.engineName.hasPrefix("local"))
    }

    static func lostAudioSummary(_ summary: Session.Summary, whereSaid: String) -> String? {
        let engine = summary.audioLostSeconds >= 0.05 ? summary.audioLostSeconds : 0
        let device = summary.deviceLostSeconds >= 0.05 ? summary.deviceLostSeconds : 0
        func secs(_ s: Double) -> String { NumberText.fixed(s, decimals: 1) + " s" }
        switch (engine > 0, device > 0) {
        case (false, false): return nil
        case (true, false):
            return "\(secs(engine)) of audio in all have no captions: they were lost while the engine was disconnected (\(whereSaid))"
        case (false, true):
            return "\(secs(device)) of audio in all have no captions: they were not captured while the audio device was gone or suspended (\(whereSaid))"
        case (true, true):
            return "\(secs(engine + device)) of audio in all have no captions: \(secs(engine)) lost while the engine was disconnected, "
                + "\(secs(device)) not captured while the audio device was gone or suspended (\(whereSaid))"
        }
    }
}
