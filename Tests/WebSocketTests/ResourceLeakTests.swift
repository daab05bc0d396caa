import Foundation
import Testing
@testable import WebSocket

/// Reconnecting for hours must not leak: after many connections that end every way (close,
/// server close, abort, dropped reference) the process holds no extra file descriptors.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ResourceLeakTests {
    static func openFDs() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
    }

    @Test("150 connections ending in close, server close, abort and drop leave no descriptors behind")
    func noDescriptorLeak() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(150) {
            // Warm up (lazy runtime/OpenSSL state), then measure.
            let w = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            await w.close()
            try await Task.sleep(for: .milliseconds(200))
            let before = Self.openFDs()
            for i in 0..<150 {
                let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config { $0.closeTimeout = .seconds(2) })
                #expect(try await ws.echo(.text("\(i)")) == .text("\(i)"))
                switch i % 4 {
                case 0:
                    await ws.close()
                case 1:
                    try await ws.send(text: "cmd:close:4000:bye")
                    _ = await drain(ws)
                case 2:
                    try await ws.send(text: "cmd:abort")
                    _ = await drain(ws)
                default:
                    break  // dropped: deinit closes with 1001
                }
            }
            // Dropped connections finish their close handshake in the background.
            var after = Self.openFDs()
            for _ in 0..<100 where after > before + 2 {
                try await Task.sleep(for: .milliseconds(100))
                after = Self.openFDs()
            }
            // Other suites run in parallel in this process and open their own descriptors,
            // so allow a little slack; a leak would be ≥ 150 (2 per connection: socket + pipe pair).
            #expect(after <= before + 20, "descriptors before \(before), after \(after)")
        }
    }
}
