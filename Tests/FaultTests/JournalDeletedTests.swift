import Foundation
import Testing
import TestSupport

/// The journal's file goes while `captty --plain` captions a file (a cleanup script, `rm` by
/// mistake): captty says so on stderr, writes the journal again with every line, and its exit
/// message names the file that holds the transcript.
@Suite(.serialized) struct JournalDeletedTests {
    /// Starts captty on a 32 s counter file at 4× speed (about 8 s), waits for a few caption
    /// lines, runs `damage` on the journal's path, waits for the end.
    func run(_ label: String, damage: (String) throws -> Void) async throws -> (ChildProcess, journal: String, dir: URL) {
        let dir = try scratchDirectory(label)
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 32)
        let peers = try await ProxiedDouble(in: dir)
        defer { peers.stop() }
        // The folder must exist (captty does not make up a --journal path's folders).
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sessions"), withIntermediateDirectories: true)
        let journal = dir.appendingPathComponent("sessions/j.jsonl").path
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "4", "--engine", "deepgram",
                                      "--url", peers.url, "--journal", journal],
                                     environment: ["XDG_DATA_HOME": dir.appendingPathComponent("data").path])
        defer { captty.stop() }
        #expect(await captty.waitForLine(after: 2, timeout: 60) { _ in true } != nil, "no captions; stderr: \(captty.stderrText)")
        #expect(captty.process.isRunning, "the file ended before the journal could be damaged")
        try damage(journal)
        #expect(await captty.waitExit(timeout: 90), "captty did not finish; stderr: \(captty.stderrText)")
        print("\(label): captty \(captty.ending); stderr:\n\(captty.stderrText)")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(FaultAudio.transcriptProblems(words: FaultAudio.words(in: captty.stdoutLines), total: total) == [])
        return (captty, journal, dir)
    }

    /// The journal at `path` holds exactly what was printed.
    func expectEveryLine(_ captty: ChildProcess, in path: String) throws {
        let words = FaultAudio.words(in: captty.stdoutLines)
        let j = try JournalSummary.read(path)
        #expect(j.words == words, "the journal (\(j)) differs from what was printed (\(words.count) words)")
        #expect(j.issues.isEmpty && !j.tornLastLine, "\(j)")
    }

    @Test(.timeLimit(.minutes(3))) func aDeletedJournalIsWrittenAgainAndSaidOnce() async throws {
        let (captty, journal, dir) = try await run("journal-deleted") { try FileManager.default.removeItem(atPath: $0) }
        defer { try? FileManager.default.removeItem(at: dir) }
        let said = captty.stderrLines.filter { $0.contains("was deleted while captions ran") }
        #expect(said.count == 1, "stderr: \(captty.stderrText)")
        let prefix = "captty: the journal \(journal) was deleted while captions ran; it was written again with all "
        #expect(said.first?.hasPrefix(prefix) == true && said.first?.hasSuffix(" lines") == true, "\(said)")
        #expect(!captty.stderrText.contains("SAVE FAILED"), "stderr: \(captty.stderrText)")
        #expect(captty.stderrLines.last == "Transcript saved to \(journal); export it with: captty export \(journal) --format srt")
        try expectEveryLine(captty, in: journal)
    }

    @Test(.timeLimit(.minutes(3))) func aReplacedJournalGoesOnNextToItAndTheExitMessageNamesThat() async throws {
        let other = "not captty's\n"
        let (captty, journal, dir) = try await run("journal-replaced") { path in
            try FileManager.default.removeItem(atPath: path)
            try Data(other.utf8).write(to: URL(fileURLWithPath: path))
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let moved = dir.appendingPathComponent("sessions/j-recovered.jsonl").path
        #expect(captty.stderrLines.contains { $0.hasPrefix("captty: the journal \(journal) was replaced by another file while captions ran; that file was left alone and the journal continues in \(moved) with all ") },
                "stderr: \(captty.stderrText)")
        #expect(captty.stderrLines.contains("captty: saving to \(moved)"))
        #expect(captty.stderrLines.last == "Transcript saved to \(moved); export it with: captty export \(moved) --format srt")
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == other)
        try expectEveryLine(captty, in: moved)
    }
}
