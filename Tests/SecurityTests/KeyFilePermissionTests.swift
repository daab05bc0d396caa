import Foundation
import Testing
import TestSupport
@testable import CapttyCore

/// `captty serve --api-key-file` (`KeyFile.checkPermissions`) warns about a key file others can
/// read and refuses one others can write (they could swap in their own key); live and transcribe
/// (`Deepgram.Credential`) refuse any key file with group or other permissions.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct KeyFilePermissionTests {
    static let key = "dg-SECRET-file-key-91b2"

    func keyFile(_ perms: mode_t) throws -> (URL, String) {
        let dir = try scratchDirectory("sec")
        let path = dir.appendingPathComponent("key").path
        try (Self.key + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(chmod(path, perms) == 0)
        return (dir, path)
    }

    @Test func checkPermissionsByMode() throws {
        for (perms, outcome) in [(0o600, "ok"), (0o400, "ok"), (0o640, "warn"), (0o644, "warn"), (0o604, "warn"),
                                 (0o620, "refuse"), (0o602, "refuse"), (0o666, "refuse"), (0o660, "refuse")] as [(mode_t, String)] {
            let (dir, path) = try keyFile(perms)
            defer { try? FileManager.default.removeItem(at: dir) }
            var warnings: [String] = []
            do {
                try KeyFile.checkPermissions(path) { warnings.append($0) }
                #expect(outcome != "refuse", "\(String(perms, radix: 8)) accepted")
                #expect(warnings.isEmpty == (outcome == "ok"), "\(String(perms, radix: 8)): \(warnings)")
                #expect(warnings.allSatisfy { $0.contains("chmod 600") && !$0.contains(Self.key) })
            } catch {
                #expect(outcome == "refuse", "\(String(perms, radix: 8)) refused: \(error)")
                #expect("\(error)".contains("chmod 600") && !"\(error)".contains(Self.key))
            }
        }
    }

    @Test func serveWarnsAboutAReadableKeyFileAndStillServes() throws {
        let (dir, path) = try keyFile(0o644)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try ServeProcess(["--api-key-file", path])
        defer { server.stop() }
        #expect(server.stderr.contains("readable by other users"), "\(server.stderr)")
        #expect(server.stderr.contains("chmod 600 \(path)"))
        #expect(!server.stderr.contains(Self.key))
    }

    @Test func serveRefusesAKeyFileOthersCanWrite() throws {
        for perms: mode_t in [0o666, 0o620] {
            let (dir, path) = try keyFile(perms)
            defer { try? FileManager.default.removeItem(at: dir) }
            let r = try runCaptty(["serve", "--port", "0", "--api-key-file", path], timeout: 60)
            #expect(r.status != 0 && !r.timedOut, "\(String(perms, radix: 8)): \(r.stderr)")
            #expect(r.stderr.contains("can be changed by other users") && r.stderr.contains("chmod 600"), "\(r.stderr)")
            #expect(!r.stderr.contains("listening on"))
            #expect(!r.stderr.contains(Self.key) && !r.stdout.contains(Self.key))
        }
    }

    /// A key file of two lines (a key and a note, or two keys) was taken as one key with a
    /// newline in it: the server started, then answered 401 to every client. Refused at start.
    @Test func serveRefusesAKeyFileOfMoreThanOneWord() throws {
        let dir = try scratchDirectory("serve-keyfile-lines")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("key").path
        try "\(Self.key)\nold-key-kept-here\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        let r = try runCaptty(["serve", "--port", "0", "--api-key-file", path], timeout: 60)
        #expect(r.status != 0 && !r.timedOut, "\(r.stderr)")
        #expect(r.stderr.contains("more than one word or line"), "\(r.stderr)")
        #expect(!r.stderr.contains("listening on"))
        #expect(!r.stderr.contains(Self.key) && !r.stderr.contains("old-key-kept-here"))
    }

    /// The Deepgram client (`Credential`, live and transcribe) is stricter than `serve`: any
    /// group or other permission bit refuses the file.
    @Test func liveAndTranscribeRefuseAKeyFileOthersCanRead() throws {
        let wav = TestPaths.deepgramFixtures.appendingPathComponent("audio/testing-websocket.wav").path
        for perms: mode_t in [0o644, 0o640, 0o666] {
            let (dir, path) = try keyFile(perms)
            defer { try? FileManager.default.removeItem(at: dir) }
            for argv in [["transcribe", "--engine", "deepgram", "--url", "ws://127.0.0.1:9", "--api-key-file", path, wav],
                         ["--engine", "deepgram", "--url", "ws://127.0.0.1:9", "--api-key-file", path, "--file", wav, "--plain", "--no-journal"]] {
                let r = try runCaptty(argv, environment: ["DEEPGRAM_API_KEY": nil, "HOME": dir.path], timeout: 60)
                #expect(r.status != 0 && !r.timedOut, "\(argv[0]) \(String(perms, radix: 8)): \(r.stderr)")
                #expect(r.stderr.contains("chmod 600"), "\(r.stderr)")
                #expect(!r.stderr.contains(Self.key) && !r.stdout.contains(Self.key))
            }
        }
    }

    @Test func serveIsQuietAboutAPrivateKeyFile() throws {
        let (dir, path) = try keyFile(0o600)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try ServeProcess(["--api-key-file", path])
        defer { server.stop() }
        #expect(!server.stderr.contains("warning"), "\(server.stderr)")
        #expect(server.stderr.contains("API key required"))
    }
}
