/// Why the offline engine cannot start or run. Each message says what to do.
public enum LocalEngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No speech model was found in any of the searched places.
    case noModels(searched: [String])
    /// A model was found but could not be loaded.
    case modelLoadFailed(engine: String, path: String, detail: String)
    /// The audio is not what the recognizer accepts (16 kHz mono linear16).
    case unsupportedFormat(String)
    /// An audio file could not be read.
    case unreadableAudio(path: String, detail: String)
    /// The server's API key file cannot be used.
    case apiKeyFile(path: String, detail: String)
    /// The engine failed while decoding.
    case decodeFailed(engine: String, detail: String)

    public var description: String {
        switch self {
        case .noModels(let searched):
            return "no offline speech model found (looked in: \(searched.joined(separator: ", "))); "
                + "run scripts/setup (or scripts/install-local-engine), or set CAPTTY_MODEL_DIR, or set DEEPGRAM_API_KEY to use Deepgram"
        case .modelLoadFailed(let engine, let path, let detail):
            return "could not load the \(engine) model in \(path): \(detail); re-run scripts/install-local-engine"
        case .unsupportedFormat(let s):
            return "the offline recognizer takes 16 kHz mono linear16 audio, got \(s); convert it first"
        case .unreadableAudio(let path, let detail):
            return "cannot read audio file \(path): \(detail)"
        case .apiKeyFile(let path, let detail):
            return "cannot use the API key file \(path): \(detail); put the key alone on one line"
        case .decodeFailed(let engine, let detail):
            return "\(engine) failed while decoding: \(detail)"
        }
    }
}
