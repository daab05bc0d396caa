/// The state of the connection to the speech engine, as the status bar shows it.
public enum ConnectionState: Equatable, Sendable {
    case connecting
    case live
    /// Waiting `inSeconds` before reconnect attempt number `attempt` (1-based); `reason` says
    /// why the connection dropped or the last attempt failed ("" when not known).
    case reconnecting(inSeconds: Int, attempt: Int, reason: String = "")
    case paused
    case error(message: String)
    case finished
}
