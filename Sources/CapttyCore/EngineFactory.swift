import Audio
import Executors
import Deepgram
import FoundationEssentials
import Glibc
import SystemSupport
import LocalSpeech
import Logging
import SpeechEngines

/// Builds the speech engine the settings ask for.
public enum EngineFactory {
    /// The engine for `settings`, with `auto` resolved (Deepgram when a key is present).
    /// `keepReconnecting`: live captions, where someone is watching, retry a lost connection
    /// for as long as the session runs (the status says why and when); a batch job gives up
    /// after the policy's attempts so that a script learns of it. `audioCanWait`: the audio
    /// comes from a file or a pipe, which waits for a reconnect instead of losing its oldest
    /// part (a microphone cannot wait).
    public static func make(_ settings: EngineSettings, logger: Logger = Logger(label: "captty.engine"),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            keepReconnecting: Bool = false, audioCanWait: Bool = false) throws -> any SpeechEngine {
        switch settings.resolve(environment: environment) {
        case .local:
            return try LocalRecognizer.discover(logger: logger)
        case .deepgram:
            return try makeDeepgram(settings, logger: logger, environment: environment, keepReconnecting: keepReconnecting,
                                    audioCanWait: audioCanWait)
        }
    }

    /// Why the engine `settings` resolve to cannot take `options` at all (the offline engine and
    /// a language other than English), said before anything starts: no journal, no audio opened
    /// (a session opened both, then failed; found in QA). Nil when it can.
    public static func refusal(_ settings: EngineSettings, options: LiveOptions,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        settings.resolve(environment: environment) == .local ? LocalRecognizer.refusal(options) : nil
    }

    /// The format the audio source delivers to the engine `settings` resolve to (see
    /// `SpeechEngine.sourceFormat(for:)`), known before the engine is made.
    public static func sourceFormat(_ settings: EngineSettings, options: LiveOptions,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) -> AudioFormat {
        switch settings.resolve(environment: environment) {
        case .local: return LocalRecognizer.sourceFormat(options)
        case .deepgram: return DeepgramEngine.sourceFormat(options)
        }
    }

    /// The Deepgram engine: key from `--api-key-file` or `DEEPGRAM_API_KEY`, base URL from
    /// `--url`/`DEEPGRAM_URL`, extra CA from `--ca-file`.
    static func makeDeepgram(_ settings: EngineSettings, logger: Logger, environment: [String: String],
                             keepReconnecting: Bool = false, audioCanWait: Bool = false) throws -> any SpeechEngine {
        let credential: Credential
        do throws(CredentialError) {
            if let file = settings.apiKeyFile {
                credential = try Credential.fromFile(file)
            } else if settings.keySource(environment: environment) == .none {
                // Unset or blank (`export DEEPGRAM_API_KEY=` clears it): no key, as `auto` sees it.
                throw CredentialError.missingEnvironment(Credential.environmentVariable)
            } else {
                credential = try Credential.fromEnvironment(environment)
            }
        } catch {
            // A missing key also has the offline engine as a way on; the other credential
            // errors already say what to fix.
            if case .missingEnvironment(let name) = error {
                // A self-hosted server authorizes at the container: its requests need no key.
                guard settings.isDeepgramCloud else {
                    logger.info("no API key: connecting to the self-hosted server without one")
                    return try makeDeepgram(settings, credential: .anonymous, logger: logger, environment: environment,
                                            keepReconnecting: keepReconnecting, audioCanWait: audioCanWait)
                }
                throw CapttyError.failed("no Deepgram API key: set \(name), give a key file only you can read with --api-key-file FILE, or use --engine local, which needs no key (a self-hosted server needs none either: give its address with --url)")
            }
            throw CapttyError.failed(error.description)
        }
        return try makeDeepgram(settings, credential: credential, logger: logger, environment: environment,
                                keepReconnecting: keepReconnecting, audioCanWait: audioCanWait)
    }

    private static func makeDeepgram(_ settings: EngineSettings, credential: Credential, logger: Logger, environment: [String: String],
                                     keepReconnecting: Bool, audioCanWait: Bool) throws -> any SpeechEngine {
        var config = LiveClientConfiguration(environment: environment)
        config.baseURL = settings.baseURL
        config.webSocket.caFile = settings.caFile
        config.logger = logger
        config.replayPacing = settings.isDeepgramCloud ? .deepgram : .unlimited
        config.executor = SerialThreadExecutor.shared
        if keepReconnecting {
            config.reconnect.maxAttempts = Int.max
            // A microphone keeps trying an address that never answered (someone is watching,
            // and the network may come up); a file or a pipe, whose audio waits, is told in
            // seconds that nothing answers there, as `transcribe` is (it took minutes to end).
            if !audioCanWait { config.reconnect.maxAttemptsBeforeFirstContact = Int.max }
        }
        config.audioCanWait = audioCanWait
        let url: URL
        do {
            url = try config.listenURL(for: LiveOptions())
        } catch {
            throw CapttyError.failed(error.description)
        }
        if let w = plaintextWarning(url, sendsKey: credential != .anonymous) {
            logger.warning("\(w)")
            Files.writeAll(2, "captty: \(w)\n".utf8)
        }
        return DeepgramEngine(credential: credential, configuration: config)
    }

    /// A warning when the API key would cross a network unencrypted: `ws://` to a host that is
    /// not this machine. (Self-hosted servers often speak plain `ws://` on a LAN, so it is a
    /// warning, not a refusal.)
    public static func plaintextWarning(_ url: URL, sendsKey: Bool = true) -> String? {
        guard url.scheme == "ws", let host = url.host?.trimming({ $0 == "[" || $0 == "]" }) else { return nil }
        let loopback = host == "localhost" || host == "::1" || host.split(separator: ".").first == "127"
            && host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { Int($0) != nil }
        guard !loopback else { return nil }
        return "warning: \(host) is reached over plain ws://, so \(sendsKey ? "the API key and audio cross" : "the audio and captions cross") the network unencrypted; use wss:// (with --ca-file for a private CA) if the network is not trusted"
    }
}
