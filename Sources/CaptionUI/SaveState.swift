/// Whether the transcript is being saved, where, and whether saving fails.
public enum SaveState: Equatable, Sendable {
    /// Nothing is written (for example `--no-journal`).
    case notSaving
    /// Lines are appended to the journal at this path.
    case journaling(path: String)
    /// An export was just written.
    case exported(path: String)
    /// Writing fails; lines stay in memory. The message says why.
    case failing(message: String)
}
