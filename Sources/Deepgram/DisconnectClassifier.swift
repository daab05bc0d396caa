/// What a live client does after a connection ends or fails to open, per the protocol's table.
public enum DisconnectAction: Sendable, Equatable {
    /// A normal end (close 1000/1001/1005): stop without error.
    case stop
    /// A network fault or server restart (1006, 1011, 1012, 1013, refused, reset, heartbeat
    /// death, HTTP 408/429/5xx): reconnect with backoff.
    case reconnect
    /// No reconnect can help (bad request, credentials, undecodable audio): stop with an error.
    case fatal(LiveError.Kind)

    /// Whether no reconnect can help.
    var isFatal: Bool {
        if case .fatal = self { return true }
        return false
    }
}

/// Classifies close codes and HTTP statuses of failed upgrades. Pure.
public enum DisconnectClassifier {
    /// The action for a close frame's code and reason.
    public static func action(closeCode code: Int, reason: String = "") -> DisconnectAction {
        switch code {
        case 1000, 1001, 1005: return .stop
        case 1008, 4000...4999:
            // The reason says which: Deepgram's DATA-… codes are audio it could not decode; a
            // refused key or permission is the key's fault, not the audio's or the options'.
            if reasonIsAboutTheKey(reason) { return .fatal(.unauthorized) }
            if code == 1008 && (reason.isEmpty || reason.hasPrefix("DATA-")) || reason.hasPrefix("DATA-") { return .fatal(.badAudio) }
            return .fatal(.badRequest)
        case 1002, 1003, 1007, 1009, 1010: return .fatal(.badRequest)
        case 1006, 1011, 1012, 1013, 1014, 1015: return .reconnect
        default: return .reconnect
        }
    }

    /// Whether a close reason is about the credentials (INVALID_AUTH, INSUFFICIENT_PERMISSIONS,
    /// "Unauthorized"…).
    static func reasonIsAboutTheKey(_ reason: String) -> Bool {
        let r = reason.uppercased()
        return ["AUTH", "CREDENTIAL", "PERMISSION", "FORBIDDEN", "API KEY", "API_KEY", "TOKEN"].contains { r.contains($0) }
    }

    /// The action for an HTTP status that refused the WebSocket upgrade.
    public static func action(httpStatus status: Int) -> DisconnectAction {
        switch status {
        case 401, 403: return .fatal(.unauthorized)
        case 408, 425, 429: return .reconnect
        case 400...499: return .fatal(.badRequest)
        case 500...599: return .reconnect
        default: return .fatal(.protocolViolation)
        }
    }

    /// What a 1011 NET-0001 close means.
    static let idleExplanation = "no audio or KeepAlive reached the server for ~10 s"

    /// A short human explanation of a close, for messages (`"1011 NET-0001: …"`).
    public static func explain(closeCode code: Int, reason: String) -> String {
        let known: String
        switch code {
        case 1000: known = "normal close"
        case 1001: known = "server going away"
        case 1002: known = "protocol error"
        case 1003: known = "unsupported data"
        case 1005: known = "closed without a status"
        case 1006: known = "connection lost without a close frame"
        case 1007: known = "invalid frame payload"
        case 1008: known = reason.isEmpty || reason.hasPrefix("DATA-") ? "policy violation (audio could not be decoded?)" : "policy violation"
        case 1009: known = "message too big"
        case 1011:
            if reason.hasPrefix("NET-0001") { known = idleExplanation }
            else if reason.hasPrefix("NET-0000") { known = "the server produced no transcript in its window" }
            else { known = "server error" }
        case 1012: known = "server restarting"
        case 1013: known = "server overloaded, try again later"
        case 4000...4999: known = "request rejected by the server"
        default: known = "close code \(code)"
        }
        return reason.isEmpty ? "\(code) (\(known))" : "\(code) \(reason) (\(known))"
    }

    /// The standard reason phrase of an HTTP status.
    public static func reasonPhrase(httpStatus s: Int) -> String {
        switch s {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 402: return "Payment Required"
        case 405: return "Method Not Allowed"
        case 407: return "Proxy Authentication Required"
        case 408: return "Request Timeout"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 426: return "Upgrade Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "HTTP \(s)"
        }
    }
}
