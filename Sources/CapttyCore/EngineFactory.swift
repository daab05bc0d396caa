import Deepgram
import Foundation
import LocalSpeech
import Logging
import SpeechEngines

/// Builds the speech engine the settings ask for.
public enum EngineFactory {
    /// The engine for `settings`, with `auto` resolved (Deepgram when a key is present).
    public static func make(_ settings: EngineSettings, logger: Logger = Logger(label: "captty.engine"),
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> any SpeechEngine {
        switch settings.resolve(environment: environment) {
        case .local:
            return try LocalRecognizer.discover(logger: logger)
        case .deepgram:
            return try makeDeepgram(settings, logger: logger, environment: environment)
        }
    }

    /// The Deepgram engine: key from `--api-key-file` or `DEEPGRAM_API_KEY`, base URL from
    /// `--url`/`DEEPGRAM_URL`, extra CA from `--ca-file`.
    static func makeDeepgram(_ settings: EngineSettings, logger: Logger, environment: [String: String]) throws -> any SpeechEngine {
        let credential: Credential
        do {
            if let file = settings.apiKeyFile {
                credential = try Credential.fromFile(file)
            } else {
                credential = try Credential.fromEnvironment(environment)
            }
        } catch {
            throw CapttyError.failed("\(error.description); set DEEPGRAM_API_KEY, use --api-key-file, or use --engine local")
        }
        var config = LiveClientConfiguration(environment: environment)
        config.baseURL = settings.baseURL
        config.webSocket.caFile = settings.caFile
        config.logger = logger
        do {
            _ = try config.listenURL(for: LiveOptions())
        } catch {
            throw CapttyError.failed(error.description)
        }
        return DeepgramEngine(credential: credential, configuration: config)
    }
}
