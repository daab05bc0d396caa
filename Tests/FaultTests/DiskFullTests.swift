import Foundation
import Testing
import TestSupport

/// The disk fills up while captty journals (a 1 MiB tmpfs, nearly full): captty says so clearly
/// (SAVE FAILED on stderr, exit status 1, the path named), keeps captioning to the end, and the
/// journal on disk stays readable: whole lines, a prefix of what was printed.
/// Skipped (with a message) where mounting a tmpfs is not permitted.
@Suite(.serialized) struct DiskFullTests {
    /// What a journaling session on a full disk said and kept.
    struct Outcome {
        var captty: ChildProcess
        /// The scratch directory, for the caller to remove.
        var dir: URL
        var words: [Int]
        /// Where "the whole transcript was written instead to …" said it went ("" if not said).
        var rescuedPath: String
        var rescuedWords: [Int]
        /// The copy with word timings (Deepgram JSON) said beside it ("" if not said).
        var timedPath: String
    }

    /// captty --plain journaling to a nearly full 1 MiB tmpfs, with `environment(dir)` added
    /// (dir: the test's scratch directory); the journal is checked here. Nil where mounting a
    /// tmpfs is not permitted (skipped with a message).
    static func journalOnAFullDisk(_ name: String, environment: (URL) throws -> [String: String?]) async throws -> Outcome? {
        guard TmpfsMount.isAvailable else {
            print("SKIPPED \(name): mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)")
            return nil
        }
        let dir = try scratchDirectory("diskfull")
        let mount = try TmpfsMount(sizeKiB: 1024)
        defer { mount.unmount() }
        // Leave ~12 KiB free: room for the header and a handful of lines.
        let filler = mount.url.appendingPathComponent("filler")
        try Data(count: 1024 * 1024 - 12 * 1024).write(to: filler)
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 120)
        let peers = try await ProxiedDouble(in: dir)
        defer { peers.stop() }
        let journal = mount.url.appendingPathComponent("j.jsonl").path
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "8", "--engine", "deepgram",
                                      "--url", peers.url, "--journal", journal], environment: try environment(dir))
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 90), "captty did not finish; stderr: \(captty.stderrText)")
        let words = FaultAudio.words(in: captty.stdoutLines)
        let j = try JournalSummary.read(journal)
        let size = (try? FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? -1
        let failures = captty.stderrLines.filter { $0.contains("SAVE FAILED") || $0.contains("could not be fully saved") }
        print("""
            disk full: captty \(captty.ending); lines printed \(captty.stdoutLines.count) (\(words.count) words); \
            journal \(size) bytes: \(j); messages: \(failures.joined(separator: " | "))
            """)
        #expect(captty.ending == "exit 1", "a save failure must show in the exit status; stderr: \(captty.stderrText)")
        #expect(failures.contains { $0.contains("SAVE FAILED") })
        #expect(failures.contains { $0.contains(journal) })
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [], "captioning must go on")
        #expect(!j.words.isEmpty && j.words.count < words.count)
        #expect(Array(words.prefix(j.words.count)) == j.words, "the journal must be a prefix of what was printed")
        #expect(j.issues.isEmpty || j.tornLastLine, "\(j.issues)")
        // The disk stayed full to the end: the lines the journal could not take are not lost,
        // the whole transcript goes to the sessions directory on another file system (it said
        // "kept in memory, retrying" as it exited, and the lines were gone).
        let final = failures.last { $0.contains("could not be fully saved") } ?? ""
        #expect(final.hasSuffix("line(s) could not be saved there"), "\(final)")
        let rescued = captty.stderrLines.first { $0.hasPrefix("captty: the whole transcript was written instead to ") }
        let said = rescued.map { String($0.dropFirst("captty: the whole transcript was written instead to ".count)) } ?? ""
        // "PATH.txt (and with word timings to PATH.json)"
        let parts = said.components(separatedBy: " (and with word timings to ")
        let rescuedPath = parts[0]
        let text = (try? String(contentsOfFile: rescuedPath, encoding: .utf8)) ?? ""
        return Outcome(captty: captty, dir: dir, words: words, rescuedPath: rescuedPath,
                       rescuedWords: FaultAudio.words(in: text.split(separator: "\n").map(String.init)),
                       timedPath: parts.count == 2 ? String(parts[1].dropLast()) : "")
    }

    @Test(.timeLimit(.minutes(2))) func diskFullWhileJournaling() async throws {
        var data = URL(fileURLWithPath: "/")
        guard let o = try await Self.journalOnAFullDisk("diskFullWhileJournaling", environment: { dir in
            data = dir.appendingPathComponent("data")
            return ["XDG_DATA_HOME": data.path]
        }) else { return }
        defer { try? FileManager.default.removeItem(at: o.dir) }
        #expect(o.rescuedPath.hasPrefix(data.path), "stderr: \(o.captty.stderrText)")
        #expect(o.rescuedWords == o.words, "the rescued transcript differs from what was printed")
        // And with every word's time, so captions can be made from it (the text alone could not).
        let json = try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: o.timedPath))) as? [String: Any]
        let utterances = ((json?["results"] as? [String: Any])?["utterances"] as? [[String: Any]]) ?? []
        let timed = utterances.flatMap { ($0["words"] as? [[String: Any]]) ?? [] }
        #expect(o.timedPath.hasPrefix(data.path) && timed.count == o.words.count && timed.allSatisfy { $0["start"] is Double },
                "\(o.timedPath): \(timed.count) timed words for \(o.words.count)")
    }

    /// `captty transcribe --journal` on a disk that fills up: the journal is left with part of
    /// the finals. It ended with exit 0 and "20 lines written to out.srt", the journal looking
    /// like a whole, shorter session (found in QA). It now says the journal is incomplete and
    /// why, exits 1 as live captions do, and the transcript itself is whole.
    @Test(.timeLimit(.minutes(2))) func transcribeSaysItsJournalIsIncomplete() async throws {
        guard TmpfsMount.isAvailable else {
            print("SKIPPED transcribeSaysItsJournalIsIncomplete: mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)")
            return
        }
        let dir = try scratchDirectory("diskfull-transcribe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let mount = try TmpfsMount(sizeKiB: 1024)
        defer { mount.unmount() }
        try Data(count: 1024 * 1024 - 12 * 1024).write(to: mount.url.appendingPathComponent("filler"))
        let wav = dir.appendingPathComponent("counter.wav")
        let total = try FaultAudio.writeCounterWAV(to: wav, seconds: 120)
        let peers = try await ProxiedDouble(in: dir)
        defer { peers.stop() }
        let journal = mount.url.appendingPathComponent("j.jsonl").path
        let out = dir.appendingPathComponent("out.txt").path
        let captty = try startCaptty(["transcribe", wav.path, "--engine", "deepgram", "--url", peers.url, "--journal", journal,
                                      "-o", out, "--no-timestamps"])
        defer { captty.stop() }
        #expect(await captty.waitExit(timeout: 90), "captty did not finish; stderr: \(captty.stderrText)")
        let words = FaultAudio.words(in: ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        let j = try JournalSummary.read(journal)
        print("transcribe on a full disk: captty \(captty.ending); \(words.count) words in \(out); journal: \(j); stderr: \(captty.stderrText)")
        #expect(captty.ending == "exit 1", "stderr: \(captty.stderrText)")
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [], "the transcript must be whole")
        #expect(!j.words.isEmpty && j.words.count < words.count && Array(words.prefix(j.words.count)) == j.words)
        let said = captty.stderrText
        #expect(said.contains("the journal \(journal) is incomplete: cannot write the journal") && said.contains("No space left on device"), "\(said)")
        #expect(said.contains("The whole transcript (") && said.contains("was written to \(out)"), "\(said)")
    }

    /// The sessions directory cannot take the copy either: it goes to the temporary directory,
    /// in a new directory of its own (0700). It went straight into the shared directory under a
    /// predictable name, and a link planted there by another user was followed.
    @Test(.timeLimit(.minutes(2))) func theLastResortCopyIsInAPrivateDirectory() async throws {
        var tmp = URL(fileURLWithPath: "/")
        guard let o = try await Self.journalOnAFullDisk("theLastResortCopyIsInAPrivateDirectory", environment: { dir in
            // A file where the data directory should be: no sessions directory can be made.
            let notADirectory = dir.appendingPathComponent("data")
            try Data("x".utf8).write(to: notADirectory)
            tmp = dir.appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            return ["XDG_DATA_HOME": notADirectory.path, "TMPDIR": tmp.path]
        }) else { return }
        defer { try? FileManager.default.removeItem(at: o.dir) }
        let parent = URL(fileURLWithPath: o.rescuedPath).deletingLastPathComponent()
        #expect(parent.deletingLastPathComponent().path == tmp.path, "stderr: \(o.captty.stderrText)")
        #expect(parent.lastPathComponent.hasPrefix("captty-"), "\(o.rescuedPath)")
        let mode = (try? FileManager.default.attributesOfItem(atPath: parent.path)[.posixPermissions] as? Int) ?? -1
        #expect(mode == 0o700, "the copy's directory is \(String(mode, radix: 8))")
        #expect(!o.words.isEmpty && o.rescuedWords == o.words, "the rescued transcript differs from what was printed")
    }
}
