import Foundation
import Testing
import TestSupport
import Deepgram
import Transcript

/// Transcripts are private: journals and exports are 0600 and the folders captty makes for them
/// 0700, whatever the umask (here 000, the most permissive), and an existing export file others
/// could read is replaced by a private one. (JournalTests covers the journal writer's modes under
/// the default umask; SubcommandTests covers `transcribe -o` under it.)
@Suite(.serialized, .timeLimit(.minutes(5)))
struct PrivateFilesTests {
    /// Runs captty under `umask 000`.
    static func capttyWithOpenUmask(_ args: [String], timeout: Double = 240) throws -> ProcessResult {
        let quoted = ([TestPaths.capttyBinary.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try runProcess("/bin/sh", ["-c", "umask 000; exec " + quoted.joined(separator: " ")], timeout: timeout)
    }

    static func journal(in dir: URL) async throws -> URL {
        let journal = dir.appendingPathComponent("sessions/nested/s.jsonl")
        let w = await JournalWriter(url: journal, header: JournalHeader(engine: "test", model: "nova-3", capttyVersion: "0.1.0"))
        var store = TranscriptStore()
        let r = Results(start: 0, duration: 1.5, isFinal: true, speechFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: "private words", confidence: 0.9,
                        words: [Word(word: "private", start: 0.1, end: 0.6, confidence: 0.9),
                                Word(word: "words", start: 0.6, end: 1.2, confidence: 0.9)])]))
        _ = await w.append(store.apply(.results(r)))
        _ = await w.close()
        return journal
    }

    @Test func journalIsPrivateInPrivateFolders() async throws {
        let dir = try scratchDirectory("sec")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await Self.journal(in: dir)
        #expect(mode(journal.path) == 0o600)
        #expect(mode(dir.appendingPathComponent("sessions").path) == 0o700)
        #expect(mode(dir.appendingPathComponent("sessions/nested").path) == 0o700)
    }

    @Test func exportsArePrivateUnderAnOpenUmask() async throws {
        let dir = try scratchDirectory("sec")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try await Self.journal(in: dir)
        for format in ["txt", "srt", "vtt", "json", "md"] {
            let out = dir.appendingPathComponent("out.\(format)").path
            let r = try Self.capttyWithOpenUmask(["export", journal.path, "--format", format, "-o", out])
            #expect(r.status == 0, "\(format): \(r.stderr)")
            #expect(mode(out) == 0o600, "\(format): mode \(String(mode(out), radix: 8))")
        }
        // An existing world-readable file is replaced by a private one, not written through.
        let existing = dir.appendingPathComponent("shared.txt").path
        try "old".write(toFile: existing, atomically: true, encoding: .utf8)
        chmod(existing, 0o666)
        let r = try Self.capttyWithOpenUmask(["export", journal.path, "--format", "txt", "-o", existing])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(mode(existing) == 0o600)
        #expect(try String(contentsOfFile: existing, encoding: .utf8).contains("private words"))
    }

    @Test func transcribeOutputIsPrivateUnderAnOpenUmask() throws {
        let dir = try scratchDirectory("sec")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("t.vtt").path
        let wav = TestPaths.deepgramFixtures.appendingPathComponent("audio/testing-websocket.wav").path
        let r = try Self.capttyWithOpenUmask(["transcribe", "--engine", "local", "--format", "vtt", "-o", out, wav])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(mode(out) == 0o600, "mode \(String(mode(out), radix: 8))")
        // No temporary file is left readable beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["t.vtt"], "\(left)")
    }
}
