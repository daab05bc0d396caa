import Foundation
import Testing
@testable import WebSocket

/// Our client against the Python `websockets` server: echo, fragmentation both ways, pings
/// inside fragmented messages, close codes both ways, IPv6, handshake headers.
@Suite(.timeLimit(.minutes(3))) struct ClientEchoConformanceTests {
    @Test("text and binary echo from 0 bytes to 4 MiB")
    func echoSizes() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(120, "echo") {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            var g = SystemRandomNumberGenerator()
            for size in [0, 1, 125, 126, 127, 65535, 65536, 65537, 1 << 20, 4 << 20] {
                let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &g) }
                #expect(try await ws.echo(.binary(bytes)) == .binary(bytes), "binary \(size)")
                let text = String(repeating: "aé€😀", count: size / 10)
                #expect(try await ws.echo(.text(text)) == .text(text), "text \(text.utf8.count) bytes")
            }
            await ws.close()
            #expect(await ws.closeCode == 1000)
        }
        _ = try await server.line(startingWith: "CLOSED 1000")
    }

    @Test("fragmented messages from the server are reassembled (text and binary)")
    func serverFragments() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            let t = try await ws.echo(.text("cmd:fragments:text:5:1000"))
            let expected = (0..<5).map { String(repeating: String(UnicodeScalar(UInt8(97 + $0))), count: 1000) }.joined()
            #expect(t == .text(expected))
            let b = try await ws.echo(.text("cmd:fragments:binary:4:70000"))
            #expect(b == .binary((0..<4).flatMap { [UInt8](repeating: UInt8($0), count: 70000) }))
            await ws.close()
        }
    }

    @Test("our fragmented messages are received whole by the server, as continuation frames")
    func clientFragments() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            let text = String(repeating: "héllo wörld ", count: 100)
            try await ws.send(.text(text), fragmentSize: 7)  // cuts inside UTF-8 sequences
            #expect(try await ws.nextMessage() == .text(text))
            let bin = (0..<10_000).map { UInt8($0 & 0xFF) }
            try await ws.send(.binary(bin), fragmentSize: 1000)
            #expect(try await ws.nextMessage() == .binary(bin))
            guard case .text(let json) = try await ws.echo(.text("cmd:frames")) else { Issue.record("no frame counts"); return }
            let counts = try JSONDecoder().decode([String: Int].self, from: Data(json.utf8))
            #expect(counts["CONT"] == (text.utf8.count + 6) / 7 - 1 + 9, "\(counts)")
            #expect(counts["TEXT"] == 2 && counts["BINARY"] == 1, "\(counts)")
            await ws.close()
        }
    }

    @Test("pings between the fragments of a message are answered and the message arrives whole")
    func pingsDuringFragments() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            let m = try await ws.echo(.text("cmd:fragments-ping:6:3000"))
            #expect(m == .binary((0..<6).flatMap { [UInt8](repeating: UInt8($0), count: 3000) }))
            // The server's pings were sent while its message was incomplete; we answered each.
            #expect(try await ws.nextMessage() == .text("pongs:6"))
            // Our own ping goes out between queued data; the connection keeps working.
            try await ws.ping()
            #expect(try await ws.echo(.text("still here")) == .text("still here"))
            await ws.close()
        }
    }

    @Test("close code and reason we send reach the server; the server's reach us")
    func closeCodesBothWays() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            await ws.close(code: 4000, reason: "bye from captty ✓")
            #expect(await ws.closeCode == 4000)
            do { try await ws.send(text: "late"); Issue.record("send after close succeeded") } catch let e as WebSocketError {
                guard case .closed = e else { Issue.record("\(e)"); return }
            }
        }
        _ = try await server.line(startingWith: "CLOSED 4000 bye from captty ✓")

        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            try await ws.send(text: "cmd:close:4003:server says bye")
            let (got, error) = await drain(ws)
            #expect(got.isEmpty && error == nil, "stream must finish normally after a close frame: \(String(describing: error))")
            #expect(await ws.closeCode == 4003)
            #expect(await ws.closeReason == "server says bye")
        }
    }

    @Test("extra request headers reach the server")
    func requestHeaders() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port, path: "/v1/listen?model=nova-3"), configuration: Peers.config {
                $0.handshakeHeaders = [("Authorization", "Token test-key"), ("X-Extra", "1")]
            })
            guard case .text(let json) = try await ws.echo(.text("cmd:headers")) else { Issue.record("no headers"); return }
            let h = try JSONDecoder().decode([String: String].self, from: Data(json.utf8))
            #expect(h["Authorization"] == "Token test-key" && h["X-Extra"] == "1")
            #expect(h["Host"] == "127.0.0.1:\(port)")
            await ws.close()
        }
    }

    @Test("dropping the last reference to a WebSocket closes it with 1001 (no leaked connection)")
    func dropClosesConnection() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            var ws: WebSocket? = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            #expect(try await ws?.echo(.text("x")) == .text("x"))
            ws = nil
        }
        _ = try await server.line(startingWith: "CLOSED 1001")
    }

    @Test("IPv6 loopback")
    func ipv6() async throws {
        let (server, port) = try await Peers.echoServer(["--host", "::1"])
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port, host: "::1"), configuration: Peers.config())
            #expect(try await ws.echo(.text("v6")) == .text("v6"))
            await ws.close()
        }
    }
}
