import ArgumentParser
import CapttyCore

/// `captty serve`: a Deepgram-compatible endpoint backed by the offline engine.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a Deepgram-compatible live endpoint (/v1/listen) with the offline engine.")

    @Option(help: "Address to listen on (loopback unless told otherwise).")
    var host: String = "127.0.0.1"
    @Option(parsing: .unconditional, help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080
    @Option(help: ArgumentHelp("Require clients to send the API key in this file (Authorization: Token KEY).", valueName: "file"))
    var apiKeyFile: String?
    @Option(parsing: .unconditional, help: "Streams served at once, a multichannel stream counting once per channel (a recognizer each); more are refused with HTTP 429 (as Deepgram does past its concurrency limit), a multichannel stream with more channels than this with HTTP 400 (a multichannel WAV stream, counted when its header arrives, with an Error message and close 1013, or 1008). Default: one per core, at least 2.")
    var maxClients: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (maxClients ?? 1) >= 1 else { throw ValidationError("--max-clients must be at least 1") }
    }

    func run() async throws {
        try await reportingErrors {
            try await ServeRunner.run(host: host, port: port, apiKeyFile: apiKeyFile, maxClients: maxClients ?? ServeRunner.defaultMaxClients,
                                      announce: printError)
        }
    }
}
