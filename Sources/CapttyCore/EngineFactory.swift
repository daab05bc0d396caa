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

    static func makeDeepgram(_ settings: EngineSettings, logger: Logger, environment: [String: String]) throws -> any SpeechEngine {
        let credential: Credential
        do {
            if let file = settings.apiKeyFile {
                credential = try Credential.fromFile(file)
            } else {
                credential = try Credential.fromEnvironment(environment)
            }
        } catch {
            throw CapttyError.usage(error.description + " (or use --engine local for the offline engine)")
        }
        var configuration = LiveClientConfiguration(environment: environment)
        configuration.baseURL = settings.baseURL
        configuration.webSocket.caFile = settings.caFile
        configuration.logger = logger
        return DeepgramEngine(credential: credential, configuration: configuration)
    }
}
