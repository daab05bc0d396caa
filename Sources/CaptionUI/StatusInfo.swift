/// The state of the connection to the speech engine, as the status bar shows it.
public enum ConnectionState: Equatable, Sendable {
    case connecting
    case live
    /// Waiting `inSeconds` before reconnect attempt number `attempt` (1-based).
    case reconnecting(inSeconds: Int, attempt: Int)
    case paused
    case error(message: String)
    case finished
}

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

/// An engine option shown as on or off in the status bar (e.g. "punct").
public struct StatusFlag: Equatable, Sendable {
    public var label: String
    public var isOn: Bool
    public init(_ label: String, isOn: Bool) {
        self.label = label
        self.isOn = isOn
    }
}

/// Everything the status bar shows.
public struct StatusInfo: Equatable, Sendable {
    /// The engine's name, e.g. "Deepgram" or "offline".
    public var engine: String
    public var model: String
    public var language: String
    public var connection: ConnectionState
    /// How far the final transcript trails the audio, in milliseconds; nil if unknown.
    public var lagMilliseconds: Int?
    /// Seconds since the session started.
    public var elapsedSeconds: Double
    public var save: SaveState
    /// Engine options to show (lowest priority when space is short).
    public var flags: [StatusFlag]

    public init(engine: String = "", model: String = "", language: String = "",
                connection: ConnectionState = .connecting, lagMilliseconds: Int? = nil,
                elapsedSeconds: Double = 0, save: SaveState = .notSaving, flags: [StatusFlag] = []) {
        self.engine = engine
        self.model = model
        self.language = language
        self.connection = connection
        self.lagMilliseconds = lagMilliseconds
        self.elapsedSeconds = elapsedSeconds
        self.save = save
        self.flags = flags
    }
}
