import Foundation
import Testing
@testable import WebSocket

/// A raw server sends invalid frames; our client must fail the connection with the close code
/// RFC 6455 names (1002 / 1007 / 1009), without crashing, and the raw server records that code.
@Suite(.timeLimit(.minutes(3))) struct ProtocolViolationTests {
    static let cases: [(mode: String, code: UInt16)] = [
        ("masked", 1002),
        ("bad-utf8", 1007),
        ("bad-utf8-fragmented", 1007),
        ("oversized-frame", 1009),
        ("oversized-message", 1009),
        ("reserved-opcode", 1002),
        ("reserved-control-opcode", 1002),
        ("rsv1", 1002),
        ("rsv3", 1002),
        ("long-control", 1002),
        ("fragmented-control", 1002),
        ("bad-continuation", 1002),
        ("interleaved-data", 1002),
        ("bad-close-code", 1002),
        ("close-1-byte", 1002),
    ]

    @Test("invalid server frames are answered with the right close code", arguments: cases.indices)
    func violation(index: Int) async throws {
        let (mode, code) = Self.cases[index]
        let (server, port) = try await Peers.rawServer(mode)
        defer { server.stop() }
        try await withTimeout(60, mode) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config {
                $0.maxFrameSize = 1 << 20
                $0.maxMessageSize = 1 << 20
            })
            #expect(ws.responseHeaders["DG-Request-ID"] == "raw-123")
            let (got, error) = await drain(ws)
            #expect(got.isEmpty, "\(mode): \(got)")
            switch error {
            case let WebSocketError.protocolViolation(c, reason)?:
                #expect(c == code, "\(mode): \(reason)")
                #expect(!reason.isEmpty)
            case WebSocketError.messageTooBig(let n)?:
                #expect(code == 1009 && n > 1 << 20, "\(mode)")
            default:
                Issue.record("\(mode): stream ended with \(String(describing: error))")
            }
            #expect(await ws.closeCode == code, "\(mode)")
        }
        let line = try await server.line(startingWith: "CLOSE_CODE")
        #expect(line.hasPrefix("CLOSE_CODE \(code) "), "\(mode): server saw \(line)")
    }

    @Test("a server ping is answered with a pong carrying the same payload")
    func pingPong() async throws {
        let (server, port) = try await Peers.rawServer("ping")
        defer { server.stop() }
        try await withTimeout(60) {
            let ws = try await WebSocket.connect(to: Peers.url(port), configuration: Peers.config())
            _ = try await server.line(startingWith: "PONG")
            await ws.close(code: 1001, reason: "going away")
        }
        #expect(server.output.contains("PONG " + Data("raw-ping".utf8).map { String(format: "%02x", $0) }.joined()))
        _ = try await server.line(startingWith: "CLOSE_CODE 1001 going away")
    }
}
