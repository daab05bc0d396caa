import Foundation
import Testing
@testable import WebSocket

/// Our server role against the Python `websockets` CLIENT: echo, fragmented messages, ping,
/// close codes both ways, rejection with 400 + dg-error, and TLS.
@Suite(.timeLimit(.minutes(3))) struct ServerRoleTests {
    /// What the server saw, for assertions after the client finished.
    final class Observed: @unchecked Sendable {
        private let lock = NSLock()
        private var _requests: [WebSocketUpgradeRequest] = []
        private var _closes: [(UInt16?, String)] = []
        func request(_ r: WebSocketUpgradeRequest) { lock.lock(); _requests.append(r); lock.unlock() }
        func closed(_ c: UInt16?, _ r: String) { lock.lock(); _closes.append((c, r)); lock.unlock() }
        var requests: [WebSocketUpgradeRequest] { lock.lock(); defer { lock.unlock() }; return _requests }
        var closes: [(UInt16?, String)] { lock.lock(); defer { lock.unlock() }; return _closes }
    }

    /// Starts an echo server (ours); "close-me" makes it close with 4002.
    func startServer(host: String = "127.0.0.1", tls: TLSServerConfiguration? = nil, observed: Observed) throws -> (WebSocketServer, Task<Void, Never>) {
        let server = try WebSocketServer.listen(host: host, port: 0, tls: tls, configuration: Peers.config())
        let task = Task {
            await server.serve(decide: { req in
                observed.request(req)
                if req.queryItems.contains(where: { $0 == ("language", "english") }) {
                    return .reject(status: 400, headers: [("dg-error", "Invalid query string."), ("dg-request-id", "srv-1")],
                                   body: #"{"err_code":"Bad Request","err_msg":"Invalid query string.","request_id":"srv-1"}"#)
                }
                return .accept(headers: [("dg-request-id", "srv-ok")])
            }, handle: { ws in
                do {
                    for try await m in ws.messages {
                        if m == .text("close-me") { await ws.close(code: 4002, reason: "bye from swift"); break }
                        try await ws.send(m)
                    }
                } catch {}
                observed.closed(await ws.closeCode, await ws.closeReason)
            })
        }
        return (server, task)
    }

    func runClient(_ url: String, _ scenario: String, extra: [String] = []) async throws -> [[String: Any]] {
        let client = try PeerProcess(script: "ws_client.py", arguments: [url, scenario] + extra)
        defer { client.stop() }
        let status = try await client.waitExit(timeout: 90)
        #expect(status == 0, "client failed: \(client.output)")
        #expect(client.output.last == "DONE", "\(client.output)")
        return client.output.compactMap { line in
            guard line.hasPrefix("{") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    @Test("echo of text and binary from 0 bytes to 1 MiB to the websockets client")
    func echo() async throws {
        let observed = Observed()
        let (server, task) = try startServer(observed: observed)
        defer { server.shutdown(); task.cancel() }
        let events = try await runClient("ws://127.0.0.1:\(server.port)/v1/listen?model=nova-3", "echo")
        #expect(events.first { $0["event"] as? String == "open" }?["request_id"] as? String == "srv-ok")
        #expect(events.filter { $0["event"] as? String == "echo" }.count == 7)
        // The client offered permessage-deflate; we negotiate no extension.
        #expect(events.contains { $0["event"] as? String == "extensions" && $0["value"] is NSNull })
        let req = try #require(observed.requests.first)
        #expect(req.headers["sec-websocket-extensions"]?.contains("permessage-deflate") == true)
        #expect(req.path == "/v1/listen" && req.queryItems.first?.1 == "nova-3" && req.headers["x-test"] == "yes")
    }

    @Test("fragmented messages from the client are reassembled and echoed")
    func fragmented() async throws {
        let observed = Observed()
        let (server, task) = try startServer(observed: observed)
        defer { server.shutdown(); task.cancel() }
        let events = try await runClient("ws://127.0.0.1:\(server.port)/", "fragmented")
        let echoes = events.filter { $0["event"] as? String == "echo" }
        #expect(echoes.count == 2 && echoes.allSatisfy { $0["ok"] as? Bool == true }, "\(echoes)")
    }

    @Test("the client's ping gets a pong")
    func ping() async throws {
        let observed = Observed()
        let (server, task) = try startServer(observed: observed)
        defer { server.shutdown(); task.cancel() }
        let events = try await runClient("ws://127.0.0.1:\(server.port)/", "ping")
        #expect(events.contains { $0["event"] as? String == "pong" })
    }

    @Test("close codes both ways: the client's 4001 reaches us, our 4002 reaches the client")
    func closeCodes() async throws {
        let observed = Observed()
        let (server, task) = try startServer(observed: observed)
        defer { server.shutdown(); task.cancel() }
        let a = try await runClient("ws://127.0.0.1:\(server.port)/", "close")
        #expect(a.last?["code"] as? Int == 4001)
        let b = try await runClient("ws://127.0.0.1:\(server.port)/", "server-close")
        #expect(b.last?["code"] as? Int == 4002 && b.last?["reason"] as? String == "bye from swift", "\(b)")
        try await withTimeout(10) {
            while observed.closes.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(observed.closes.contains { $0.0 == 4001 && $0.1 == "bye from python" }, "\(observed.closes)")
        #expect(observed.closes.contains { $0.0 == 4002 }, "\(observed.closes)")
    }

    @Test("a rejected upgrade reaches the client as 400 with dg-error and the JSON body")
    func reject() async throws {
        let observed = Observed()
        let (server, task) = try startServer(observed: observed)
        defer { server.shutdown(); task.cancel() }
        let events = try await runClient("ws://127.0.0.1:\(server.port)/v1/listen?language=english", "reject")
        let r = try #require(events.first)
        #expect(r["event"] as? String == "rejected")
        #expect(r["status"] as? Int == 400)
        #expect(r["dg_error"] as? String == "Invalid query string.")
        #expect((r["body"] as? String)?.contains("Invalid query string.") == true)
    }

    @Test("wss: our TLS server with the websockets client trusting the test CA")
    func tlsServer() async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let observed = Observed()
        let (server, task) = try startServer(tls: TLSServerConfiguration(certificateChainFile: certs.localhostCert, privateKeyFile: certs.localhostKey), observed: observed)
        defer { server.shutdown(); task.cancel() }
        let events = try await runClient("wss://localhost:\(server.port)/", "echo", extra: ["--ca", certs.caFile])
        #expect(events.filter { $0["event"] as? String == "echo" }.count == 7)
    }

    @Test("IPv6: our server on ::1 with the websockets client")
    func ipv6Server() async throws {
        let observed = Observed()
        let (server, task) = try startServer(host: "::1", observed: observed)
        defer { server.shutdown(); task.cancel() }
        let events = try await runClient("ws://[::1]:\(server.port)/", "fragmented")
        #expect(events.filter { $0["event"] as? String == "echo" && $0["ok"] as? Bool == true }.count == 2)
    }

    @Test("wss both roles: our TLS client verifies our TLS server with the test CA")
    func tlsSelfPairing() async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let observed = Observed()
        let (server, task) = try startServer(tls: TLSServerConfiguration(certificateChainFile: certs.localhostCert, privateKeyFile: certs.localhostKey), observed: observed)
        defer { server.shutdown(); task.cancel() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(server.port, host: "localhost", scheme: "wss"),
                                                 configuration: Peers.config { $0.caFile = certs.caFile })
            let big = (0..<2_000_000).map { UInt8($0 % 253) }
            try await ws.send(.binary(big), fragmentSize: 100_000)
            #expect(try await ws.nextMessage() == .binary(big))
            try await ws.send(text: "close-me")
            let (_, error) = await drain(ws)
            #expect(error == nil)
            #expect(await ws.closeCode == 4002)
            await ws.close()   // waits for the TCP teardown that follows the close frame
            #expect(ws.isClosed)
            #expect(await ws.closeCode == 4002)
        }
    }

    /// A client that shuts down its sending side (TCP half-close) without a close frame still
    /// gets what the server sends for the messages it sent before (they were dropped with the
    /// connection). The server's message stream then ends; a handler that returns closes, and
    /// one that neither writes nor closes has the connection ended after 4 × deadAfter.
    @Test("a half-closed client still gets the answers to its messages; the connection then ends", arguments: [false, true])
    func halfClosedClient(handlerLingers: Bool) async throws {
        let server = try WebSocketServer.listen(host: "127.0.0.1", port: 0, configuration: Peers.config { $0.deadAfter = .seconds(1) })
        let ended = Observed()
        let task = Task {
            await server.serve(decide: { _ in .accept(headers: []) }, handle: { ws in
                do { for try await m in ws.messages { try await ws.send(m) } } catch {}
                ended.closed(nil, "messages ended")
                if handlerLingers { try? await Task.sleep(for: .seconds(30)) }
            })
        }
        defer { server.shutdown(); task.cancel() }
        let lines = try await runClient("ws://127.0.0.1:\(server.port)/", "half-close")
        let report = try #require(lines.first { $0["event"] as? String == "half-closed" })
        #expect(report["echoes"] as? [String] == ["one", "two"], "\(report)")
        let after = report["ended_after"] as? Double ?? 99
        if handlerLingers {
            #expect(after >= 3 && after < 10, "\(report)")
        } else {
            #expect(after < 3, "\(report)")
        }
        #expect(ended.closes.count == 1, "the handler's message stream did not end")
    }

    @Test("our client against our server (both roles); an oversized request head is refused with 431")
    func selfPairing() async throws {
        let observed = Observed()
        let (server, task) = try startServer(observed: observed)
        defer { server.shutdown(); task.cancel() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(server.port), configuration: Peers.config())
            #expect(ws.responseHeaders["dg-request-id"] == "srv-ok")
            let payload = (0..<100_000).map { UInt8($0 & 0xFF) }
            try await ws.send(.binary(payload), fragmentSize: 4096)
            #expect(try await ws.nextMessage() == .binary(payload))
            await ws.close(code: 4005, reason: "done")
            #expect(await ws.closeCode == 4005)
            do {
                _ = try await WebSocket.connect(to: Peers.url(server.port), configuration: Peers.config {
                    $0.handshakeHeaders = [("X-Big", String(repeating: "a", count: 20_000))]
                })
                Issue.record("oversized head accepted")
            } catch WebSocketError.handshakeRejected(let status, _, _) {
                #expect(status == 431)
            }
        }
    }
}
