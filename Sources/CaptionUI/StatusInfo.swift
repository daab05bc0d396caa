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
    /// The audio device is gone while the engine is connected: "live" would claim captions
    /// are coming; the bar says it waits for audio instead.
    public var waitingForAudio = false

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
