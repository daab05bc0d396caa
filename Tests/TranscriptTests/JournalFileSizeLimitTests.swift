import Foundation
import Testing
import Transcript

/// A file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) in a child process — the same failure
/// as a full disk, without root: a clear error, the journal on disk intact, nothing lost once
/// the limit is lifted.
@Suite struct JournalFileSizeLimitTests {
    struct ChildReport: Decodable {
        var appended: Int
        var failure: String
        var retrying: Bool
        var written_while_failing: Int
        var pending_while_failing: Int
        var recovered: Bool
    }

    @Test func aFileSizeLimitIsReportedAndTheJournalStaysIntact() async throws {
        guard let child = JournalCrashTests.childURL else {
            Issue.record("transcript-crash-child is not built next to the tests; run `swift build` first")
            return
        }
        let tmp = try TempDirectory("fsize"); defer { tmp.remove() }
        let journal = tmp.file("s.jsonl")
        let p = Process()
        p.executableURL = child
        p.arguments = ["--fsize-limit", "20000", journal.path]
        let outURL = tmp.file("out.json")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        #expect(await eventually(timeout: 60) { !p.isRunning }, "the child did not finish")
        p.waitUntilExit()
        try out.close()
        #expect(p.terminationStatus == 0)
        let r = try JSONDecoder().decode(ChildReport.self, from: Data(contentsOf: outURL))
        #expect(r.failure.contains("File too large"), "\(r.failure)")
        #expect(r.failure.contains("ulimit -f"))
        #expect(r.retrying)
        #expect(r.pending_while_failing == r.appended + 1 - r.written_while_failing)
        #expect(r.recovered)
        // Everything is there, in order, and no line is torn.
        let c = try JournalReader.read(journal)
        #expect(!c.tornLastLine && c.issues.isEmpty)
        #expect(c.segments.map(\.lineID) == Array(0 ..< r.appended))
    }
}
