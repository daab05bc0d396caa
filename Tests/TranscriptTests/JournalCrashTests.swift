import Foundation
import TestSupport
import Testing
import Transcript

/// kill -9 while journaling: a child process (transcript-crash-child) appends finals and
/// reports each one's commit time; the parent SIGKILLs it at a random moment. The journal must
/// parse (a torn last line at most) and hold every final committed more than 1 s before the
/// kill — in fact every final whose append had returned, since each line is written at once.
@Suite(.serialized) struct JournalCrashTests {
    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The child binary, next to the test bundle in the build directory.
    static var childURL: URL? {
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let u = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("transcript-crash-child")
        return FileManager.default.isExecutableFile(atPath: u.path) ? u : nil
    }

    /// Reads `<id> <ns>` lines, ignoring a torn last one.
    static func reports(_ url: URL) -> [(id: Int, ns: UInt64)] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { l in
            let p = l.split(separator: " ")
            guard p.count == 2, let id = Int(p[0]), let ns = UInt64(p[1]) else { return nil }
            return (id, ns)
        }
    }

    @Test(arguments: [UInt64(11), 22, 33])
    func sigkillLosesNothingCommittedMoreThanASecondBefore(seed: UInt64) async throws {
        guard let child = Self.childURL else {
            Issue.record("transcript-crash-child is not built next to the tests; run `swift build` first")
            return
        }
        var rng = SeededRandom(seed: seed)
        let tmp = try TempDirectory("crash"); defer { tmp.remove() }
        let journal = tmp.file("sessions/s.jsonl")
        let report = tmp.file("report.txt")
        let p = Process()
        p.executableURL = child
        p.arguments = [journal.path, report.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }

        // Wait (bounded) for the child to start committing, then kill it at a random moment.
        let started = await eventually(timeout: 60) { !Self.reports(report).isEmpty || !p.isRunning }
        #expect(started && p.isRunning, "the child did not start journaling")
        guard started && p.isRunning else { return }
        try await Task.sleep(for: .milliseconds(rng.int(1200 ... 2600)))
        let killedAt = Self.monotonicNanoseconds()
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)

        let committed = Self.reports(report)
        let oldEnough = committed.filter { $0.ns + 1_000_000_000 < killedAt }.map(\.id)
        #expect(!oldEnough.isEmpty, "no final was committed more than 1 s before the kill")
        let contents = try JournalReader.read(journal)
        #expect(contents.issues.isEmpty, "corrupt lines: \(contents.issues)")
        #expect(contents.header.engine == "crash-test")
        let ids = contents.segments.map(\.lineID)
        // In order, none missing, none repeated.
        #expect(ids == Array(0 ..< ids.count))
        let inJournal = Set(ids)
        #expect(oldEnough.allSatisfy(inJournal.contains), "finals committed >1 s before the kill are missing")
        #expect(committed.allSatisfy { inJournal.contains($0.id) }, "a final whose append returned is missing")
        // Every journaled final is complete.
        #expect(contents.segments.allSatisfy { $0.words.count == 5 + $0.lineID % 40 })
        #expect(FileManager.default.fileExists(atPath: journal.path))
    }
}
