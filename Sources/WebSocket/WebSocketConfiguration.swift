/// Settings of a WebSocket connection (client or server role).
public struct WebSocketConfiguration: Sendable {
    /// Bound on opening: TCP connect + TLS handshake + HTTP upgrade together.
    public var connectTimeout: Duration = .seconds(10)
    /// Send a ping this often; nil = no heartbeat pings.
    public var pingInterval: Duration? = .seconds(5)
    /// No bytes received for this long → the connection is dead (close code 1006).
    public var deadAfter: Duration = .seconds(15)
    public var maxMessageSize: Int = 16 << 20
    public var maxFrameSize: Int = 16 << 20
    /// Bytes buffered before `send()` suspends. A single message larger than this is still
    /// accepted when the queue is empty, so the queue never holds more than max(limit, one message).
    public var sendQueueLimit: Int = 4 << 20
    /// Received bytes waiting for the consumer of `messages` before the connection stops reading
    /// (the peer is then slowed by TCP flow control). At most this plus one message is held.
    /// Each message counts 64 bytes on top of its payload, so a flood of tiny messages is
    /// bounded too.
    public var receiveBufferLimit: Int = 8 << 20
    /// Extra trusted CA certificate(s) (PEM file) for wss, e.g. for a self-hosted server.
    public var caFile: String? = nil
    /// Extra request headers for the upgrade, e.g. `Authorization`.
    public var handshakeHeaders: [(String, String)] = []
    /// How long `close()` (and a failed connection) waits for the peer's close frame / TCP close.
    public var closeTimeout: Duration = .seconds(5)
    /// Largest HTTP head accepted during the upgrade (both roles).
    public var maxHandshakeHeaderSize: Int = 16 * 1024
    /// Server role: connections still in their opening handshake at once (each has a thread for
    /// up to `connectTimeout`). More are answered 503 at once, without a thread, so a flood of
    /// idle or trickling connections cannot exhaust threads or crash the server. When all are
    /// taken, the oldest one still without its request head after 0.5 s is closed to make room,
    /// so stalled connections cannot lock clients out either.
    public var maxPendingUpgrades: Int = 64
    /// Client role: another thread's poll loop that reads the socket while the connection is
    /// simply open (`SerialThreadExecutor.watch`): called with the socket and a handler to call
    /// on that thread whenever the socket is readable, until the handler returns false; returns
    /// a function that stops the watch. A received message then costs that thread's wake-up
    /// only, and tasks on it get the message without a hop from the connection's I/O thread.
    /// Anything out of the ordinary (a close, a failure, a full inbox, a blocked send) hands
    /// reading back to the I/O thread for good. nil: the I/O thread reads.
    public var readLoop: (@Sendable (_ fd: Int32, _ onReadable: @escaping @Sendable () -> Bool) -> @Sendable () -> Void)? = nil

    public init() {}
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (s, atto) = components
        let (ns, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return s < 0 ? .min : .max }
        return ns &+ atto / 1_000_000_000
    }
}
