import Foundation
import Testing
import WebSocket

/// Starting the Python peers of Tests/Peers.
enum Peers {
    /// The `websockets` echo server; returns it and its port.
    static func echoServer(_ extra: [String] = []) async throws -> (PeerProcess, Int) {
        let p = try PeerProcess(script: "ws_echo_server.py", arguments: extra)
        return (p, try await p.port())
    }

    /// The raw misbehaving server in `mode`; returns it and its port.
    static func rawServer(_ mode: String) async throws -> (PeerProcess, Int) {
        let p = try PeerProcess(script: "ws_raw_server.py", arguments: [mode])
        return (p, try await p.port())
    }

    static func url(_ port: Int, host: String = "127.0.0.1", scheme: String = "ws", path: String = "/") -> URL {
        let h = host.contains(":") ? "[\(host)]" : host
        return URL(string: "\(scheme)://\(h):\(port)\(path)")!
    }

    /// A configuration for tests: no heartbeat unless asked, short close timeout.
    static func config(_ edit: (inout WebSocketConfiguration) -> Void = { _ in }) -> WebSocketConfiguration {
        var c = WebSocketConfiguration()
        c.pingInterval = nil
        c.deadAfter = .seconds(120)
        c.closeTimeout = .seconds(5)
        c.connectTimeout = .seconds(20)
        edit(&c)
        return c
    }
}

extension WebSocket {
    /// The next message, or a failure if the stream ends first.
    func nextMessage() async throws -> WebSocketMessage {
        var it = messages.makeAsyncIterator()
        guard let m = try await it.next() else { throw PeerError("stream ended") }
        return m
    }

    /// Reads the `count` binary messages of the echo server's `cmd:flood:<count>:<size>`, each
    /// checked for its size and first byte (the message's index); false (with an issue recorded)
    /// when one is missing.
    func expectFlood(count: Int, size: Int) async throws -> Bool {
        var it = messages.makeAsyncIterator()
        for i in 0..<count {
            guard case .binary(let b)? = try await it.next() else { Issue.record("message \(i) missing"); return false }
            #expect(b.count == size && b.first == UInt8(i % 256), "message \(i): \(b.count) bytes, first \(String(describing: b.first))")
        }
        return true
    }

    func echo(_ m: WebSocketMessage) async throws -> WebSocketMessage {
        try await send(m)
        return try await nextMessage()
    }
}
