import ArgumentParser
import CapttyCore

/// The default command: live captions.
struct Live: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Caption live audio (the default command).")

    @OptionGroup var engine: EngineFlags

    @Option(help: ArgumentHelp("Capture from this PulseAudio source (name, index or unique part of its name).", valueName: "name"))
    var device: String?
    @Flag(help: "Caption what this computer plays (the monitor of the default output).")
    var systemAudio = false
    @Option(help: ArgumentHelp("Caption a WAV or raw file in real time, or - for standard input.", valueName: "path|-"))
    var file: String?

    @Flag(help: "Plain output: final lines on stdout, status on stderr (automatic when stdout is not a terminal).")
    var plain = false
    @Flag(help: "Prefix lines with [HH:MM:SS] timestamps.")
    var timestamps = false
    @Option(help: ArgumentHelp("Write the journal here (default ~/.local/share/captty/sessions/<start>.jsonl).", valueName: "path"))
    var journal: String?
    @Flag(help: "Do not write a journal.")
    var noJournal = false
    @Option(help: ArgumentHelp("Read settings from this file (default ~/.config/captty/config.toml).", valueName: "path"))
    var config: String?

    @OptionGroup(title: "Deepgram options") var deepgram: DeepgramFlags

    func validate() throws {
        let sources = [device != nil, systemAudio, file != nil].filter { $0 }.count
        if sources > 1 {
            throw ValidationError("choose one audio source: --device, --system-audio or --file")
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
        try await reportingErrors {
            _ = try deepgram.options(base: .captionDefaults)
            throw CapttyError.notYetAvailable("live captioning")
        }
    }
}
