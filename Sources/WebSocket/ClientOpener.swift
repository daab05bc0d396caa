import FoundationEssentials
import SystemSupport

/// Opening a client connection on its I/O thread: connect, TLS, upgrade request, response check.
enum ClientOpener {
    /// Where to connect, parsed from a ws/wss URL.
    struct Target: Sendable {
        var secure: Bool
        var host: String
        var port: Int
        var requestTarget: String

        init(url: URL) throws(WebSocketError) {
            guard let c = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
                throw .invalidURL("'\(Target.redact(url))' cannot be parsed")
            }
            switch c.scheme?.lowercased() {
            case "ws": secure = false
            case "wss": secure = true
            default:
                throw .invalidURL("'\(Target.redact(url))': the scheme must be ws:// or wss:// (got \(c.scheme.map { "\($0)://" } ?? "none"))")
            }
            // `encodedHost`, not `host`: the `host` getter runs ICU's IDNA (UTS #46) set-up even for
            // an ASCII host, which costs megabytes of resident memory (issue #8). The ASCII form is
            // also what getaddrinfo and SNI need; only percent-escapes are decoded.
            guard var h = c.encodedHost.map({ $0.contains("%") ? ($0.percentDecoded ?? $0) : $0 }), !h.isEmpty else { throw .invalidURL("'\(Target.redact(url))' has no host") }
            if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
            host = h
            if let p = c.port {
                guard (1...65535).contains(p) else { throw .invalidURL("'\(Target.redact(url))': port \(p) is out of range") }
                port = p
            } else {
                port = secure ? 443 : 80
            }
            var path = c.percentEncodedPath
            if path.isEmpty { path = "/" }
            if let q = c.percentEncodedQuery { path += "?" + q }
            requestTarget = path
        }

        /// The URL for messages, without user info or query (a query may hold secrets).
        static func redact(_ url: URL) -> String {
            guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<unparseable URL>" }
            c.user = nil
            c.password = nil
            // "…" set as the query came out percent-encoded ("?%E2%80%A6"; found in QA).
            let hadQuery = c.query != nil
            c.query = nil
            return c.string.map { hadQuery ? $0 + "?…" : $0 } ?? "<unparseable URL>"
        }
    }

    static func open(_ target: Target, tls: TLSContext?, configuration: WebSocketConfiguration, cancel: CancelFlag) throws(WebSocketError) -> ConnectionCore {
        let host = target.host, port = target.port
        let deadline = Monotonic.now() + configuration.connectTimeout.nanoseconds
        let fd = try TCPSocket.connect(host: host, port: port, deadline: deadline, cancel: cancel)
        let transport = Transport(fd: fd)
        do throws(WebSocketError) {
            if let tls {
                transport.attach(ssl: try TLS.connect(fd: fd, context: tls, host: host, port: port, deadline: deadline, cancel: cancel))
            }
            let key = AcceptKey.randomKey()
            let request = try Handshake.request(host: host, port: port, defaultPort: target.secure ? 443 : 80,
                                                target: target.requestTarget, key: key, extraHeaders: configuration.handshakeHeaders)
            try transport.writeAll(request, deadline: deadline, cancel: cancel, what: "sending the upgrade request to \(HostPort.text(host, port))")
            // Over TLS the server has answered already (its handshake): a silent HTTP side is not
            // "nothing came back".
            var (head, rest) = try readHead(transport, max: configuration.maxHandshakeHeaderSize, deadline: deadline, cancel: cancel,
                                            what: "waiting for the upgrade response from \(HostPort.text(host, port))", heardFromPeer: tls != nil,
                                            aResponse: true)
            var status: (code: Int, reason: String)
            do { status = try head.responseStatus() } catch { throw WebSocketError.handshakeInvalid(error.message) }
            // Interim answers (100 Continue, 102, 103 Early Hints) come before the real one
            // (RFC 9110 §15.2); a proxy may send them. They are skipped (a few at most).
            var interim = 0
            while (100...199).contains(status.code), status.code != 101, interim < 8 {
                interim += 1
                (head, rest) = try readHead(transport, max: configuration.maxHandshakeHeaderSize, deadline: deadline, cancel: cancel,
                                            what: "waiting for the upgrade response from \(HostPort.text(host, port)) after HTTP \(status.code)",
                                            startingWith: rest, aResponse: true)
                do { status = try head.responseStatus() } catch { throw WebSocketError.handshakeInvalid(error.message) }
            }
            guard status.code == 101 else {
                let body = readBody(transport, headers: head.headers, already: rest,
                                    deadline: min(deadline, Monotonic.now() + 5_000_000_000), cancel: cancel)
                transport.close(clean: false)
                throw WebSocketError.handshakeRejected(status: status.code, headers: head.headers, body: body)
            }
            try Handshake.validateSwitching(head.headers, expectedAccept: AcceptKey.accept(for: key),
                                            offered: Handshake.offeredProtocols(configuration.handshakeHeaders))
            return try ConnectionCore(role: .client, transport: transport, config: configuration, headers: head.headers, leftover: rest)
        } catch {
            transport.close(clean: false)
            if case .connectFailed(let h, _, let reason) = error, h.isEmpty {
                throw .connectFailed(host: host, port: port, reason: reason)
            }
            throw error
        }
    }

    /// Reads until a complete HTTP head; returns it and the bytes after it.
    /// A timeout with nothing read says so (`sayingNothingCameBack`) unless `heardFromPeer`: the
    /// peer answered earlier on the connection (a TLS handshake). `aResponse`: the head is a
    /// server's answer, which must begin `HTTP/` (`notHTTP`); the server side reads requests.
    static func readHead(_ transport: Transport, max: Int, deadline: Int64, cancel: CancelFlag?, what: String,
                         startingWith already: [UInt8] = [], heardFromPeer: Bool = false,
                         aResponse: Bool = false) throws(WebSocketError) -> (HTTPHead, [UInt8]) {
        var buf = already
        var readFirst = already.isEmpty
        while true {
            if readFirst {
                let chunk: [UInt8]
                do throws(WebSocketError) {
                    chunk = try transport.readChunk(deadline: deadline, cancel: cancel, what: what)
                } catch {
                    throw buf.isEmpty && !heardFromPeer ? error.sayingNothingCameBack() : error
                }
                let n = chunk.count
                if n == 0 {
                    throw .closedDuringHandshake(buf.isEmpty ? "\(WebSocketError.closedBeforeUpgrade) (\(what)); if the server speaks TLS, use wss://"
                                                             : "the peer closed the connection inside the HTTP head (\(what))")
                }
                buf.append(contentsOf: chunk[0..<n])
                if aResponse, let why = notHTTP(buf) { throw .handshakeInvalid(why) }
            }
            readFirst = true
            do {
                switch try HTTPHead.parse(buf, maxHeadSize: max) {
                case .incomplete: continue
                case .complete(let head, let consumed): return (head, Array(buf[consumed...]))
                }
            } catch {
                throw .handshakeInvalid("malformed HTTP head: \(error.message)")
            }
        }
    }

    /// Why an answer cannot be an HTTP/1.1 head, from its first bytes (nil while it may be):
    /// a TLS record (a wss:// server on a ws:// URL), an HTTP/2 frame, or other bytes. Each was
    /// retried for a minute as "closed inside the HTTP head" once the server hung up.
    static func notHTTP(_ bytes: [UInt8]) -> String? {
        let http = Array("HTTP/".utf8)
        let buf = Array(bytes.drop { $0 == 0x0D || $0 == 0x0A })   // (blank lines first are let pass)
        guard !buf.isEmpty, !buf.elementsEqual(http.prefix(buf.count)), !buf.starts(with: http) else { return nil }
        if buf.count >= 2, buf[0] >= 0x14, buf[0] <= 0x17, buf[1] == 0x03 {
            return "the server answered with TLS, not plain HTTP: it expects an encrypted connection — use wss:// instead of ws://"
        }
        if buf.count >= 4, buf[0] == 0, buf[3] == 0x04 || buf[3] == 0x07 {
            return "the server answered in HTTP/2 (WebSocket upgrades here need HTTP/1.1): check the base URL and port, "
                + "or the proxy in front of the server"
        }
        let shown = buf.prefix(8).map { b in b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16) }.joined()
        return "the server's answer is not HTTP (it began with \"\(shown)\"): check the base URL and port"
    }

    /// The body of a rejected upgrade: Content-Length bytes (bounded), else until close; never throws.
    static func readBody(_ transport: Transport, headers: HTTPHeaders, already: [UInt8], deadline: Int64, cancel: CancelFlag?) -> String {
        let chunked = Handshake.isChunked(headers)
        let want = chunked ? Handshake.maxErrorBody : (Handshake.bodyLength(headers) ?? Handshake.maxErrorBody)
        var body = Array(already.prefix(want))
        let lastChunk = Array("0\r\n\r\n".utf8)
        while body.count < want {
            if chunked, body.count >= 5, Array(body.suffix(5)) == lastChunk { break }
            let chunk: [UInt8]
            do {
                chunk = try transport.readChunk(deadline: deadline, cancel: cancel, what: "reading the error body")
            } catch { break }
            let n = chunk.count
            if n == 0 { break }
            body.append(contentsOf: chunk[0..<min(n, want - body.count)])
        }
        if chunked { body = Handshake.dechunk(body) }
        var text = String(decoding: body.prefix(want), as: UTF8.self)
        if text.count > 1024 { text = String(text.prefix(1024)) + "…" }
        return text.trimmingWhitespace()
    }
}
