import Foundation
import Testing
@testable import WebSocket

/// The heartbeat declares a silent peer dead within the bound; a healthy peer stays alive;
/// a peer that does not read makes `send` suspend with the queue bounded.
@Suite(.timeLimit(.minutes(3))) struct HeartbeatAndBackpressureTests {
    @Test("a peer that goes silent is declared dead (1006) within deadAfter")
    func silentPeerIsDead() async throws {
        let (server, port) = try await Peers.rawServer("silent")
        defer { server.stop() }
        try await withTimeout(30) {
            let start = ContinuousClock.now  // before connecting: death cannot come sooner than deadAfter after this
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.pingInterval = .milliseconds(200)
                $0.deadAfter = .seconds(1)
            })
            let (_, error) = await drain(ws)
            let elapsed = ContinuousClock.now - start
            guard case WebSocketError.closed(let code, let reason)? = error else {
                Issue.record("stream ended with \(String(describing: error))"); return
            }
            #expect(code == 1006 && reason.contains("heartbeat"))
            #expect(await ws.closeCode == 1006)
            #expect(elapsed >= .seconds(1) && elapsed < .seconds(10), "\(elapsed)")
            do { try await ws.send(text: "x"); Issue.record("send on a dead connection") } catch {}
        }
    }

    @Test("a close frame ends `messages` at once, even when the peer then neither reads nor closes TCP")
    func closeFrameEndsMessagesBeforeTheTeardown() async throws {
        let (server, port) = try await Peers.rawServer("close-then-hang")
        defer { server.stop() }
        try await withTimeout(30) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config { $0.closeTimeout = .seconds(3) })
            let start = ContinuousClock.now
            let (_, error) = await drain(ws)
            #expect(error == nil)
            #expect(ContinuousClock.now - start < .seconds(1), "waited for the TCP teardown")
            #expect(await ws.closeCode == 1001)
            do { try await ws.send(text: "x"); Issue.record("send after the peer's close") } catch {}
            // The teardown itself is bounded by closeTimeout.
            await ws.close()
            #expect(ws.isClosed)
            #expect(ContinuousClock.now - start < .seconds(6))
        }
    }

    @Test("a peer that answers pings stays alive past deadAfter")
    func healthyPeerStaysAlive() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(30) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.pingInterval = .milliseconds(200)
                $0.deadAfter = .seconds(1)
            })
            try await Task.sleep(for: .seconds(3))
            #expect(!ws.isClosed)
            #expect(try await ws.echo(.text("alive")) == .text("alive"))
            await ws.close()
            #expect(await ws.closeCode == 1000)
        }
    }

    /// Counts sends from the sending task.
    final class Progress: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func bump() { lock.lock(); n += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return n }
    }

    @Test("send suspends when the peer does not read; queued bytes stay within the limit")
    func backpressure() async throws {
        let (server, port) = try await Peers.rawServer("noread")
        defer { server.stop() }
        let limit = 256 * 1024
        let message = [UInt8](repeating: 7, count: 64 * 1024)
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.sendQueueLimit = limit
                $0.closeTimeout = .seconds(1)
            })
            let progress = Progress()
            let sender = Task {
                for _ in 0..<2000 {  // 125 MiB if nothing pushed back
                    try await ws.send(binary: message)
                    progress.bump()
                }
            }
            // Wait until sending stalls: no progress for a whole second.
            var last = -1
            while progress.count != last {
                last = progress.count
                try await Task.sleep(for: .seconds(1))
            }
            let sent = progress.count
            #expect(sent < 2000, "send never suspended")
            // What was accepted but not written stays within the limit (kernel buffers hold the rest).
            #expect(ws.queuedBytesHighWater <= limit, "high water \(ws.queuedBytesHighWater)")
            #expect(ws.queuedBytes <= limit)
            #expect(ws.queuedBytes > 0, "the queue should be holding data the peer does not read")
            // Closing fails the suspended send instead of leaving it hanging.
            await ws.close()
            let r = await sender.result
            guard case .failure = r else { Issue.record("sender finished all sends"); return }
            #expect(await ws.closeCode == 1006)
        }
    }

    /// A peer that keeps sending (pings) but has stopped reading: the heartbeat never fires,
    /// and sends waited for ever (a Deepgram client whose server stopped taking audio sat for
    /// minutes saying nothing).
    @Test("a peer that stops reading is declared dead after deadAfter without taking data")
    func peerThatStopsReadingIsDead() async throws {
        let (server, port) = try await Peers.rawServer("noread-ping")
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.deadAfter = .seconds(2)
                $0.sendQueueLimit = 64 * 1024
            })
            let message = [UInt8](repeating: 7, count: 32 * 1024)
            let start = ContinuousClock.now
            let sender = Task { () -> Int in
                var n = 0
                while true {
                    do { try await ws.send(binary: message) } catch { return n }
                    n += 1
                }
            }
            let (_, error) = await drain(ws)
            let elapsed = ContinuousClock.now - start
            let sent = await sender.value
            #expect(sent > 0 && sent < 1000, "\(sent) messages went out")
            guard case WebSocketError.closed(let code, let reason)? = error else {
                Issue.record("stream ended with \(String(describing: error))"); return
            }
            #expect(code == 1006 && reason.contains("took no data"), "\(code) \(reason)")
            #expect(elapsed >= .seconds(2) && elapsed < .seconds(20), "\(elapsed)")
        }
    }

    @Test("cancelling a suspended send throws CancellationError and keeps the queue consistent")
    func cancelSuspendedSend() async throws {
        let (server, port) = try await Peers.rawServer("noread")
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.sendQueueLimit = 64 * 1024
                $0.closeTimeout = .seconds(1)
            })
            let msg = [UInt8](repeating: 1, count: 32 * 1024)
            let sender = Task { () -> Int in
                var n = 0
                while true {
                    do { try await ws.send(binary: msg) } catch { return n }
                    n += 1
                }
            }
            var last = -1
            var stalled = false
            for _ in 0..<30 {
                try await Task.sleep(for: .milliseconds(500))
                let q = ws.queuedBytes
                if q == last && q > 0 { stalled = true; break }
                last = q
            }
            #expect(stalled)
            sender.cancel()
            let n = await sender.value
            #expect(n > 0)
            #expect(ws.queuedBytes <= 64 * 1024)
            await ws.close()
        }
    }
}

