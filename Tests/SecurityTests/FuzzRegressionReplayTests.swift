import Foundation
import Testing
import TestSupport
@testable import WebSocket

/// Every input that once made a fuzzer fail (fuzz/<target>/regressions/) still passes the same
/// checks, under plain `swift test` without libFuzzer. The Deepgram, WAV, config and listen checks are the
/// fuzzers' own property files (FuzzChecks/ links to fuzz/); a violated property stops the test
/// process, which fails the run.
@Suite struct FuzzRegressionReplayTests {
    static func inputs(_ folder: String) throws -> [(String, [UInt8])] {
        let dir = TestPaths.packageRoot.appendingPathComponent("fuzz").appendingPathComponent(folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { ($0, [UInt8](try Data(contentsOf: dir.appendingPathComponent($0)))) }
    }

    @Test func regressionFoldersExistForEveryTarget() throws {
        for folder in ["deepgram/regressions", "wav/regressions", "config/regressions", "listen/regressions",
                       "websocket/regressions/frames", "websocket/regressions/http"] {
            var isDir: ObjCBool = false
            let path = TestPaths.packageRoot.appendingPathComponent("fuzz/\(folder)").path
            #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue, "\(folder)")
        }
        // Bugs the fuzzers found are kept as regression inputs.
        #expect(try Self.inputs("wav/regressions").map(\.0).contains("nan-float-sample-to-int16.bin"))
        #expect(try Self.inputs("config/regressions").map(\.0).contains("crlf-line-endings-duplicate-key.toml"))
        #expect(try Self.inputs("websocket/regressions/http").map(\.0).contains("chunk-size-overflow"))
    }

    @Test func deepgramMessageRegressions() throws {
        for (_, bytes) in try Self.inputs("deepgram/regressions") { DeepgramMessageCheck.check(bytes) }
        // The seed corpus passes too (real captures of Deepgram's messages).
        for (_, bytes) in try Self.inputs("deepgram/corpus") { DeepgramMessageCheck.check(bytes) }
    }

    @Test func wavRegressions() throws {
        let found = try Self.inputs("wav/regressions")
        #expect(!found.isEmpty)
        for (_, bytes) in found { WAVCheck.check(bytes) }
        for (_, bytes) in try Self.inputs("wav/corpus") { WAVCheck.check(bytes) }
    }

    @Test func configRegressions() throws {
        let found = try Self.inputs("config/regressions")
        #expect(!found.isEmpty)
        for (_, bytes) in found { ConfigCheck.check(bytes) }
        for (_, bytes) in try Self.inputs("config/corpus") { ConfigCheck.check(bytes) }
    }

    @Test func listenIntakeRegressions() throws {
        for (_, bytes) in try Self.inputs("listen/regressions") { ListenIntakeCheck.check(bytes) }
        for (_, bytes) in try Self.inputs("listen/corpus") { ListenIntakeCheck.check(bytes) }
    }

    /// The WebSocket targets' checks live in their libFuzzer files (branch ws); these are the same
    /// calls: the decoder and assembler in both roles, the HTTP head parser and both handshake sides.
    @Test func webSocketFrameRegressions() throws {
        for (name, bytes) in try Self.inputs("websocket/regressions/frames") where !bytes.isEmpty {
            for masked in [false, true] {
                var decoder = FrameDecoder(expectMasked: masked, maxFrameSize: 1 << 16)
                var assembler = MessageAssembler(maxMessageSize: 1 << 17)
                decoder.feed(bytes.dropFirst())
                loop: while true {
                    do {
                        guard let frame = try decoder.next() else { break }
                        _ = try assembler.receive(frame)
                    } catch {
                        #expect([1002, 1007, 1009].contains(error.code), "\(name): close code \(error.code)")
                        break loop
                    }
                }
            }
        }
    }

    @Test func webSocketHTTPRegressions() throws {
        for (name, bytes) in try Self.inputs("websocket/regressions/http") {
            #expect(Handshake.dechunk(bytes).count <= bytes.count, "\(name)")
            guard case .complete(let head, let consumed)? = try? HTTPHead.parse(bytes, maxHeadSize: 4096) else { continue }
            #expect(consumed <= bytes.count)
            if let status = try? head.responseStatus() { #expect((100...999).contains(status.code)) }
            do {
                let request = try Handshake.parseRequest(head)
                let response = Handshake.switchingResponse(accept: "x", headers: Array(request.headers.all.prefix(190)))
                guard case .complete(let back, _)? = try? HTTPHead.parse(response, maxHeadSize: 1 << 20) else {
                    Issue.record("\(name): our 101 response does not parse"); continue
                }
                #expect((try? back.responseStatus().code) == 101)
            } catch {
                let answer = Handshake.rejectionResponse(status: error.status, headers: error.headers, body: error.body)
                guard case .complete(let back, _)? = try? HTTPHead.parse(answer, maxHeadSize: 1 << 20) else {
                    Issue.record("\(name): our rejection does not parse"); continue
                }
                #expect((try? back.responseStatus().code) == error.status)
            }
        }
    }
}
