import ArgumentParser
import CapttyCore

/// `captty transcribe FILE`: a file as fast as the engine allows.
struct Transcribe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transcribe an audio file as fast as the engine allows.")

    @Argument(help: ArgumentHelp("A WAV or raw audio file, or - for standard input.", valueName: "file"))
    var file: String
    @OptionGroup var engine: EngineFlags
    @Option(help: "Output format: txt, srt, vtt, json or md.")
    var format: ExportFormatName = .txt
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "out"))
    var output: String?
    @OptionGroup(title: "Deepgram options") var deepgram: DeepgramFlags

    func run() async throws {
        try await reportingErrors {
            throw CapttyError.notYetAvailable("captty transcribe")
        }
    }
}
