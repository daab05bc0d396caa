import Foundation
import LocalSpeech
import Testing
import TestSupport

/// The upgrade edges of the local server, driven by hand-made requests (raw sockets in a Python
/// peer): what Deepgram's clients that are not SDKs send, and what a client that vanishes does.
extension RealEngineTests {
    @Suite(.serialized, .enabled(if: InstalledModels.sphinx, "offline models not installed: run scripts/install-local-engine"))
    struct DeepgramServerUpgradeTests {
        typealias Conformance = DeepgramServerConformanceTests

        /// Refusals the WebSocket layer makes before the request reaches the server's own checks
        /// used to be bare text: no `dg-request-id`, no `dg-error`, no JSON body.
        @Test(.timeLimit(.minutes(2)))
        func everyRefusalCarriesDeepgramsErrorShape() async throws {
            try await Conformance.withServer { _, url in
                for (kind, status) in [("post", 405), ("http10", 400), ("nohost", 400), ("plain", 426), ("version8", 426), ("malformed", 400)] {
                    let r = try await PythonPeer("local_server_probe.py", ["raw", url, kind]).json(timeout: 30)
                    let headers = r["headers"] as? [String: String] ?? [:]
                    #expect(r["status"] as? Int == status, "\(kind): \(r)")
                    #expect(headers["dg-request-id"]?.isEmpty == false, "\(kind): \(r)")
                    #expect(headers["dg-error"]?.isEmpty == false, "\(kind): \(r)")
                    let body = try JSONSerialization.jsonObject(with: Data((r["body"] as? String ?? "").utf8)) as? [String: Any]
                    #expect(body?["err_msg"] as? String == headers["dg-error"], "\(kind): \(r)")
                    #expect(body?["request_id"] as? String == headers["dg-request-id"], "\(kind): \(r)")
                }
                // The headers the protocol needs stay.
                let post = try await PythonPeer("local_server_probe.py", ["raw", url, "post"]).json(timeout: 30)
                #expect((post["headers"] as? [String: String])?["allow"] == "GET", "\(post)")
                // A POST is Deepgram's pre-recorded API: said to be not served here, and what to use.
                #expect((post["headers"] as? [String: String])?["dg-error"]?.contains("captty transcribe") == true, "\(post)")
                // HEAD gets the same status and headers and no body (RFC 9110 9.3.2).
                let head = try await PythonPeer("local_server_probe.py", ["raw", url, "head"]).json(timeout: 30)
                #expect(head["status"] as? Int == 405, "\(head)")
                #expect((head["headers"] as? [String: String])?["dg-error"]?.isEmpty == false, "\(head)")
                #expect((head["body"] as? String) == "", "\(head)")
            }
        }

        /// Paths this server does not serve are 404 whatever the request: a plain GET of / was
        /// told "WebSocket only" and a POST to /v1/projects "method not allowed" (the SDK's
        /// projects call reported 426). An absolute-form target (RFC 9112 3.2.2) names its path
        /// (it was 404). A `dg-error` quoting a 15 000-character value is cut short: its 15 KB
        /// header line broke the SDKs' HTTP parser, which then saw no answer at all.
        @Test(.timeLimit(.minutes(2)))
        func otherPathsAbsoluteTargetsAndLongValues() async throws {
            try await Conformance.withServer { _, url in
                for kind in ["root", "projects"] {
                    let r = try await PythonPeer("local_server_probe.py", ["raw", url, kind]).json(timeout: 30)
                    #expect(r["status"] as? Int == 404, "\(kind): \(r)")
                    let headers = r["headers"] as? [String: String] ?? [:]
                    #expect(headers["dg-error"]?.contains("/v1/listen only") == true && headers["dg-request-id"]?.isEmpty == false, "\(kind): \(r)")
                }
                let absolute = try await PythonPeer("local_server_probe.py", ["raw", url, "absolute"]).json(timeout: 30)
                #expect(absolute["status"] as? Int == 101, "\(absolute)")
                let long = try await PythonPeer("local_server_probe.py", ["upgrade", url + "?language=" + String(repeating: "x", count: 15_000)]).json(timeout: 30)
                #expect(long["status"] as? Int == 400, "the 400 did not reach the client: \(long)")
                let said = long["dg_error"] as? String ?? ""
                #expect(said.contains("language") && said.count <= 501, "\(said.count) characters: \(said.prefix(200))")
            }
        }

        /// A `dg-error` quoting a value with a line break used to be dropped whole (unsafe header).
        @Test(.timeLimit(.minutes(2)))
        func aDgErrorQuotingALineBreakIsKept() async throws {
            try await Conformance.withServer { _, url in
                let r = try await PythonPeer("local_server_probe.py", ["upgrade", url + "?language=en%0D%0AX-Injected:%201"]).json(timeout: 30)
                #expect(r["status"] as? Int == 400, "\(r)")
                #expect((r["dg_error"] as? String)?.contains("language") == true, "\(r)")
            }
        }

        /// A client that resets its connection right after the upgrade request (before the 101)
        /// held its stream slot until the reservation expired 30 s later: with `--max-clients 1`,
        /// one such client a half-minute locked everyone out.
        @Test(.timeLimit(.minutes(2)))
        func anUpgradeAbandonedBeforeTheAnswerGivesItsSlotBack() async throws {
            try await Conformance.withServer(maxClients: 1) { server, url in
                let r = try await PythonPeer("local_server_probe.py", ["reset-upgrades", url, "3"]).json(timeout: 60)
                #expect(r["status"] as? Int == 101, "\(r)")
                #expect((r["admitted_after"] as? Double ?? 99) < 5, "a normal client waited for the reset ones' slots: \(r)")
            }
        }

        /// With `--max-clients 1`, a client that opens its next stream the moment the last one
        /// closed (after CloseStream) is admitted: the slot used to be freed only after the close
        /// handshake, and such a client got 503 for up to 0.1 s.
        @Test(.timeLimit(.minutes(2)))
        func theNextStreamRightAfterAClosedOneIsAdmitted() async throws {
            let wav = TestPaths.deepgramFixtures.appendingPathComponent("audio/testing-websocket.wav")
            try await Conformance.withServer(maxClients: 1) { _, url in
                let r = try await PythonPeer("local_server_probe.py", [
                    "back-to-back", url + "?encoding=mulaw&sample_rate=8000", wav.path, String(try Conformance.dataOffset(wav)), "5"])
                    .json(timeout: 90)
                #expect(r["statuses"] as? [Int] == [101, 101, 101, 101, 101], "\(r)")
                // Also after a plain close mid-stream (no CloseStream): the stream's recognizer
                // takes a moment to stop, and the next upgrade waits for it instead of a 503.
                let plain = try await PythonPeer("local_server_probe.py", [
                    "back-to-back", url + "?encoding=mulaw&sample_rate=8000", wav.path, String(try Conformance.dataOffset(wav)), "5",
                    "plain-close"]).json(timeout: 90)
                #expect(plain["statuses"] as? [Int] == [101, 101, 101, 101, 101], "\(plain)")
            }
        }

        /// Two clients sending the same `Sec-WebSocket-Key` (the RFC's sample key, as hand-written
        /// clients copy it) at once: the server matched streams to their options by that key, so
        /// one was closed with 1011 "unknown stream" and the other could get its options.
        @Test(.timeLimit(.minutes(3)))
        func clientsSharingASecWebSocketKeyEachGetTheirOwnStream() async throws {
            let audio = TestPaths.deepgramFixtures.appendingPathComponent("audio")
            let mulaw = audio.appendingPathComponent("preamble-websocket.wav"), pcm = audio.appendingPathComponent("preamble-rest.wav")
            try await Conformance.withServer { _, url in
                let peer = try PythonPeer("local_server_probe.py", [
                    "same-key", url,
                    mulaw.path, String(try Conformance.dataOffset(mulaw)), "?encoding=mulaw&sample_rate=8000",
                    pcm.path, String(try Conformance.dataOffset(pcm)), "?encoding=linear16&sample_rate=22050", "7"])
                let r = try await peer.json(timeout: 150)
                let streams = r["streams"] as? [[String: Any]] ?? []
                #expect(streams.count == 2, "\(r)")
                for s in streams {
                    #expect(s["status"] as? Int == 101, "\(s)")
                    #expect(s["code"] as? Int == 1000, "\(s)")
                    #expect((s["types"] as? [String])?.last == "Metadata", "\(s)")
                    let text = (s["finals"] as? [String] ?? []).joined(separator: " ").lowercased()
                    #expect(text.contains("people"), "each stream decoded with its own options: \(s)")
                }
            }
        }

        /// The idle watchdog counted from the last message taken, so a client whose one large
        /// message took longer than the idle timeout to decode was closed with NET-0001 while it
        /// waited for its results. (Idle timeout 1 s here; 1 MB of mu-law is 125 s of audio.)
        @Test(.timeLimit(.minutes(3)))
        func audioStillBeingDecodedIsNotIdleness() async throws {
            try await Conformance.withServer(idle: 1) { _, url in
                let r = try await PythonPeer("serve_resource_probe.py", ["big-audio", url, "2", "1000000"]).json(timeout: 170)
                #expect(r["code"] as? Int == 1000, "\(r)")
                #expect((r["types"] as? [String])?.last == "Metadata", "\(r)")
                #expect(abs((r["duration"] as? Double ?? 0) - 250) < 0.5, "\(r)")
            }
        }

        /// A hand-written client that sends CloseStream and then shuts down its sending side of
        /// TCP (`nc -N`, a script's `shutdown(SHUT_WR)`) lost every result: the server took the
        /// end of its input for a lost connection and stopped. It still reads, so it gets them.
        @Test(.timeLimit(.minutes(2)))
        func aClientThatHalfClosesAfterCloseStreamGetsItsResults() async throws {
            let wav = TestPaths.deepgramFixtures.appendingPathComponent("audio/testing-websocket.wav")
            try await Conformance.withServer { _, url in
                let r = try await PythonPeer("local_server_probe.py", [
                    "half-close", url, wav.path, String(try Conformance.dataOffset(wav)), "?encoding=mulaw&sample_rate=8000"])
                    .json(timeout: 90)
                let s = (r["streams"] as? [[String: Any]])?.first ?? [:]
                #expect(s["status"] as? Int == 101, "\(r)")
                #expect((s["types"] as? [String])?.last == "Metadata", "\(r)")
                let text = (s["finals"] as? [String] ?? []).joined(separator: " ").lowercased()
                #expect(text.contains("testing"), "\(r)")
                // The server's close frame came (a 1006-style end has no code).
                #expect(s["code"] as? Int == 1000, "\(r)")
            }
        }
    }
}
