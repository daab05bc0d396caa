import Foundation
import Testing
import TestSupport
@testable import CapttyCore

/// `captty serve` is safe by default: it binds loopback, warns when told to bind anything else,
/// and bounds what a client can make it hold (message size, streams at once). The library-level
/// behaviour is tested in LocalSpeechTests/DeepgramServerConformanceTests (401 for a wrong key,
/// 429 beyond the limit, 1011 NET-0001 for an idle stream); these run the real binary.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ServeExposureTests {
    @Test func bindsLoopbackByDefault() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        #expect(server.stderr.contains("listening on ws://127.0.0.1:\(server.port)/v1/listen"), "\(server.stderr)")
        #expect(server.stderr.contains("point clients at ws://127.0.0.1:\(server.port) ("), "\(server.stderr)")
        #expect(!server.stderr.contains("not a loopback address"))
        // Streams at once: one per core (at least two) unless told. Four on 2 cores admitted
        // streams whose captions fell behind; the operator now reads the limit at start.
        let perCore = max(2, ProcessInfo.processInfo.activeProcessorCount)
        #expect(server.stderr.contains("up to \(perCore) streams at once"), "\(server.stderr)")
        let help = try runCaptty(["serve", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("Default: one per core, at least 2."), "\(help)")
        #expect(try runCaptty(["serve", "--help"]).stdout.contains("default: 127.0.0.1"))
    }

    /// A port in use is said as a listening problem with what to do (it read "cannot listen on
    /// 127.0.0.1:P: cannot connect to 127.0.0.1:P: cannot listen: bind: Address already in use").
    @Test func aPortInUseIsSaidPlainly() throws {
        let first = try ServeProcess([])
        defer { first.stop() }
        let r = try runCaptty(["serve", "--port", "\(first.port)"], timeout: 60)
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot listen on 127.0.0.1:\(first.port): bind: Address already in use — another program uses that port"), "\(r.stderr)")
        #expect(!r.stderr.contains("cannot connect"), "\(r.stderr)")
    }

    @Test func loopbackIsRecognisedStrictly() {
        for host in ["127.0.0.1", "127.1.2.3", "::1", "localhost"] { #expect(ServeRunner.isLoopback(host), "\(host)") }
        // A host name that merely starts with "127." can resolve anywhere (found in review).
        for host in ["0.0.0.0", "::", "10.0.0.1", "192.168.1.20", "example.com", "127.example.com", "127.0.0.1.nip.io", "::ffff:10.0.0.1"] {
            #expect(!ServeRunner.isLoopback(host), "\(host)")
        }
    }

    @Test func aMessageOverTheLimitIsClosedWith1009() throws {
        let server = try ServeProcess([])
        defer { server.stop() }
        let r = try peerResult("security_ws_probe.py", ["oversize", server.url + "?encoding=linear16&sample_rate=16000", "-", String((16 << 20) + 1)],
                               timeout: 120)
        #expect(r["code"] as? Int == 1009, "\(r)")
    }

    @Test func streamsBeyondMaxClientsGet429WithDgError() throws {
        let server = try ServeProcess(["--max-clients", "1"])
        defer { server.stop() }
        #expect(server.stderr.contains("up to 1 stream at once"), "\(server.stderr)")
        let r = try peerResult("security_ws_probe.py", ["many", server.url + "?encoding=linear16&sample_rate=16000", "-", "2"])
        let streams = r["streams"] as? [[String: Any]] ?? []
        #expect(streams.count == 2, "\(r)")
        #expect(streams.first?["status"] as? Int == 101)
        #expect(streams.last?["status"] as? Int == 429, "\(r)")
        #expect((streams.last?["dg_error"] as? String)?.contains("Too many") == true, "\(r)")
        #expect((streams.last?["dg_request_id"] as? String)?.isEmpty == false)
        // The operator learns that a multichannel stream takes one slot per channel.
        #expect(try runCaptty(["serve", "--help"]).stdout.contains("counting once per channel"))
    }
}
