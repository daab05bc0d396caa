import Foundation
import Testing
import TestSupport

/// The short soak for CI: 10 minutes of audio at 8× through `captty --plain` with the journal on
/// (Benchmarks/soak/soak.py, the harness behind `scripts/soak`): RSS stays flat, the server
/// receives every byte, and every final the server emitted is printed and journaled exactly once.
@Suite(.serialized) struct SoakTests {
    @Test(.timeLimit(.minutes(5))) func tenMinutesAtEightTimesSpeed() throws {
        let dir = try scratchDirectory("soak")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("soak.json").path
        let r = try runProcess(TestPaths.python, [
            TestPaths.packageRoot.appendingPathComponent("Benchmarks/soak/soak.py").path,
            "--minutes", "10", "--speed", "8", "--captty", TestPaths.capttyBinary.path, "--json", json], timeout: 280)
        print(r.stdout)
        #expect(!r.timedOut)
        let data = try Data(contentsOf: URL(fileURLWithPath: json))
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let checks = try #require(result["checks"] as? [String: Bool])
        for (name, ok) in checks.sorted(by: { $0.key < $1.key }) {
            #expect(ok, "soak check failed: \(name)\n\(r.stdout)\n\(r.stderr)")
        }
        #expect((result["file_bytes"] as? Int) == 10 * 60 * 32_000)
        #expect((result["server_finals"] as? Int ?? 0) >= 290)
        #expect(r.status == 0, "\(r.stderr)")
    }
}
