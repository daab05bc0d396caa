import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import CaptionUI
import CapttyCore
import FoundationEssentials
import SystemSupport
import Transcript

/// `captty transcribe FILE`: a file as fast as the engine allows.
struct Transcribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transcribe an audio file as fast as the engine allows.")

    @Argument(help: ArgumentHelp("A WAV or raw audio file, or - for standard input.", valueName: "file"))
    var file: String
    @OptionGroup var raw: RawFormatFlag
    @OptionGroup var engine: EngineFlags
    @Option(help: "Output format: txt, srt, vtt, json or md (default: from the -o file's extension, else txt).")
    var format: ExportFormatName?
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output (- is standard output). An existing file is replaced, atomically, by a new one readable by you alone (0600); a symlink's target is replaced.", valueName: "out"))
    var output: String?
    @Flag(help: "Leave out [HH:MM:SS] stamps in txt output.")
    var noTimestamps = false
    @Option(help: ArgumentHelp("Read settings from this file (default ~/.config/captty/config.toml).", valueName: "path"))
    var config: String?
    @Flag(name: .shortAndLong, help: "No progress line on standard error (it is drawn only on a terminal).")
    var quiet = false
    @Option(help: ArgumentHelp("Journal the finals here while transcribing, and keep the file (default: a journal in ~/.local/share/captty/sessions, removed once the transcript is written).", valueName: "path"))
    var journal: String?
    @Flag(help: "Do not journal the finals while transcribing (a kill loses the work so far).")
    var noJournal = false
    @OptionGroup(title: "Deepgram options") var deepgram: DeepgramFlags

    func validate() throws {
        if file.isEmpty { throw ValidationError("the file to transcribe is an empty path: name a WAV or raw audio file, or - for standard input") }
        if journal?.isEmpty == true { throw ValidationError("--journal needs a file path; it was given an empty one") }
        if noJournal && journal != nil { throw ValidationError("--journal and --no-journal contradict each other") }
    }

    /// Where the finals are journaled while transcribing: `--journal`, else a file in the
    /// journal folder (the config's `journal_dir`, else the sessions folder) named for now.
    func journalRequest(directory: String?) throws -> TranscribeRunner.JournalRequest? {
        if noJournal { return nil }
        if let journal {
            let url = URL(fileURLWithPath: journal.expandingTilde)
            if let problem = JournalLocation.problem(creating: url, named: true) { throw CapttyError.cannotCreate(problem) }
            return .init(url: url, keep: true)
        }
        let stem = JournalHeader(engine: "transcribe", capttyVersion: CapttyVersion.string).fileStem
        let dir = directory.map { URL(fileURLWithPath: $0.expandingTilde, isDirectory: true) } ?? JournalLocation.sessionsDirectory()
        return .init(url: dir.appendingPathComponent("transcribe-" + stem + ".jsonl"), keep: false)
    }

    func run() async throws {
        try await reportingErrors {
            // The config applies as for live captions: its engine, URL and Deepgram options,
            // under the flags.
            let cfg = try CapttyConfig.load(path: config)
            // The whole file is checked, as live captions check it: a [keys] section live
            // refuses was taken here without a word (found in QA).
            _ = try KeyBindingConfig.table(from: cfg)
            let settings = engine.settings(with: cfg)
            let options = try deepgram.options(config: cfg, engine: settings)
            if let why = EngineFactory.refusal(settings, options: options) { throw CapttyError.usage(why) }
            let speech = try EngineFactory.make(settings, audioCanWait: true)   // a file waits through a reconnect
            if let n = speech.notice { printError("captty: \(n)") }
            let out = output == "-" ? nil : output
            // Not about a file it will refuse to write (the recording itself): the note read as if
            // the recording were about to be replaced.
            if let note = ExportFormat.mismatch(format, output: out), !(out.map { Files.sameFile($0, file) } ?? false) {
                printError("captty: \(note)")
            }
            // Ctrl-C or SIGTERM: the transcript of the audio sent so far is written, not lost.
            TerminalSignals.installTerminationHandlers()
            let outcome = try await TranscribeRunner.run(
                input: file == "-" ? .stdin : .file(file), engine: speech, options: options,
                format: ExportFormat.chosen(format, output: out), output: out, timestamps: !noTimestamps,
                rawFormat: try raw.parsed(), interruptions: { TerminalSignals.terminationCount },
                status: quiet ? nil : StatusLine.onTerminal(fd: 2), journal: try journalRequest(directory: cfg.journalDirectory),
                warn: { printError("captty: \($0)") })
            if let out = outcome.output {
                printError("captty: \(NumberText.counted(outcome.lines, "line")) (\(NumberText.counted(outcome.words, "word")), \(NumberText.fixed(outcome.audioSeconds, decimals: 1)) s of audio) written to \(out)")
            }
        }
    }
}
