import ArgumentParser
import CapttyCore

extension EngineChoice: ExpressibleByArgument {}
extension ExportFormatName: ExpressibleByArgument {
    /// Any name `ExportFormat(name:)` knows, in any case (`webvtt`, `markdown`, `TXT`).
    public init?(argument: String) { self.init(name: argument) }
}

/// Flags that choose and reach the speech engine.
struct EngineFlags: ParsableArguments {
    @Option(help: "Speech engine: auto (Deepgram when a key is set, else local), deepgram or local.")
    var engine: EngineChoice = .auto

    @Option(name: .customLong("url"), help: ArgumentHelp(
        "Deepgram base URL, e.g. ws://localhost:8080 for a self-hosted server (default: $DEEPGRAM_URL or wss://api.deepgram.com).",
        valueName: "base"))
    var url: String?

    @Option(help: ArgumentHelp("Read the Deepgram API key from this file (default: $DEEPGRAM_API_KEY).", valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("Also trust this CA certificate (PEM) for wss:// (self-hosted servers).", valueName: "file"))
    var caFile: String?

    var settings: EngineSettings {
        EngineSettings(choice: engine, baseURL: url, apiKeyFile: apiKeyFile, caFile: caFile)
    }
}
