import Testing
@testable import WebSocket

/// The opening handshake as pure functions: request building, response and request parsing.
@Suite struct HandshakeParsingTests {
    @Test("Sec-WebSocket-Accept of the RFC 6455 example key (SHA-1 via libcrypto)")
    func acceptKey() {
        #expect(AcceptKey.accept(for: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        let k = AcceptKey.randomKey()
        #expect(Base64.decodedLength(k) == 16)
        #expect(k != AcceptKey.randomKey())
    }

    @Test("request carries Host (with port and IPv6 brackets), key, version and extra headers")
    func request() throws {
        let r = String(decoding: try Handshake.request(host: "::1", port: 8080, defaultPort: 80, target: "/v1/listen?model=nova-3",
                                                       key: "k", extraHeaders: [("Authorization", "Token x")]), as: UTF8.self)
        #expect(r.hasPrefix("GET /v1/listen?model=nova-3 HTTP/1.1\r\nHost: [::1]:8080\r\n"))
        #expect(r.contains("Sec-WebSocket-Key: k\r\n") && r.contains("Sec-WebSocket-Version: 13\r\n"))
        #expect(r.contains("Authorization: Token x\r\n") && r.hasSuffix("\r\n\r\n"))
        #expect(throws: WebSocketError.self) {
            try Handshake.request(host: "h", port: 80, defaultPort: 80, target: "/", key: "k", extraHeaders: [("X", "a\r\nEvil: 1")])
        }
    }

    @Test("response head: status, case-insensitive headers, leftover bytes, incomplete and oversized heads")
    func responseHead() throws {
        let raw = Array("HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: abc\r\nDG-Request-Id: r1\r\n\r\n\u{81}\u{00}".utf8)
        guard case .complete(let head, let consumed) = try HTTPHead.parse(raw) else { Issue.record("incomplete"); return }
        #expect(try head.responseStatus().code == 101)
        #expect(head.headers["dg-request-id"] == "r1")
        #expect(raw.count - consumed == 3)  // the frame bytes after the head (0x81 is 2 UTF-8 bytes here)
        #expect(throws: Never.self) { try Handshake.validateSwitching(head.headers, expectedAccept: "abc") }
        #expect(throws: WebSocketError.self) { try Handshake.validateSwitching(head.headers, expectedAccept: "xyz") }
        guard case .incomplete = try HTTPHead.parse(Array("HTTP/1.1 101 OK\r\nUpg".utf8)) else { Issue.record("complete?"); return }
        #expect(throws: HTTPHead.ParseError.self) { try HTTPHead.parse([UInt8](repeating: 0x41, count: 20000), maxHeadSize: 16384) }
    }

    /// Deepgram's browser form of authentication offers `Sec-WebSocket-Protocol: token, KEY`
    /// and the server selects `token`: that was refused as "not offered" (found in QA). A
    /// selection not offered, or more than one, is still refused, and the key is never shown.
    @Test("a subprotocol the request offered may be selected")
    func offeredSubprotocol() throws {
        func head(_ proto: [String]) throws -> HTTPHeaders {
            let lines = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: abc"]
                + proto.map { "Sec-WebSocket-Protocol: \($0)" }
            guard case .complete(let h, _) = try HTTPHead.parse(Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)) else {
                throw WebSocketError.handshakeInvalid("incomplete")
            }
            return h.headers
        }
        let offered = Handshake.offeredProtocols([("Authorization", "x"), ("Sec-WebSocket-Protocol", "token, secret-key")])
        #expect(offered == ["token", "secret-key"])
        #expect(throws: Never.self) { try Handshake.validateSwitching(try head(["token"]), expectedAccept: "abc", offered: offered) }
        #expect(throws: WebSocketError.self) { try Handshake.validateSwitching(try head(["token"]), expectedAccept: "abc") }
        #expect(throws: WebSocketError.self) { try Handshake.validateSwitching(try head(["chat"]), expectedAccept: "abc", offered: offered) }
        do {
            try Handshake.validateSwitching(try head(["token", "secret-key"]), expectedAccept: "abc", offered: offered)
            Issue.record("two selections accepted")
        } catch {
            #expect(!"\(error)".contains("secret-key"), "\(error)")
        }
    }

    @Test("upgrade request: accepted with path and decoded query, refused with the right status")
    func serverRequest() throws {
        func parse(_ s: String) throws -> HTTPHead {
            guard case .complete(let h, _) = try HTTPHead.parse(Array(s.utf8)) else { throw PeerError("incomplete") }
            return h
        }
        let ok = try Handshake.parseRequest(parse("GET /v1/listen?model=nova-3&keyterm=a%20b&keyterm=c HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Token t\r\n\r\n"))
        #expect(ok.path == "/v1/listen")
        #expect(ok.queryItems.map(\.1) == ["nova-3", "a b", "c"])
        #expect(ok.headers["authorization"] == "Token t")
        let cases: [(String, Int)] = [
            ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", 405),
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", 426),
            ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", 426),
            ("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n", 400),
        ]
        for (req, status) in cases {
            let head = try parse(req)
            do { _ = try Handshake.parseRequest(head); Issue.record("accepted \(req)") } catch { #expect(error.status == status) }
        }
        // With the paths served named, another path is 404 first, whatever the method.
        let paths: Set<String> = ["/v1/listen"]
        for (req, _) in cases {
            let head = try parse(req)
            do { _ = try Handshake.parseRequest(head, paths: paths); Issue.record("accepted \(req)") } catch { #expect(error.status == 404) }
        }
        let post = try parse("POST /v1/listen HTTP/1.1\r\nHost: x\r\n\r\n")
        do { _ = try Handshake.parseRequest(post, paths: paths); Issue.record("accepted a POST") } catch { #expect(error.status == 405) }
        // The absolute form of the target (RFC 9112 3.2.2) is its path and query.
        let upgrade = "Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        let absolute = try Handshake.parseRequest(parse("GET HTTP://127.0.0.1:8080/v1/listen?model=a HTTP/1.1\r\n" + upgrade), paths: paths)
        #expect(absolute.path == "/v1/listen" && absolute.queryItems.map(\.1) == ["a"] && absolute.target == "/v1/listen?model=a")
        #expect(Handshake.originForm("ws://h?x=1") == "/?x=1" && Handshake.originForm("https://h") == "/" && Handshake.originForm("/a") == "/a")
    }

    @Test("rejection response carries status, headers and a Content-Length body")
    func rejection() throws {
        let r = Handshake.rejectionResponse(status: 400, headers: [("dg-error", "Invalid query string.")], body: "{\"err_code\":\"Bad Request\"}")
        guard case .complete(let head, let consumed) = try HTTPHead.parse(r) else { Issue.record("incomplete"); return }
        #expect(try head.responseStatus().code == 400)
        #expect(head.headers["dg-error"] == "Invalid query string.")
        #expect(Handshake.bodyLength(head.headers) == r.count - consumed)
    }

    @Test("header descriptions redact credentials")
    func redaction() {
        let h = HTTPHeaders([("Authorization", "Token secret-123"), ("dg-request-id", "r1")])
        #expect(!"\(h)".contains("secret-123") && "\(h)".contains("r1"))
        #expect(h["authorization"] == "Token secret-123")
        // A browser's key travels as subprotocols.
        let browser = HTTPHeaders([("Sec-WebSocket-Protocol", "token, secret-456")])
        #expect(!"\(browser)".contains("secret-456"))
    }

    @Test("chunked error bodies are decoded, also when truncated")
    func chunked() {
        #expect(Handshake.dechunk(Array("7\r\n{\"err\":\r\n3;x=1\r\n1}\n\r\n0\r\n\r\n".utf8)) == Array("{\"err\":1}\n".utf8))
        #expect(Handshake.dechunk(Array("a\r\nabc".utf8)) == Array("abc".utf8))
        #expect(Handshake.dechunk(Array("zz\r\nabc".utf8)) == [])
    }

    @Test("URL targets: scheme, default ports, IPv6, path and query; bad URLs are typed errors")
    func urls() throws {
        let t = try ClientOpener.Target(url: URL(string: "wss://api.deepgram.com/v1/listen?model=nova-3")!)
        #expect(t.secure && t.port == 443 && t.host == "api.deepgram.com" && t.requestTarget == "/v1/listen?model=nova-3")
        let v6 = try ClientOpener.Target(url: URL(string: "ws://[::1]:8080")!)
        #expect(!v6.secure && v6.port == 8080 && v6.host == "::1" && v6.requestTarget == "/")
        #expect(throws: WebSocketError.self) { try ClientOpener.Target(url: URL(string: "http://x/")!) }
    }
}

import Foundation
