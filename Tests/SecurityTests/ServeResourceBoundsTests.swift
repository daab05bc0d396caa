import Foundation
import Testing
import TestSupport

/// What a `captty serve` client can make the server hold is bounded, whatever it does: threads
/// while connections open, memory and CPU for a client that never reads or that vanishes, memory
/// while a stream closes. Each runs the real binary against a hostile Python client
/// (Tests/Peers/serve_resource_probe.py) and reads the server's own numbers from /proc.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ServeResourceBoundsTests {
    static let probe = "serve_resource_probe.py"

    /// Every accepted connection got a thread before its upgrade was read, with no limit, and a
    /// failed `pthread_create` was a `fatalError`: a flood of idle connections could exhaust the
    /// machine's threads and crash the server. Now at most 64 upgrades are in progress; more
    /// get 503 at once, without a thread.
    @Test func aFloodOfOpeningConnectionsDoesNotGrowThreadsWithoutBound() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peerResult(Self.probe, ["flood", server.url, "300", String(server.pid)], timeout: 120)
        #expect(r["opened"] as? Int ?? 0 > 200, "\(r)")
        #expect(r["most_threads"] as? Int ?? 999 < 120, "threads while 300 connections stall in their upgrade: \(r)")
        #expect(r["after"] as? Int == 101, "a normal client is served once the flood is gone: \(r)")
        #expect(r["server_alive"] as? Bool == true)
    }

    /// 100 connections that open and stall inside their request head (a slowloris) took every
    /// place for upgrades in progress: every client was answered 503 until the 10 s handshake
    /// timeout, and again as soon as they were renewed. Now the oldest stall gives its place to
    /// a newcomer, so clients get through while the stalls are held.
    @Test func stalledUpgradesDoNotLockClientsOut() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peerResult(Self.probe, ["slowloris", server.url, "100"], timeout: 120)
        #expect(r["held"] as? Int ?? 0 >= 90, "\(r)")
        let tries = r["tries"] as? [[String: Any]] ?? []
        #expect(tries.count == 3, "\(r)")
        for t in tries {
            #expect(t["status"] as? Int == 101, "a client while 100 stalls are held: \(r)")
            #expect(t["seconds"] as? Double ?? 99 < 3, "it got through without waiting out the stalls: \(r)")
        }
        #expect(r["stalled_closed_by_server"] as? Int ?? 0 >= 1, "stalls gave up their places: \(r)")
    }

    /// A client that sends Finalize after Finalize and never reads made the server buffer every
    /// answer (about 5 MB a second, without end). Now its input is left unread while a backlog of
    /// results waits, and after 10 s of that the stream is closed.
    @Test func aClientThatNeverReadsIsCutOff() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peerResult(Self.probe, ["never-read", server.url, "60"], timeout: 120)
        #expect(r["stalled_after"] is Double, "the server stops reading a client that does not read: \(r)")
        let cut = r["cut_after"] as? Double
        #expect(cut != nil && cut! < 45, "the connection is cut (stall 10 s + close 5 s + backlog): \(r)")
    }

    /// A client that sent a lot of audio and reset its connection left the server decoding all
    /// the audio still buffered, for minutes, on the threads other streams and upgrades need.
    @Test func aClientThatVanishesLeavesNoWorkBehind() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peerResult(Self.probe, ["vanish", server.url, "4", String(server.pid)], timeout: 120)
        #expect(r["sent"] as? Int ?? 0 >= 1, "\(r)")
        #expect(r["cpu_seconds_after"] as? Double ?? 99 < 1.5, "CPU seconds spent in the 5 s after the client left: \(r)")
    }

    /// While closing, the connection keeps reading to find the peer's close frame; everything it
    /// read was still queued for the application, so a client streaming through the 5 s close
    /// timeout made the server hold what it sent (300 MB over loopback).
    @Test func aClientIgnoringTheCloseCannotFillMemory() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peerResult(Self.probe, ["flood-after-close", server.url, String(server.pid)], timeout: 60)
        #expect(r["sent_messages"] as? Int ?? 0 >= 5, "the flood reached the server: \(r)")
        #expect(r["peak_growth_mib"] as? Double ?? 9999 < 100, "peak memory growth while closing: \(r)")
    }
}
