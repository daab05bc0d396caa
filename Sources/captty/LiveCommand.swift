import ArgumentParser
import CapttyCore
import FoundationEssentials
import Glibc
import SystemSupport

/// The default command: live captions.
struct Live: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Caption live audio (the default command).",
        discussion: """
            Captions scroll on a full screen with a level meter and a status bar; keys toggle \
            options while captioning (press ? for the list; `man captty` has them under KEYS). The transcript is \
            journaled as it grows and can be exported with `captty export`. With --plain, or when \
            standard output is not a terminal, final lines go to standard output and status to \
            standard error.
            """)

    @OptionGroup var engine: EngineFlags

    @Option(help: ArgumentHelp("Capture from this PulseAudio source (name, index or unique part of its name). If it is removed, captty says so and waits for it to come back rather than captioning another microphone; without --device, captty follows the default source and says when it changes.", valueName: "name"))
    var device: String?
    @Flag(help: "Caption what this computer plays (the monitor of the default output, followed when the default output changes).")
    var systemAudio = false
    @Option(help: ArgumentHelp("Caption a WAV or raw file in real time, or - for standard input.", valueName: "path|-"))
    var file: String?
    @OptionGroup var raw: RawFormatFlag

    @Flag(help: "Plain output: final lines on stdout, status on stderr (automatic when stdout is not a terminal).")
    var plain = false
    @Flag(help: "Prefix lines with [HH:MM:SS] timestamps.")
    var timestamps = false
    @Option(help: ArgumentHelp("Write the journal here (default ~/.local/share/captty/sessions/<start>.jsonl).", valueName: "path"))
    var journal: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Play --file this many times faster than real time (0: as fast as possible); for benchmarks and tests.",
                               valueName: "x", visibility: .hidden))
    var speed: Double = 1
    @Option(parsing: .unconditional, help: ArgumentHelp("Milliseconds of audio per chunk sent to the engine, 20-250 (default 50). Larger chunks wake the CPU and the network less often; smaller ones show words sooner.", valueName: "ms"))
    var chunkMs: Int?
    @Flag(help: "Do not write a journal.")
    var noJournal = false
    @Option(help: ArgumentHelp("Read settings from this file (default ~/.config/captty/config.toml).", valueName: "path"))
    var config: String?
    @Option(help: .hidden)
    var printKeyTable: KeyTableFormat?

    @OptionGroup(title: "Deepgram options") var deepgram: DeepgramFlags

    enum KeyTableFormat: String, ExpressibleByArgument { case man, markdown }

    func validate() throws {
        // (1e-9 was taken, and the file then said to be silent: its first chunk was due in years.)
        guard speed == 0 || (speed >= 0.1 && speed.isFinite) else {
            throw ValidationError("--speed must be 0 (as fast as possible) or a factor of at least 0.1 (1 is real time)")
        }
        if file?.isEmpty == true { throw ValidationError("--file needs a path (or - for standard input); it was given an empty one") }
        // An empty name matched every device ("audio from " and whichever came first).
        if device?.trimmingWhitespace().isEmpty == true {
            throw ValidationError("--device needs a device's name, index or part of its name (`captty devices` lists them); it was given an empty one")
        }
        if journal?.isEmpty == true { throw ValidationError("--journal needs a file path; it was given an empty one") }
        let sources = [device != nil, systemAudio, file != nil].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("choose one audio source: --device, --system-audio or --file")
        }
        if raw.rawFormat != nil && file == nil {
            throw ValidationError("--raw-format describes a headerless --file (or stdin); devices need no format")
        }
        if let chunkMs, !CapttyConfig.chunkMillisecondsRange.contains(chunkMs) {
            throw ValidationError("--chunk-ms \(chunkMs) is outside 20-250 (milliseconds of audio per chunk; 20-250 is Deepgram's recommended range)")
        }
        if noJournal && journal != nil {
            throw ValidationError("--journal and --no-journal contradict each other")
        }
    }

    var input: AudioInput {
        if let device { return .device(device) }
        if systemAudio { return .systemAudio }
        if let file { return file == "-" ? .stdin : .file(file) }
        return .defaultDevice
    }

    func run() async throws {
        if let printKeyTable {
            print(KeyTableText.render(printKeyTable.rawValue), terminator: "")
            return
        }
        var status: Int32 = 0
        // Errors found before the session starts (the config, flags that contradict it) are said
        // as every command says them.
        try await reportingErrors {
            let cfg = try CapttyConfig.load(path: config)
            let appSettings = try LiveApp.Settings.from(cfg, timestamps: timestamps)
            let settings = engine.settings(with: cfg)
            let options = try deepgram.options(config: cfg, engine: settings)
            var chosen = input
            var explicit = chosen != .defaultDevice
            if !explicit, let d = cfg.device { chosen = .device(d); explicit = true }
            let request = LiveRequest(
                engine: settings, input: chosen, inputExplicit: explicit, options: options,
                plain: plain || cfg.plain == true || isatty(STDOUT_FILENO) == 0, timestamps: timestamps,
                journalPath: journal, journalDirectory: cfg.journalDirectory, noJournal: noJournal,
                settings: appSettings)
            var paced = request
            paced.speed = speed
            paced.rawFormat = try raw.parsed()
            if let ms = chunkMs ?? cfg.chunkMilliseconds { paced.chunkDuration = Double(ms) / 1000 }
            status = await LiveLauncher.run(paced)
        }
        if status != 0 { throw ExitCode(status) }
    }
}
