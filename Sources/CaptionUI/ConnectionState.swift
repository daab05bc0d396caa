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
