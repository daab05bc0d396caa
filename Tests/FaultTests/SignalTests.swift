import Foundation
import Testing
import TestSupport

/// SIGTERM, SIGHUP and SIGKILL to captty in plain mode mid-session. TERM and HUP: a clean exit
/// (status 0) with the journal flushed and complete (every printed line, nothing torn). KILL:
/// the journal still parses and holds every line printed more than 1 s before the kill.
@Suite(.serialized) struct SignalTests {
    struct Outcome {
        var captty: ChildProcess
        var journal: JournalSummary
        var words: [Int]
        var killedAt: ContinuousClock.Instant
    }

    func run(signal sig: Int32, name: String) async throws -> Outcome {
        let scene = try await CounterScene("sig\(sig)", seconds: 120)
        defer { scene.stop() }
        let (peers, journal) = (scene.peers, scene.journal)
        let captty = try scene.startPlainCaptty(["--speed", "4"])
        defer { captty.stop() }
        // Wait for 6 printed lines, then signal.
        _ = await captty.waitForLine(after: 5, timeout: 60) { _ in true }
        let killedAt = ContinuousClock.now
        captty.signal(sig)
        #expect(await captty.waitExit(timeout: 30), "captty ignored SIG\(name); stderr: \(captty.stderrText)")
        let j = try JournalSummary.read(journal)
        let words = FaultAudio.words(in: captty.stdoutLines)
        print("SIG\(name): captty \(captty.ending) \(String(format: "%.2f", (ContinuousClock.now - killedAt).inSeconds)) s after the signal; "
              + "lines printed \(captty.stdoutLines.count) (\(words.count) words), bytes received by the server "
              + "\(peers.bytesReceived()); journal \(j)")
        return Outcome(captty: captty, journal: j, words: words, killedAt: killedAt)
    }

    @Test(.timeLimit(.minutes(2)), arguments: [(SIGTERM, "TERM"), (SIGHUP, "HUP")])
    func terminationFlushesTheJournal(sig: Int32, name: String) async throws {
        let o = try await run(signal: sig, name: name)
        #expect(o.captty.ending == "exit 0", "stderr: \(o.captty.stderrText)")
        #expect(o.captty.stderrText.contains("Transcript saved to"))
        // The file was not captioned to its end, and the end says how far it got (it said
        // "finished" as if it were whole).
        let early = o.captty.stderrLines.compactMap { line -> Substring? in
            line.firstMatch(of: /^captty: stopped at (\d\d:\d\d:\d\d) of \S+\.wav \(00:02:00 long\): the rest was not captioned$/)?.1
        }
        #expect(early.count == 1 && early.first != "00:00:00" && early.first.map { $0 < "00:02:00" } == true,
                "stderr: \(o.captty.stderrText)")
        #expect(o.words.count >= 24)
        #expect(o.journal.words == o.words, "journal and printed lines differ")
        #expect(o.journal.issues.isEmpty && !o.journal.tornLastLine)
        #expect(FaultAudio.transcriptProblems(words: o.words, total: Int.max / 2).filter { !$0.hasPrefix("last word") } == [])
    }

    @Test(.timeLimit(.minutes(2))) func killLeavesAReadableJournal() async throws {
        let o = try await run(signal: SIGKILL, name: "KILL")
        #expect(o.captty.ending == "signal 9")
        let early = FaultAudio.words(in: o.captty.stampedStdout.filter { $0.0 < o.killedAt - .seconds(1) }.map(\.1))
        #expect(!early.isEmpty)
        #expect(Array(o.journal.words.prefix(early.count)) == early, "a line printed > 1 s before the kill is missing from the journal")
        #expect(o.journal.issues.allSatisfy { _ in o.journal.tornLastLine }, "only a torn last line is allowed: \(o.journal.issues)")
    }
}
