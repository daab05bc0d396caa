import Foundation
import Testing
import TestSupport

/// `captty transcribe` journals its finals while it runs: a long job killed with SIGKILL (the
/// OOM killer, a closed laptop lid gone wrong) lost everything it had transcribed. The default
/// journal is removed once the transcript is written; a named one (`--journal`) is kept; one
/// left by an interruption is said. The engine is the offline one (slow enough to be killed
/// halfway through a minute of speech).
@Suite(.serialized) struct TranscribeJournalTests {
    /// The preamble recording four times over (76 s of speech).
    static func longRecording(in dir: URL) throws -> String {
        let out = dir.appendingPathComponent("four preambles.wav").path
        let r = try runProcess("/usr/bin/sox", [TestAudio.preamble, TestAudio.preamble, TestAudio.preamble, TestAudio.preamble, out], timeout: 60)
        try #require(r.status == 0, "sox: \(r.stderr)")
        return out
    }

    static func journalLines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test(.timeLimit(.minutes(4))) func aKilledTranscribeLeavesItsFinalsInTheJournal() async throws {
        let dir = try scratchDirectory("transcribe-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try Self.longRecording(in: dir)
        let journal = dir.appendingPathComponent("job.jsonl").path
        let out = dir.appendingPathComponent("out.txt").path
        let captty = try startCaptty(["transcribe", "--engine", "local", "--journal", journal, "-o", out, wav],
                                     environment: ["XDG_DATA_HOME": dir.path])
        defer { captty.stop() }
        // Header plus three finals, then SIGKILL: nothing runs after it.
        let began = ContinuousClock.now
        while Self.journalLines(journal).count < 4, began.duration(to: .now) < .seconds(150), captty.process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        let before = Self.journalLines(journal)
        try #require(before.count >= 4, "the journal has \(before.count) lines; stderr: \(captty.stderrText)")
        captty.signal(SIGKILL)
        #expect(await captty.waitExit(timeout: 10))
        #expect(!FileManager.default.fileExists(atPath: out), "the transcript was never written: the journal is all there is")
        // The journal reads back: its finals, in order, from the first words.
        let export = try runCaptty(["export", journal, "--format", "txt", "--no-timestamps"])
        #expect(export.status == 0, "\(export.stderr)")
        let text = export.stdout.lowercased()
        #expect(text.hasPrefix("we") && text.contains("people of the united states"), "\(export.stdout)")
        #expect(export.stdout.split(separator: "\n").count >= before.count - 1, "\(export.stdout)")
    }

    @Test(.timeLimit(.minutes(3))) func theDefaultJournalIsRemovedOnceTheTranscriptIsWrittenAndKeptWhenInterrupted() async throws {
        let dir = try scratchDirectory("transcribe-journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let sessions = dir.appendingPathComponent("captty/sessions")
        func journals() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []).filter { $0.hasPrefix("transcribe-") }
        }
        let done = try runCaptty(["transcribe", "--engine", "local", TestAudio.preamble], environment: ["XDG_DATA_HOME": dir.path], timeout: 120)
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("United States"), "\(done.stdout)")
        #expect(journals().isEmpty, "the journal served its purpose: \(journals())")

        // Interrupted (SIGTERM) after the first finals: the transcript so far is written, and the
        // journal that holds them is kept and named.
        let wav = try Self.longRecording(in: dir)
        let captty = try startCaptty(["transcribe", "--engine", "local", wav], environment: ["XDG_DATA_HOME": dir.path])
        defer { captty.stop() }
        let began = ContinuousClock.now
        while journals().isEmpty || Self.journalLines(sessions.appendingPathComponent(journals()[0]).path).count < 3,
              began.duration(to: .now) < .seconds(120), captty.process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        captty.signal(SIGTERM)
        #expect(await captty.waitExit(timeout: 60), "stderr: \(captty.stderrText)")
        let kept = try #require(journals().first, "stderr: \(captty.stderrText)")
        let path = sessions.appendingPathComponent(kept).path
        #expect(captty.stderrText.contains("the finals that came back are in the journal \(path)"), "\(captty.stderrText)")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aNamedJournalThatExistsIsNeverOverwritten() throws {
        let dir = try scratchDirectory("transcribe-journal-exists")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("old.jsonl").path
        try "keep me\n".write(toFile: journal, atomically: true, encoding: .utf8)
        let r = try runCaptty(["transcribe", "--engine", "local", "--journal", journal, TestAudio.preamble], timeout: 60)
        // EX_CANTCREAT, as live captions exit for a journal they cannot create.
        #expect(r.status == 73, "\(r.status)")
        #expect(r.stderr.contains("already exists; choose another --journal path"), "\(r.stderr)")
        let missing = dir.appendingPathComponent("no-such-folder/j.jsonl").path
        let inMissing = try runCaptty(["transcribe", "--engine", "local", "--journal", missing, TestAudio.preamble], timeout: 60)
        #expect(inMissing.status == 73 && inMissing.stderr.contains("the folder \(dir.path)/no-such-folder for --journal does not exist"), "\(inMissing.status) \(inMissing.stderr)")
        let folder = try runCaptty(["transcribe", "--engine", "local", "--journal", dir.path, TestAudio.preamble], timeout: 60)
        #expect(folder.status == 73 && folder.stderr.contains("\(dir.path) is a directory: --journal takes a file path"), "\(folder.status) \(folder.stderr)")
        #expect(try String(contentsOfFile: journal, encoding: .utf8) == "keep me\n")
        let both = try runCaptty(["transcribe", "--journal", journal, "--no-journal", TestAudio.preamble], timeout: 60)
        #expect(both.status == 64 && both.stderr.contains("contradict"), "\(both.stderr)")
    }

    /// A transcribe's journal reads back as its transcript: the words the engine never made
    /// final (kept in the transcript, and said), the search hits and the entities were missing
    /// from it, so `captty export` of a journal kept after a failure lost them. The Deepgram
    /// test double closes without confirming its last words.
    @Test(.timeLimit(.minutes(2))) func theJournalReadsBackAsTheTranscript() async throws {
        let dir = try scratchDirectory("transcribe-journal-whole")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("job.jsonl").path
        let out = dir.appendingPathComponent("out.json").path, back = dir.appendingPathComponent("back.json").path
        try await withDeepgramDouble(["--no-final-at-close", "--final-seconds", "2", "--entities", "--search-hits"]) { double in
            let r = try runCaptty(["transcribe", "--engine", "deepgram", "--url", double.baseURL, "--journal", journal,
                                   "--detect-entities", "--search", "freedom", "-o", out, TestAudio.preamble],
                                  environment: ["DEEPGRAM_API_KEY": "test-key"], timeout: 90)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("never made its last words final"), "\(r.stderr)")
        }
        let export = try runCaptty(["export", journal, "--format", "json", "-o", back], timeout: 30)
        #expect(export.status == 0, "\(export.stderr)")
        let transcript = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? NSDictionary
        let fromJournal = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: back))) as? NSDictionary
        // What the comparison stands on is there: hits, entities, and the unconfirmed span.
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("\"search\"") && text.contains("\"entities\"") && text.contains("\"unconfirmed\""), "\(text.prefix(600))")
        #expect(transcript != nil && transcript == fromJournal,
                "the journal's export differs from the transcript:\n\(text.prefix(800))\n---\n\((try? String(contentsOfFile: back, encoding: .utf8))?.prefix(800) ?? "")")
    }
}
