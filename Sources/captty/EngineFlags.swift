import ArgumentParser
import CapttyCore
import Deepgram
import FoundationEssentials
import SystemSupport

extension EngineChoice: ExpressibleByArgument {}
extension ExportFormatName: ExpressibleByArgument {
    /// Any name `ExportFormat(name:)` knows, in any case (`webvtt`, `markdown`, `TXT`).
    public init?(argument: String) { self.init(name: argument) }
}

/// Flags that choose and reach the speech engine.
struct EngineFlags: ParsableArguments {
    @Option(help: "Speech engine: auto (Deepgram when a key is set, --url is given or the URL is a self-hosted server's, else local), deepgram or local (default: the config's, else auto).")
    var engine: EngineChoice?

    @Option(name: .customLong("url"), help: ArgumentHelp(
        "Deepgram base URL, e.g. ws://localhost:8080 for a self-hosted server (default: $DEEPGRAM_URL or wss://api.deepgram.com).",
        valueName: "base"))
    var url: String?

    @Option(help: ArgumentHelp("Read the Deepgram API key from this file (default: $DEEPGRAM_API_KEY).", valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("Also trust this CA certificate (PEM) for wss:// (self-hosted servers).", valueName: "file"))
    var caFile: String?

    func validate() throws {
        // A URL that cannot be one is a usage error (exit 64), said before anything starts.
        if let url {
            do throws(LiveOptionsError) { _ = try LiveOptions().url(base: url) } catch { throw ValidationError("--url: \(error)") }
        } else if engine != .local, let env = ProcessInfo.processInfo.environment["DEEPGRAM_URL"]?.trimmingWhitespace(), !env.isEmpty {
            // Named as where it came from ("invalid Deepgram base URL 'not a url'" did not say).
            do throws(LiveOptionsError) { _ = try LiveOptions().url(base: env) } catch { throw ValidationError("DEEPGRAM_URL: \(error)") }
        }
    }

    var settings: EngineSettings {
        EngineSettings(choice: engine ?? .auto, baseURL: url, apiKeyFile: apiKeyFile, caFile: caFile)
    }

    /// The settings with the config file's engine and URL where no flag chose them (the URL:
    /// `--url`, else `DEEPGRAM_URL`, else the config's, as for the key: the environment is the
    /// more particular choice).
    func settings(with cfg: CapttyConfig, environment: [String: String] = ProcessInfo.processInfo.environment) -> EngineSettings {
        var s = settings
        if engine == nil, let e = cfg.engine { s.choice = e }
        let envURL = environment["DEEPGRAM_URL"].map { $0.trimmingWhitespace() } ?? ""
        if url == nil, envURL.isEmpty, let u = cfg.url, !u.trimmingWhitespace().isEmpty { s.baseURL = u }
        if s.choice == .auto, let v = environment["DEEPGRAM_API_KEY"], v.trimmingWhitespace().isEmpty, s.resolve(environment: environment) == .local {
            // Said: someone who set a key (from an empty secret store, say) got the offline
            // engine without a word (found in QA).
            printError("captty: note: DEEPGRAM_API_KEY is set but empty, so the offline engine runs")
        }
        let unused = [("--url", url), ("--ca-file", caFile), ("--api-key-file", apiKeyFile)].filter { $0.1 != nil }.map(\.0)
        if !unused.isEmpty, s.resolve(environment: environment) == .local {
            // Said, not ignored without a word: the engine was chosen local elsewhere.
            printError("captty: note: \(unused.joined(separator: ", ")) \(unused.count == 1 ? "is" : "are") not used: the engine is local "
                       + "(\(engine == nil ? "from the config's engine" : "--engine local"))")
        }
        return s
    }
}
