import Foundation
import Testing
import TestSupport

/// The disk fills up while captty journals (a 1 MiB tmpfs, nearly full): captty says so clearly
/// (SAVE FAILED on stderr, exit status 1, the path named), keeps captioning to the end, and the
/// journal on disk stays readable: whole lines, a prefix of what was printed.
/// Skipped (with a message) where mounting a tmpfs is not permitted.
@Suite(.serialized) struct DiskFullTests {
    @Test(.timeLimit(.minutes(2))) func diskFullWhileJournaling() async throws {
        guard TmpfsMount.isAvailable else {
            print("SKIPPED diskFullWhileJournaling: mounting a tmpfs is not permitted here (needs root with CAP_SYS_ADMIN)")
            return
        }
        let dir = try scratchDirectory("diskfull")
        defer { try? FileManager.default.removeItem(at: dir) }
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
        let data = dir.appendingPathComponent("data")
        let captty = try startCaptty(["--plain", "--file", wav.path, "--speed", "8", "--engine", "deepgram",
                                      "--url", peers.url, "--journal", journal], environment: ["XDG_DATA_HOME": data.path])
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
        let rescuedPath = rescued.map { String($0.dropFirst("captty: the whole transcript was written instead to ".count)) } ?? ""
        #expect(rescuedPath.hasPrefix(data.path), "stderr: \(captty.stderrText)")
        let text = (try? String(contentsOfFile: rescuedPath, encoding: .utf8)) ?? ""
        #expect(FaultAudio.words(in: text.split(separator: "\n").map(String.init)) == words, "the rescued transcript differs from what was printed")
    }
}
