import ArgumentParser
import CapttyCore

/// `captty serve`: a Deepgram-compatible endpoint backed by the offline engine.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a Deepgram-compatible live endpoint (/v1/listen) with the offline engine.")

    @Option(help: "Address to listen on (loopback unless told otherwise).")
    var host: String = "127.0.0.1"
    @Option(help: "Port to listen on.")
    var port: Int = 8080
    @Option(help: ArgumentHelp("Require clients to send the API key in this file.", valueName: "file"))
    var apiKeyFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() async throws {
        try await reportingErrors {
            throw CapttyError.notYetAvailable("captty serve")
        }
    }
}
