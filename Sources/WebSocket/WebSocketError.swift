/// Everything that can go wrong opening or using a WebSocket; each case says what and why.
public enum WebSocketError: Error, Sendable, CustomStringConvertible {
    case invalidURL(String)
    case connectFailed(host: String, port: Int, reason: String)
    case timeout(String)
    case tls(String)
    /// The server answered the upgrade with a non-101 status; `body` is truncated.
    case handshakeRejected(status: Int, headers: HTTPHeaders, body: String)
    case handshakeInvalid(String)
    /// The peer closed the connection before the opening handshake (TLS or HTTP upgrade) was
    /// complete: a server restarting or overloaded, a proxy dropping it. Worth another try.
    case closedDuringHandshake(String)
    /// The connection is closed: after the close handshake, or 1006 when it was lost.
    case closed(code: UInt16, reason: String)
    /// The peer broke RFC 6455; the connection was failed with `code` (1002, 1007, 1009).
    case protocolViolation(code: UInt16, reason: String)
    /// A message larger than the configured limit (bytes seen so far).
    case messageTooBig(Int)

    /// Said after a timeout when the server accepted the TCP connection and then sent nothing
    /// at all (no TLS answer, no HTTP answer): the wrong port, or something that swallows
    /// connections.
    public static let sentNothing = "the server accepted the connection but sent nothing back"

    /// Nothing at the address ever answered: no TCP connection within the connect timeout, or a
    /// connection on which nothing came back before the deadline.
    public var isUnanswered: Bool {
        guard case .timeout(let what) = self else { return false }
        return what.hasPrefix("no TCP connection") || what.hasSuffix(Self.sentNothing)
    }

    /// This timeout said as one where nothing came back.
    func sayingNothingCameBack() -> WebSocketError {
        guard case .timeout(let what) = self, !what.hasSuffix("cancelled") else { return self }
        return .timeout("\(what): \(Self.sentNothing)")
    }

    public var description: String {
        switch self {
        case .invalidURL(let s): return "invalid WebSocket URL: \(s)"
        case .connectFailed(let host, let port, let reason):
            return "cannot connect to \(host.contains(":") ? "[\(host)]" : host):\(port): \(reason)"
        case .timeout(let s): return "timed out: \(s)"
        case .tls(let s): return "TLS: \(s)"
        case .handshakeRejected(let status, let headers, let body):
            var s = "server rejected the WebSocket upgrade with HTTP \(status)"
            if let e = headers["dg-error"] { s += ": \(e)" }
            if let id = headers["dg-request-id"] { s += " (request id \(id))" }
            if !body.isEmpty { s += " — \(body)" }
            return s
        case .handshakeInvalid(let s): return "invalid WebSocket handshake: \(s)"
        case .closedDuringHandshake(let s): return "connection closed during the handshake: \(s)"
        case .closed(let code, let reason):
            return "WebSocket closed (\(code)\(reason.isEmpty ? "" : ": \(reason)"))"
        case .protocolViolation(let code, let reason): return "WebSocket protocol violation (\(code)): \(reason)"
        case .messageTooBig(let n): return "WebSocket message too big (\(n) bytes)"
        }
    }
}
