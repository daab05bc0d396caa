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

    /// How a close before the HTTP upgrade with nothing sent back begins (often a TLS server
    /// given plain WebSocket).
    static let closedBeforeUpgrade = "the peer closed the connection before the HTTP upgrade"
    /// How a close in the middle of the TLS handshake ends (often a plain server given wss://).
    static let closedInTLSHandshake = "closed during the TLS handshake, before the server answered (is it a TLS port? try ws:// "
        + "for plain WebSocket; or the server takes only TLS versions older than 1.2, which captty refuses)"

    /// Nothing at the address ever answered: no TCP connection within the connect timeout, a
    /// connection on which nothing came back before the deadline, or one the peer closed
    /// without a word of HTTP (ws:// to a TLS port, wss:// to a plain one: ten tries and a
    /// minute were spent on a mistake the message already named; found in QA).
    public var isUnanswered: Bool {
        switch self {
        case .timeout(let what): return what.hasPrefix("no TCP connection") || what.hasSuffix(Self.sentNothing)
        case .closedDuringHandshake(let what): return what.hasPrefix(Self.closedBeforeUpgrade) || what.hasSuffix(Self.closedInTLSHandshake)
        default: return false
        }
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
            return "cannot connect to \(HostPort.text(host, port)): \(reason)"
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

/// A host and port as written in a URL and in messages: an IPv6 address in brackets
/// (`[::1]:8080`; "::1:8080" does not say where the port starts).
public enum HostPort {
    public static func text(_ host: String, _ port: Int) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
