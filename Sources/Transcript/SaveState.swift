/// Whether the transcript is reaching disk, for the UI to show.
public enum SaveState: Sendable, Equatable {
    /// Nothing written yet.
    case starting(path: String)
    /// Every committed line is written to `path`.
    case saved(path: String)
    /// Writing to `path` fails (`message` says why and what to do); the transcript is kept in
    /// memory and, when `retrying`, saving is retried until it succeeds.
    case failing(path: String, message: String, retrying: Bool)
    /// The journal was flushed and closed.
    case closed(path: String)

    public var path: String {
        switch self {
        case .starting(let p), .saved(let p), .failing(let p, _, _), .closed(let p): return p
        }
    }

    public var isFailing: Bool { if case .failing = self { return true } else { return false } }
}
