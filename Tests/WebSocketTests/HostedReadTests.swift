import Executors
import Foundation
import Testing
@testable import WebSocket

/// `WebSocketConfiguration.readLoop`: a `SerialThreadExecutor`'s own poll reads the socket
/// while the connection is ordinary, and hands reading back to the I/O thread at the first
/// thing out of the ordinary. Against the Python `websockets` echo server (plain and TLS).
@Suite(.timeLimit(.minutes(3))) struct HostedReadTests {
    /// Counts the hosting thread's reads, and whether every one ran on the executor's thread.
    final class Host: @unchecked Sendable {
        let executor = SerialThreadExecutor()
        private let lock = NSLock()
        private var calls = 0
        private var offThread = 0
        private var watching = 0

        var reads: Int { lock.withLock { calls } }
        var readsOffThread: Int { lock.withLock { offThread } }
        /// Watches not yet ended (by the handler returning false or by `stop`).
        var activeWatches: Int { lock.withLock { watching } }

        func configure(_ c: inout WebSocketConfiguration) {
            c.readLoop = { [self] fd, onReadable in
                lock.withLock { watching += 1 }
                let ended = Once()
                let end: @Sendable () -> Void = { [self] in if ended.first() { lock.withLock { watching -= 1 } } }
                let id = executor.watch(fd: fd) { [self] in
                    let onThread = SerialThreadExecutor.current === executor
                    lock.withLock { calls += 1; if !onThread { offThread += 1 } }
                    let keep = onReadable()
                    if !keep { end() }
                    return keep
                }
                return { [executor] in executor.unwatch(id); end() }
            }
        }

        /// Waits (bounded) until the watch has ended.
        func waitUntilHandedBack() async throws {
            let deadline = ContinuousClock.now + .seconds(10)
            while activeWatches > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func first() -> Bool { lock.withLock { defer { done = true }; return !done } }
    }

    @Test("messages from 0 bytes to 4 MiB are read on the executor's thread, and only there")
    func echoOnTheExecutor() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let host = Host()
        try await withTimeout(120, "hosted echo") {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config(host.configure))
            for size in [0, 1, 125, 65536, 1 << 20, 4 << 20] {
                let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
                #expect(try await ws.echo(.binary(bytes)) == .binary(bytes), "binary \(size)")
                // Small sends never wait for room; a large one may fill the socket (on a busy
                // machine), and a write waiting for room rightly hands reading back.
                if size == 125 { #expect(host.activeWatches == 1, "still hosted after small echoes") }
            }
            #expect(host.reads >= 6, "the executor read \(host.reads) times")
            #expect(host.readsOffThread == 0)
            await ws.close()
            #expect(await ws.closeCode == 1000)
            try await host.waitUntilHandedBack()
            #expect(host.activeWatches == 0, "the watch outlived the connection")
        }
        _ = try await server.line(startingWith: "CLOSED 1000")
    }

    @Test("the peer's pings are answered while hosted, and hosting goes on")
    func pingsAnsweredWhileHosted() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let host = Host()
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config(host.configure))
            let m = try await ws.echo(.text("cmd:fragments-ping:6:3000"))
            #expect(m == .binary((0..<6).flatMap { [UInt8](repeating: UInt8($0), count: 3000) }))
            #expect(try await ws.nextMessage() == .text("pongs:6"))
            let before = host.reads
            #expect(try await ws.echo(.text("still here")) == .text("still here"))
            #expect(host.reads > before && host.activeWatches == 1, "reads \(before) → \(host.reads)")
            await ws.close()
        }
    }

    /// The server ends the connection: with a close frame (its code is seen and the stream
    /// ends normally), or by dropping TCP without one (the stream ends with 1006).
    @Test("the server's close or drop ends the stream and the watch", arguments: ["close", "abort"])
    func serverEndsTheConnection(_ how: String) async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let host = Host()
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config(host.configure))
            #expect(try await ws.echo(.text("one")) == .text("one"))
            try await ws.send(text: how == "close" ? "cmd:close:4003:server says bye" : "cmd:abort")
            let (got, error) = await drain(ws)
            if how == "close" {
                #expect(got.isEmpty && error == nil, "\(String(describing: error))")
                #expect(await ws.closeCode == 4003)
                #expect(await ws.closeReason == "server says bye")
            } else {
                guard case WebSocketError.closed(let code, _)? = error else { Issue.record("ended with \(String(describing: error))"); return }
                #expect(code == 1006)
            }
            await ws.close()
            #expect(ws.isClosed)
            try await host.waitUntilHandedBack()
            #expect(host.activeWatches == 0)
            #expect(host.readsOffThread == 0)
        }
    }

    @Test("a consumer falling behind hands reading back; nothing is lost and the inbox stays bounded")
    func floodHandsBack() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let host = Host()
        let limit = 1 << 20
        let (count, size) = (400, 16 * 1024)
        try await withTimeout(120) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                host.configure(&$0)
                $0.receiveBufferLimit = limit
            })
            try await ws.send(text: "cmd:flood:\(count):\(size)")
            try await Task.sleep(for: .seconds(2))
            #expect(ws.receivedBytesHighWater <= limit + 64 * 1024 + size, "\(ws.receivedBytesHighWater)")
            #expect(host.activeWatches == 0, "a full inbox must end hosting")
            guard try await ws.expectFlood(count: count, size: size) else { return }
            _ = try await server.line(startingWith: "FLOODED \(count)")
            #expect(try await ws.echo(.text("after")) == .text("after"))
            await ws.close()
            #expect(await ws.closeCode == 1000)
        }
    }

    @Test("over TLS: records OpenSSL has already decrypted are read too")
    func tlsEcho() async throws {
        let (certs, server, port) = try await TLSVerificationTests.localhostTLSServer()
        defer { server.stop(); certs.remove() }
        let host = Host()
        try await withTimeout(120) {
            let ws = try await WebSocket.connect(to: Peers.url(port, host: "localhost", scheme: "wss"),
                                                 configuration: Peers.config { host.configure(&$0); $0.caFile = certs.caFile })
            // Many small messages in one burst: several TLS records arrive per socket read.
            try await ws.send(text: "cmd:flood:200:100")
            guard try await ws.expectFlood(count: 200, size: 100) else { return }
            #expect(host.activeWatches == 1, "still hosted after reading the burst")
            // (A 1 MiB send may fill the socket and rightly hand reading back, so no check after it.)
            let big = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0) }
            #expect(try await ws.echo(.binary(big)) == .binary(big))
            #expect(host.reads > 0 && host.readsOffThread == 0)
            await ws.close()
            #expect(await ws.closeCode == 1000)
        }
    }

    @Test("a silent peer is still declared dead by the heartbeat while the executor reads")
    func heartbeatWhileHosted() async throws {
        let (server, port) = try await Peers.rawServer("silent")
        defer { server.stop() }
        let host = Host()
        try await withTimeout(30) {
            let start = ContinuousClock.now
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                host.configure(&$0)
                $0.pingInterval = .milliseconds(200)
                $0.deadAfter = .seconds(1)
            })
            let (_, error) = await drain(ws)
            guard case WebSocketError.closed(let code, let reason)? = error else { Issue.record("\(String(describing: error))"); return }
            #expect(code == 1006 && reason.contains("heartbeat"))
            #expect(ContinuousClock.now - start < .seconds(10))
            try await host.waitUntilHandedBack()
            #expect(host.activeWatches == 0)
        }
    }

    /// A hosting thread held up by its own work (here a job that blocks it for twice
    /// `deadAfter`) reads nothing meanwhile: the I/O thread takes reading back, so the peer's
    /// pongs keep the connection alive instead of it being declared dead.
    @Test("a held-up hosting thread does not make a live peer look dead")
    func heldUpHostDoesNotKillTheConnection() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let host = Host()
        try await withTimeout(30) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                host.configure(&$0)
                $0.pingInterval = .milliseconds(200)
                $0.deadAfter = .seconds(1)
            })
            #expect(try await ws.echo(.text("before")) == .text("before"))
            #expect(host.activeWatches == 1)
            await Task(executorPreference: host.executor) { _ = usleep(2_000_000) }.value
            #expect(!ws.isClosed, "declared dead while the hosting thread was busy")
            #expect(try await ws.echo(.text("after")) == .text("after"))
            #expect(host.activeWatches == 0, "the I/O thread should have taken reading back")
            await ws.close()
            #expect(await ws.closeCode == 1000)
        }
    }
}

