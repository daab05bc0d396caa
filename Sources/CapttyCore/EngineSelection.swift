import FoundationEssentials
import SystemSupport

/// Which speech engine the user asked for.
public enum EngineChoice: String, CaseIterable, Sendable, Codable {
    /// Deepgram when an API key is present, else the offline engine.
    case auto
    /// Deepgram's live API (cloud or self-hosted at `--url`).
    case deepgram
    /// The built-in offline engine.
    case local
}

/// The engine captty will actually run, after `auto` is resolved.
public enum ResolvedEngine: String, Sendable, Equatable {
    case deepgram
    case local
}

/// Where the Deepgram API key comes from. It never comes from argv or a URL.
public enum APIKeySource: Sendable, Equatable, CustomStringConvertible {
    case environment
    case file(String)
    case none

    public var description: String {
        switch self {
        case .environment: return "DEEPGRAM_API_KEY"
        case .file(let p): return "key file \(p)"
        case .none: return "no key"
        }
    }
}

/// Engine-related settings shared by the live, transcribe and serve commands.
public struct EngineSettings: Sendable, Equatable {
    public var choice: EngineChoice
    /// `--url`, else `DEEPGRAM_URL`, else `wss://api.deepgram.com`.
    public var baseURL: String
    public var apiKeyFile: String?
    public var caFile: String?
    /// Whether the base URL was given outright (`--url`): `auto` then means Deepgram, even its
    /// cloud without a key (which is then an error, not a quiet switch to the offline engine).
    public var urlGiven: Bool

    public init(choice: EngineChoice = .auto, baseURL: String? = nil, apiKeyFile: String? = nil, caFile: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.choice = choice
        let envURL = environment["DEEPGRAM_URL"].flatMap { $0.trimmingWhitespace().isEmpty ? nil : $0 }
        self.baseURL = baseURL ?? envURL ?? "wss://api.deepgram.com"
        self.urlGiven = baseURL != nil
        self.apiKeyFile = apiKeyFile
        self.caFile = caFile
    }

    /// Where a key would come from: the key file when given, else a non-empty `DEEPGRAM_API_KEY`.
    public func keySource(environment: [String: String] = ProcessInfo.processInfo.environment) -> APIKeySource {
        if let apiKeyFile { return .file(apiKeyFile) }
        if let t = environment["DEEPGRAM_ACCESS_TOKEN"], !t.trimmingWhitespace().isEmpty { return .environment }
        if let k = environment["DEEPGRAM_API_KEY"], !k.trimmingWhitespace().isEmpty { return .environment }
        return .none
    }

    /// Whether the base URL names Deepgram's cloud (`deepgram.com` or a subdomain), rather than
    /// a self-hosted server (which authorizes at the container: requests need no key).
    public var isDeepgramCloud: Bool {
        let afterScheme = baseURL.firstRange(of: "://").map { baseURL[$0.upperBound...] } ?? Substring(baseURL)
        let host = afterScheme.prefix { $0 != "/" && $0 != ":" && $0 != "?" }.lowercased()
        return host == "deepgram.com" || host.hasSuffix(".deepgram.com")
    }

    /// Resolves `auto`: Deepgram when a key is present, the URL was given with `--url`, or the
    /// base URL names a self-hosted server (`DEEPGRAM_URL` or the config's `url`), else the
    /// local engine.
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> ResolvedEngine {
        switch choice {
        case .deepgram: return .deepgram
        case .local: return .local
        case .auto: return keySource(environment: environment) == .none && isDeepgramCloud && !urlGiven ? .local : .deepgram
        }
    }
}
