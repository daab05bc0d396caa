import FoundationEssentials

/// An open WebSocket connection (client or server role): async `send`, an async sequence of
/// messages, heartbeat, a bounded send queue, and the close handshake.
///
/// Each connection runs one dedicated I/O thread (socket + TLS); this actor only encodes
/// outgoing messages and hands them to that thread's bounded queue.
public actor WebSocket {
    nonisolated let core: ConnectionCore

    init(core: ConnectionCore) {
        self.core = core
    }

    deinit {
        // Nobody can send or close any more: start a close handshake (1001 going away) so the
        // I/O thread ends instead of keeping an unused connection alive.
        core.requestClose(code: CloseCode.goingAway, reason: "")
    }

    /// Opens a `ws://` or `wss://` connection: TCP (IPv4/IPv6), TLS, then the HTTP upgrade, all
    /// within `configuration.connectTimeout`. Cancelling the calling task aborts the attempt.
    public static func connect(to url: URL, configuration: WebSocketConfiguration = .init()) async throws -> WebSocket {
        let target = try ClientOpener.Target(url: url)
        let tls = target.secure ? try TLSContext.client(caFile: configuration.caFile) : nil
        let cancel = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<WebSocket, Error>) in
                let started = IOThread.spawn(name: "websocket") {
                    let core: ConnectionCore
                    do {
                        core = try ClientOpener.open(target, tls: tls, configuration: configuration, cancel: cancel)
                    } catch {
                        cont.resume(throwing: cancel.isSet ? CancellationError() : error)
                        return
                    }
                    cont.resume(returning: WebSocket(core: core))
                    core.run()
                }
                if !started {
                    cont.resume(throwing: WebSocketError.connectFailed(host: target.host, port: target.port,
                                                                       reason: "no thread could be started for the connection"))
                }
            }
        } onCancel: {
            cancel.set()
        }
    }

    /// Headers of the 101 response (client role) or of the upgrade request (server role).
    public nonisolated var responseHeaders: HTTPHeaders { core.responseHeaders }

    /// Server role: the headers the application's decision added to the 101 answer (e.g.
    /// `dg-request-id`), to find the connection's decision again. Empty in the client role.
    public nonisolated var answerHeaders: HTTPHeaders { core.answerHeaders }

    /// Incoming messages. Finishes normally as soon as the peer's close frame arrives (then
    /// `closeCode` is set; the TCP teardown may go on until `isClosed`, which `close()` awaits); throws
    /// `WebSocketError.closed(1006, …)` when the connection is lost or the heartbeat declares it
    /// dead, `.protocolViolation` / `.messageTooBig` when the peer broke the protocol.
    /// Single consumer.
    public nonisolated var messages: AsyncThrowingStream<WebSocketMessage, Error> { core.stream }

    /// Sends one message; suspends while the send queue holds `sendQueueLimit` bytes.
    public func send(_ message: WebSocketMessage) async throws {
        try await send(message, fragmentSize: nil)
    }

    /// Sends one message split into frames of at most `fragmentSize` payload bytes (nil: one frame).
    public func send(_ message: WebSocketMessage, fragmentSize: Int?) async throws {
        let frames = core.encoder.encode(message: message, fragmentSize: fragmentSize)
        let size = frames.reduce(0) { $0 + $1.count }
        try await core.enqueue(frames: frames, size: size)
    }

    public func send(text: String) async throws { try await send(.text(text)) }

    public func send(binary: [UInt8]) async throws { try await send(.binary(binary)) }

    /// Sends a ping now (ahead of queued data); the pong only refreshes the heartbeat.
    public func ping() async throws {
        try core.enqueuePing(Array("captty".utf8))
    }

    /// Close handshake: sends a close frame after the queued data, waits (bounded by
    /// `closeTimeout`) for the peer's close frame and TCP close, then closes the socket.
    public func close(code: UInt16 = 1000, reason: String = "") async {
        core.requestClose(code: code, reason: reason)
        await core.waitFinished()
    }

    /// The close code once the peer's close frame arrived or the connection closed: the peer's
    /// (1005 if its close frame had none), the code we failed the connection with
    /// (1002/1007/1009), or 1006 when it was lost. Nil while open.
    public var closeCode: UInt16? { core.closeCode }

    /// The close reason that goes with `closeCode`.
    public var closeReason: String { core.closeReason }

    /// Bytes accepted by `send` but not yet written to the socket.
    public nonisolated var queuedBytes: Int { core.queuedByteCount }

    /// The most bytes the send queue ever held.
    public nonisolated var queuedBytesHighWater: Int { core.queuedByteHighWater }

    /// Received bytes waiting in `messages` for the consumer: payloads plus a fixed 64 per
    /// message (what holding a message costs beyond its payload), the measure
    /// `receiveBufferLimit` bounds.
    public nonisolated var receivedBytesBuffered: Int { core.inbox.bufferedBytes }

    /// The most received bytes (counted as above) ever waiting for the consumer.
    public nonisolated var receivedBytesHighWater: Int { core.inbox.bufferedBytesHighWater }

    /// Whether the connection has finished (socket closed).
    public nonisolated var isClosed: Bool { core.isFinished }
}
