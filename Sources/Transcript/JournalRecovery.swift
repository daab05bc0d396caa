/// The journal's path stopped naming the file being written while captions ran (deleted, moved
/// away or replaced by another file), and the journal was written again in full: at the same
/// path, or next to it when another file holds that name.
public struct JournalRecovery: Sendable, Equatable, CustomStringConvertible {
    /// What became of the file the path named.
    public enum Cause: Sendable, Equatable {
        /// The file, or a directory above it, was deleted.
        case deleted
        /// The file was renamed or moved away (that copy keeps the lines written until then).
        case movedAway
        /// Another file now stands at the path; it is left untouched.
        case replaced
        /// The file was emptied or cut short in place (`: > file`, copytruncate): it was
        /// written again, in full, from the session's transcript.
        case emptied
    }

    public var cause: Cause
    /// Where the journal was.
    public var lostPath: String
    /// Where the journal is now: `lostPath` again, or a free name next to it.
    public var path: String
    /// Records (the header not counted) written again into `path`.
    public var lineCount: Int

    public init(cause: Cause, lostPath: String, path: String, lineCount: Int) {
        self.cause = cause; self.lostPath = lostPath; self.path = path; self.lineCount = lineCount
    }

    /// For the user, e.g. "the journal /x/s.jsonl was deleted while captions ran; it was
    /// written again with all 12 lines".
    public var description: String {
        let what = cause.phrase
        let lines = lineCount == 0 ? "(no lines yet)" : lineCount == 1 ? "with its 1 line" : "with all \(lineCount) lines"
        if path == lostPath {
            return "the journal \(lostPath) \(what) while captions ran; it was written again \(lines)"
        }
        let kept = cause == .replaced ? "that file was left alone and " : "another file took that name, so "
        return "the journal \(lostPath) \(what) while captions ran; \(kept)the journal continues in \(path) \(lines)"
    }
}

extension JournalRecovery.Cause {
    /// "was deleted", "was moved away", "was replaced by another file".
    var phrase: String {
        switch self {
        case .deleted: return "was deleted"
        case .movedAway: return "was moved away"
        case .replaced: return "was replaced by another file"
        case .emptied: return "was emptied by another program"
        }
    }
}
