/// The opening handshake of RFC 6455 §4 as pure functions over bytes and heads.
enum Handshake {
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
    /// Upper bound of a body kept from a rejected upgrade.
    static let maxErrorBody = 4096

    /// The client's upgrade request. Header names and values may not contain CR, LF or NUL.
    static func request(host: String, port: Int, defaultPort: Int, target: String, key: String,
                        extraHeaders: [(String, String)]) throws(WebSocketError) -> [UInt8] {
        let hostField = (host.contains(":") ? "[\(host)]" : host) + (port == defaultPort ? "" : ":\(port)")
        var lines = [
            "GET \(target) HTTP/1.1",
            "Host: \(hostField)",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: \(key)",
            "Sec-WebSocket-Version: 13",
        ]
        let reserved: Set<String> = ["host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version"]
        for (name, value) in extraHeaders {
            guard !name.isEmpty, name.allSatisfy(HTTPHead.isTokenChar) else {
                throw .handshakeInvalid("invalid request header name '\(name)'")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .handshakeInvalid("request header '\(name)' has a line break in its value")
            }
            if reserved.contains(name.lowercased()) {
                throw .handshakeInvalid("request header '\(name)' is set by the WebSocket client itself")
            }
            lines.append("\(name): \(value)")
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// Checks a 101 response; throws `handshakeInvalid` saying which rule failed.
    /// `offered`: the subprotocols the request's own `Sec-WebSocket-Protocol` header listed
    /// (Deepgram's browser form of authentication is `token, KEY`): the server may select one.
    static func validateSwitching(_ headers: HTTPHeaders, expectedAccept: String, offered: [String] = []) throws(WebSocketError) {
        guard headers["Upgrade"]?.lowercased() == "websocket" else {
            throw .handshakeInvalid("101 response without 'Upgrade: websocket'")
        }
        guard headers.contains("Connection", token: "upgrade") else {
            throw .handshakeInvalid("101 response without 'Connection: Upgrade'")
        }
        let accepts = headers.values("Sec-WebSocket-Accept")
        guard let accept = accepts.first else {
            throw .handshakeInvalid("101 response without Sec-WebSocket-Accept")
        }
        guard accepts.count == 1 else {
            throw .handshakeInvalid("101 response with \(accepts.count) Sec-WebSocket-Accept fields (exactly one is allowed)")
        }
        guard accept == expectedAccept else {
            throw .handshakeInvalid("Sec-WebSocket-Accept '\(accept.prefix(64))' does not match the key sent (expected \(expectedAccept))")
        }
        // Every field counts, not only the first: an empty one followed by a real selection
        // would otherwise slip through, and the server's compressed frames fail the connection.
        if let ext = headers.values("Sec-WebSocket-Extensions").first(where: { !$0.isEmpty }) {
            throw .handshakeInvalid("server selected extension '\(ext.prefix(64))' that was not offered")
        }
        let selected = headers.values("Sec-WebSocket-Protocol").filter { !$0.isEmpty }
        if let proto = selected.first, selected.count > 1 || !offered.contains(proto) {
            // Never the selection itself when it was offered: it may be a key ("token, KEY").
            let shown = offered.contains(proto) ? "more than one of the subprotocols offered" : "subprotocol '\(proto.prefix(64))' that was not offered"
            throw .handshakeInvalid("server selected \(shown)")
        }
    }

    /// The subprotocols a request's extra headers offer (`Sec-WebSocket-Protocol: a, b`).
    static func offeredProtocols(_ extraHeaders: [(String, String)]) -> [String] {
        extraHeaders.filter { $0.0.lowercased() == "sec-websocket-protocol" }
            .flatMap { $0.1.split(separator: ",").map { String($0.trimmingWS()) } }
            .filter { !$0.isEmpty }
    }

    /// How many body bytes to read after a rejected upgrade: Content-Length bounded by `maxErrorBody`;
    /// nil when there is no usable Content-Length (read until close, bounded, instead).
    static func bodyLength(_ headers: HTTPHeaders) -> Int? {
        guard let v = headers["Content-Length"], let n = Int(v[...].trimmingWS()), n >= 0 else { return nil }
        return min(n, maxErrorBody)
    }

    /// Whether the body uses `Transfer-Encoding: chunked`.
    static func isChunked(_ headers: HTTPHeaders) -> Bool {
        headers.contains("Transfer-Encoding", token: "chunked")
    }

    /// Decodes a (possibly truncated) chunked body leniently: as many chunks as are complete,
    /// then whatever of the last one arrived. Extensions after `;` are ignored.
    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let lf = bytes[i...].firstIndex(of: 0x0A) else { break }
            let line = String(decoding: bytes[i..<lf], as: UTF8.self)
            let sizeText = line.split(separator: ";").first.map { $0.trimmingWS(" \t\r") } ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { break }
            if size == 0 { break }
            let start = lf + 1
            // A hostile size (up to Int.max) must not overflow: clamp before adding.
            let end = size >= bytes.count - start ? bytes.count : start + size
            out.append(contentsOf: bytes[start..<end])
            i = end + 2  // CRLF after the chunk
        }
        return out
    }

    /// A rejection the server role sends for an upgrade it cannot accept.
    struct Rejection: Error, Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: String
    }

    /// Validates an upgrade request (server role). With `paths`, a request for any other path
    /// is answered 404 first, whatever its method or headers: a plain GET of `/` or a POST to
    /// `/v1/projects` was told "WebSocket only" or "method not allowed", as if the path existed.
    static func parseRequest(_ head: HTTPHead, paths: Set<String>? = nil) throws(Rejection) -> WebSocketUpgradeRequest {
        var line: (method: String, target: String, version: String)
        do { line = try head.requestLine() } catch { throw Rejection(status: 400, headers: [], body: error.message) }
        line.target = originForm(line.target)
        if let paths {
            let path = line.target.firstIndex(of: "?").map { String(line.target[..<$0]) } ?? line.target
            guard paths.contains(path) else { throw Rejection(status: 404, headers: [], body: "no such path here: \(path.prefix(200))") }
        }
        guard line.method == "GET" else { throw Rejection(status: 405, headers: [("Allow", "GET")], body: "WebSocket upgrade needs GET") }
        guard line.version == "HTTP/1.1" else { throw Rejection(status: 400, headers: [], body: "WebSocket upgrade needs HTTP/1.1") }
        let h = head.headers
        guard h["Host"] != nil else { throw Rejection(status: 400, headers: [], body: "missing Host header") }
        guard h.contains("Upgrade", token: "websocket") else {
            throw Rejection(status: 426, headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")], body: "this endpoint speaks WebSocket only")
        }
        guard h.contains("Connection", token: "upgrade") else { throw Rejection(status: 400, headers: [], body: "missing 'Connection: Upgrade'") }
        guard h["Sec-WebSocket-Version"] == "13" else {
            throw Rejection(status: 426, headers: [("Sec-WebSocket-Version", "13")], body: "unsupported Sec-WebSocket-Version")
        }
        guard let key = h["Sec-WebSocket-Key"], Base64.decodedLength(key) == 16 else {
            throw Rejection(status: 400, headers: [], body: "missing or invalid Sec-WebSocket-Key")
        }
        let target = line.target
        let path: String, query: String?
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q]); query = String(target[target.index(after: q)...])
        } else {
            path = target; query = nil
        }
        return WebSocketUpgradeRequest(method: line.method, target: target, path: path, query: query, headers: h, key: key)
    }

    /// The origin form (`/path?query`) of a request target in absolute form
    /// (`http://host:port/path?query`), which a server must accept (RFC 9112 3.2.2); proxies
    /// and some clients send it. Other targets are returned as they are.
    static func originForm(_ target: String) -> String {
        let lower = target.prefix(8).lowercased()
        for scheme in ["http://", "https://", "ws://", "wss://"] where lower.hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            guard let i = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            return rest[i] == "?" ? "/" + rest[i...] : String(rest[i...])
        }
        return target
    }

    /// The 101 response (server role).
    static func switchingResponse(accept: String, headers: [(String, String)]) -> [UInt8] {
        var lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: \(accept)"]
        for (n, v) in headers where safe(n, v) { lines.append("\(n): \(v)") }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    /// A plain HTTP response that refuses the upgrade, with a Content-Length body; the connection closes after it.
    static func rejectionResponse(status: Int, headers: [(String, String)], body: String) -> [UInt8] {
        let code = (100...599).contains(status) && status != 101 ? status : 500
        var lines = ["HTTP/1.1 \(code) \(reasonPhrase(code))"]
        for (n, v) in headers where safe(n, v) && n.lowercased() != "content-length" { lines.append("\(n): \(v)") }
        let bodyBytes = Array(body.utf8)
        if !headers.contains(where: { $0.0.lowercased() == "content-type" }) && !bodyBytes.isEmpty {
            lines.append(body.first == "{" ? "Content-Type: application/json" : "Content-Type: text/plain; charset=utf-8")
        }
        lines.append("Content-Length: \(bodyBytes.count)")
        lines.append("Connection: close")
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + bodyBytes
    }

    private static func safe(_ n: String, _ v: String) -> Bool {
        !n.isEmpty && n.allSatisfy(HTTPHead.isTokenChar) && !v.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
    }

    static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 413: return "Payload Too Large"
        case 426: return "Upgrade Required"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        default: return "Status \(code)"
        }
    }
}
