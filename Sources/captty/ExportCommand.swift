import ArgumentParser
import CapttyCore

/// `captty export JOURNAL`: turn a session journal into a transcript file.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a session journal as txt, srt, vtt, json or md.")

    @Argument(help: ArgumentHelp("A session journal (.jsonl).", valueName: "journal"))
    var journal: String
    @Option(help: "Output format: txt, srt, vtt, json or md.")
    var format: ExportFormatName
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "out"))
    var output: String?

    func run() async throws {
        try await reportingErrors {
            throw CapttyError.notYetAvailable("captty export")
        }
    }
}
