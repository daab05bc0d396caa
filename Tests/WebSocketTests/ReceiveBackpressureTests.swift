import Foundation
import Testing
@testable import WebSocket

/// A consumer that falls behind pauses reading, so received data waiting in memory stays bounded
/// and the sender is slowed by TCP flow control; nothing is lost.
@Suite(.timeLimit(.minutes(3))) struct ReceiveBackpressureTests {
    @Test("a slow consumer bounds buffered received bytes; every message still arrives in order")
    func slowConsumer() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let limit = 1 << 20
        let size = 64 * 1024, count = 300  // 19.7 MB offered
        try await withTimeout(90) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.receiveBufferLimit = limit
                $0.pingInterval = .milliseconds(300)
                $0.deadAfter = .seconds(2)   // our own pause must not look like a dead peer
            })
            try await ws.send(text: "cmd:flood:\(count):\(size)")
            try await Task.sleep(for: .seconds(3))
            #expect(!ws.isClosed)
            #expect(ws.receivedBytesBuffered > 0)
            // Bound: the limit, plus what one 64 KiB read completes, plus one message.
            #expect(ws.receivedBytesHighWater <= limit + 64 * 1024 + size, "\(ws.receivedBytesHighWater)")
            #expect(!server.output.contains("FLOODED \(count)"), "the server should still be blocked")
            guard try await ws.expectFlood(count: count, size: size) else { return }
            _ = try await server.line(startingWith: "FLOODED \(count)")
            #expect(try await ws.echo(.text("after")) == .text("after"))
            await ws.close()
        }
    }

    @Test("a flood of empty messages is bounded too: each message counts for more than its payload")
    func floodOfEmptyMessages() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        let limit = 1 << 20
        let count = 150_000   // 2 bytes each on the wire, 0 bytes of payload
        try await withTimeout(120) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.receiveBufferLimit = limit
                $0.pingInterval = .milliseconds(300)
                $0.deadAfter = .seconds(5)
            })
            try await ws.send(text: "cmd:flood:\(count):0")
            try await Task.sleep(for: .seconds(4))
            let held = ws.core.inbox.bufferedMessageCount
            print("held \(held) empty messages unread, \(ws.receivedBytesBuffered) bytes counted")
            // The limit in messages (64 bytes each), plus what one 64 KiB read completes (2 bytes
            // per frame), plus one.
            #expect(held > 0)
            #expect(held <= limit / 64 + 32 * 1024 + 1, "\(held) messages held")
            // (The 300 KB of frames fit in the kernel's socket buffers: the server is not blocked.)
            var it = ws.messages.makeAsyncIterator()
            for i in 0..<count {
                guard case .binary(let b)? = try await it.next() else { Issue.record("message \(i) missing"); return }
                if !b.isEmpty { Issue.record("message \(i) has \(b.count) bytes"); return }
            }
            _ = try await server.line(startingWith: "FLOODED \(count)")
            #expect(ws.core.inbox.bufferedMessageCount == 0)
            #expect(try await ws.echo(.text("after")) == .text("after"))
            await ws.close()
        }
    }

    @Test("a consumer always one message behind does not make the queue grow")
    func consumerAlwaysBehind() async throws {
        let inbox = Inbox(limit: 1 << 20, wakePipe: try WakePipe())
        var it = inbox.makeStream().makeAsyncIterator()
        inbox.deliver(.text("first"))
        for i in 0..<10_000 {
            inbox.deliver(.text("m\(i)"))
            _ = try await it.next()
        }
        #expect(inbox.bufferedMessageCount == 1)
        #expect(inbox.slotCount <= 2 * 1024 + 1, "\(inbox.slotCount) slots for 1 waiting message")
        #expect(try await it.next() == .text("m9999"))
    }
}
