import Foundation
import Testing
@testable import WebSocket

/// The server side of the upgrade is bounded: silent clients time out, plain HTTP gets 426,
/// a slow decision gets 503. Driven by a raw TCP client (POSIX sockets, nothing simulated).
@Suite(.timeLimit(.minutes(2))) struct ServerHandshakeLimitsTests {
    /// A blocking loopback TCP client with a receive timeout.
    struct RawClient {
        let fd: Int32
        /// `from`: the loopback address to connect from (127.0.0.2 is another peer).
        init(port: Int, from source: String? = nil) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            if let source {
                var local = sockaddr_in()
                local.sin_family = sa_family_t(AF_INET)
                local.sin_addr.s_addr = inet_addr(source)
                let b = withUnsafePointer(to: &local) { p in
                    p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                guard b == 0 else { throw PeerError("bind to \(source) failed") }
            }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let r = withUnsafePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard r == 0 else { throw PeerError("connect failed") }
            var tv = timeval(tv_sec: 15, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }
        func send(_ s: String) { _ = s.withCString { Glibc.send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
        /// Everything until EOF (or the 15 s receive timeout).
        func readAll() -> String { String(decoding: readAllBytes(), as: UTF8.self) }

        func readAllBytes() -> [UInt8] {
            var out: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { break }
                out += buf[0..<n]
            }
            return out
        }
        func close() { Glibc.close(fd) }
    }

    func start(handshakeTimeout: Duration = .seconds(1),
               decide: @escaping @Sendable (WebSocketUpgradeRequest) async -> WebSocketUpgradeDecision) throws -> (WebSocketServer, Task<Void, Never>) {
        let server = try WebSocketServer.listen(configuration: Peers.config {
            $0.connectTimeout = handshakeTimeout
            $0.closeTimeout = .seconds(1)
        })
        let task = Task { await server.serve(decide: decide, handle: { _ in }) }
        return (server, task)
    }

    @Test("a client that sends nothing is disconnected after the handshake timeout")
    func silentClient() async throws {
        let (server, task) = try start { _ in .accept() }
        defer { server.shutdown(); task.cancel() }
        let c = try RawClient(port: server.port)
        defer { c.close() }
        let start = ContinuousClock.now
        let got = await onThread { c.readAll() }
        #expect(got.isEmpty)
        #expect(ContinuousClock.now - start < .seconds(12), "not disconnected by the 1 s handshake timeout")
    }

    @Test("plain HTTP without Upgrade gets 426; a bad version gets 426 with Sec-WebSocket-Version: 13")
    func plainHTTP() async throws {
        let (server, task) = try start(handshakeTimeout: .seconds(10)) { _ in .accept() }
        defer { server.shutdown(); task.cancel() }
        let c = try RawClient(port: server.port)
        defer { c.close() }
        c.send("GET /v1/listen HTTP/1.1\r\nHost: x\r\n\r\n")
        let got = await onThread { c.readAll() }
        #expect(got.hasPrefix("HTTP/1.1 426 "), "\(got)")
        let d = try RawClient(port: server.port)
        defer { d.close() }
        d.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
        let got2 = await onThread { d.readAll() }
        #expect(got2.hasPrefix("HTTP/1.1 426 ") && got2.contains("Sec-WebSocket-Version: 13"), "\(got2)")
    }

    @Test("an application that does not decide in time gets the client a 503")
    func slowDecision() async throws {
        let (server, task) = try start { _ in
            try? await Task.sleep(for: .seconds(5))
            return .accept()
        }
        defer { server.shutdown(); task.cancel() }
        let c = try RawClient(port: server.port)
        defer { c.close() }
        c.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let got = await onThread { c.readAll() }
        #expect(got.hasPrefix("HTTP/1.1 503 "), "\(got)")
    }

    /// A slowloris from one address (20 stalled upgrades, opened at once) cannot take every
    /// place: a client from another address still gets its 101 (it got a 503, found in QA).
    @Test("stalls from one peer leave room for another")
    func stallsFromOnePeerLeaveRoomForAnother() async throws {
        let server = try WebSocketServer.listen(configuration: Peers.config {
            $0.connectTimeout = .seconds(10)
            $0.closeTimeout = .seconds(1)
            $0.maxPendingUpgrades = 8
        })
        let task = Task { await server.serve(decide: { _ in .accept(headers: []) }, handle: { _ in }) }
        defer { server.shutdown(); task.cancel() }
        let stalls = try (0..<20).map { _ in try RawClient(port: server.port, from: "127.0.0.2") }
        defer { stalls.forEach { $0.close() } }
        for s in stalls { s.send("GET / HTTP/1.1\r\nHost: x\r\n") }   // never finished
        try await Task.sleep(for: .milliseconds(100))
        let c = try RawClient(port: server.port, from: "127.0.0.1")
        defer { c.close() }
        c.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        let got = String(decoding: await onThread { c.readAllBytes() }, as: UTF8.self)
        #expect(got.hasPrefix("HTTP/1.1 101 "), "\(got.prefix(200))")
    }

    @Test("an accepted upgrade answers 101 with the Sec-WebSocket-Accept of RFC 6455 and extra headers")
    func accepted() async throws {
        let (server, task) = try start(handshakeTimeout: .seconds(10)) { _ in .accept(headers: [("dg-request-id", "abc")]) }
        defer { server.shutdown(); task.cancel() }
        let c = try RawClient(port: server.port)
        defer { c.close() }
        c.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        // The handler returns at once, so the server closes with 1001 and, as we never answer
        // the close frame, drops TCP after its 1 s close timeout: read until EOF.
        let start = ContinuousClock.now
        let bytes = await onThread { c.readAllBytes() }
        let got = String(decoding: bytes, as: UTF8.self)
        #expect(ContinuousClock.now - start < .seconds(12), "the dropped WebSocket did not close the connection")
        #expect(Array(bytes.suffix(4)) == [0x88, 0x02, 0x03, 0xE9], "expected a close frame with 1001 after the 101")
        #expect(got.hasPrefix("HTTP/1.1 101 "), "\(got)")
        #expect(got.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(got.contains("dg-request-id: abc\r\n"))
    }
}

/// Runs blocking socket reads on their own thread, never on the cooperative pool (blocking
/// the pool would starve the server's `decide` task).
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { c in
        Thread.detachNewThread { c.resume(returning: body()) }
    }
}

/// The places for upgrades in progress: a stall gives its place to a newcomer, a client whose
/// head is in does not, and evicted connections still ending are bounded.
@Suite struct PendingUpgradePlacesTests {
    let second: Int64 = 1_000_000_000

    @Test func theOldestStallGivesItsPlaceOnlyAfterItsGrace() throws {
        let places = PendingUpgrades(evictAfter: .milliseconds(500), spare: 4)
        let a = try #require(places.enter(limit: 2, now: 0))
        let b = try #require(places.enter(limit: 2, now: second / 10))
        // Full, and neither has stalled long enough: the newcomer is turned away.
        #expect(places.enter(limit: 2, now: second / 5) == nil)
        #expect(!a.cancel.isSet && !b.cancel.isSet)
        // A second later both are stalls: the oldest (a) is evicted for the newcomer.
        let c = try #require(places.enter(limit: 2, now: second))
        #expect(a.cancel.isSet && !b.cancel.isSet && !c.cancel.isSet)
        #expect(places.counts == (taken: 2, ending: 1))
        places.leave(a)   // its thread ends
        #expect(places.counts == (taken: 2, ending: 0))
    }

    @Test func aClientWithItsHeadInIsNeverEvicted() throws {
        let places = PendingUpgrades(evictAfter: .milliseconds(500), spare: 4)
        let a = try #require(places.enter(limit: 2, now: 0))
        let b = try #require(places.enter(limit: 2, now: 1))
        a.headRead.set(); b.headRead.set()   // both are deciding, not stalling
        #expect(places.enter(limit: 2, now: 10 * second) == nil)
        #expect(!a.cancel.isSet && !b.cancel.isSet)
        places.leave(a)
        #expect(places.enter(limit: 2, now: 10 * second) != nil)
    }

    /// One peer address holds at most a quarter of the places; past that its own oldest stall
    /// makes way (after its grace), and another peer still finds room.
    @Test func onePeerHoldsAQuarterOfThePlaces() throws {
        let places = PendingUpgrades(evictAfter: .milliseconds(500), spare: 4)
        let a: [UInt8] = [127, 0, 0, 2], b: [UInt8] = [127, 0, 0, 1]
        #expect(PendingUpgrades.perPeerLimit(8) == 2 && PendingUpgrades.perPeerLimit(64) == 16 && PendingUpgrades.perPeerLimit(3) == 2)
        let a1 = try #require(places.enter(limit: 8, peer: a, now: 0))
        let a2 = try #require(places.enter(limit: 8, peer: a, now: 1))
        #expect(places.enter(limit: 8, peer: a, now: 2) == nil, "a third place for one peer, with places free")
        #expect(places.enter(limit: 8, peer: b, now: 3) != nil, "another peer gets in")
        // After the grace, the peer's own oldest stall makes way for its newcomer.
        let a3 = try #require(places.enter(limit: 8, peer: a, now: second))
        #expect(a1.cancel.isSet && !a2.cancel.isSet && !a3.cancel.isSet)
        #expect(places.counts == (taken: 3, ending: 1))
    }

    @Test func evictedConnectionsStillEndingAreBounded() throws {
        let places = PendingUpgrades(evictAfter: .zero, spare: 2)
        var tickets = [try #require(places.enter(limit: 1, now: 0))]
        for i in 1...2 { tickets.append(try #require(places.enter(limit: 1, now: Int64(i)))) }
        // Two evicted, neither ended: no third eviction until one does.
        #expect(places.counts == (taken: 1, ending: 2))
        #expect(places.enter(limit: 1, now: 5) == nil)
        places.leave(tickets[0])
        #expect(places.enter(limit: 1, now: 6) != nil)
        #expect(places.counts == (taken: 1, ending: 2))
    }
}
