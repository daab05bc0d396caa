import Foundation
import Testing
import TestSupport
@testable import CapttyCore

/// A key file others can read is warned about; one others can write is refused (they could swap
/// in their own key and read the transcripts). `captty serve --api-key-file` enforces it; the
/// live and transcribe paths use the same `KeyFile.checkPermissions`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct KeyFilePermissionTests {
    static let key = "dg-SECRET-file-key-91b2"

    func keyFile(_ perms: mode_t) throws -> (URL, String) {
        let dir = try scratchDirectory()
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

    @Test func serveIsQuietAboutAPrivateKeyFile() throws {
        let (dir, path) = try keyFile(0o600)
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try ServeProcess(["--api-key-file", path])
        defer { server.stop() }
        #expect(!server.stderr.contains("warning"), "\(server.stderr)")
        #expect(server.stderr.contains("API key required"))
    }
}
