/// A client's HTTP upgrade request as the server role sees it, before deciding to accept it.
public struct WebSocketUpgradeRequest: Sendable {
    public var method: String
    /// The request target as sent, e.g. `/v1/listen?model=nova-3`.
    public var target: String
    /// The path part of the target, percent-encoding kept.
    public var path: String
    /// The raw query (after `?`), nil when absent.
    public var query: String?
    public var headers: HTTPHeaders
    /// The client's `Sec-WebSocket-Key`.
    public var key: String

    /// The query as percent-decoded (name, value) pairs in order; `+` decodes to a space.
    public var queryItems: [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.percentDecode(kv[0]), kv.count > 1 ? Self.percentDecode(kv[1]) : "")
        }
    }

    static func percentDecode<S: StringProtocol>(_ s: S) -> String {
        var out: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == 0x25, i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(c == 0x2B ? 0x20 : c); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}

/// The application's answer to an upgrade request.
public enum WebSocketUpgradeDecision: Sendable {
    /// Switch protocols (101), adding these response headers (e.g. `dg-request-id`).
    case accept(headers: [(String, String)] = [])
    /// Answer with a plain HTTP response and close, e.g. 400 with a `dg-error` header and a JSON body.
    case reject(status: Int, headers: [(String, String)] = [], body: String = "")
}
