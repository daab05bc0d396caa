import ArgumentParser
import CapttyCore
import FoundationEssentials

/// `captty transcribe FILE`: a file as fast as the engine allows.
struct Transcribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transcribe an audio file as fast as the engine allows.")

    @Argument(help: ArgumentHelp("A WAV or raw audio file, or - for standard input.", valueName: "file"))
    var file: String
    @OptionGroup var raw: RawFormatFlag
    @OptionGroup var engine: EngineFlags
    @Option(help: "Output format: txt, srt, vtt, json or md.")
    var format: ExportFormatName = .txt
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output (- is standard output).", valueName: "out"))
    var output: String?
    @Flag(help: "Leave out [HH:MM:SS] stamps in txt output.")
    var noTimestamps = false
    @OptionGroup(title: "Deepgram options") var deepgram: DeepgramFlags

    func run() async throws {
        try await reportingErrors {
            let options = try deepgram.options(base: .captionDefaults, deepgram: engine.settings.resolve() == .deepgram)
            let speech = try EngineFactory.make(engine.settings, audioCanWait: true)   // a file waits through a reconnect
            let outcome = try await TranscribeRunner.run(
                input: file == "-" ? .stdin : .file(file), engine: speech, options: options, format: format,
                output: output == "-" ? nil : output, timestamps: !noTimestamps, rawFormat: try raw.parsed(), warn: { printError("captty: \($0)") })
            if let out = outcome.output {
                printError("captty: \(NumberText.counted(outcome.lines, "line")) (\(NumberText.counted(outcome.words, "word")), \(NumberText.fixed(outcome.audioSeconds, decimals: 1)) s of audio) written to \(out)")
            }
        }
    }
}
