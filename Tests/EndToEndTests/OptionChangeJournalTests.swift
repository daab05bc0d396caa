import Foundation
import Testing
import TestSupport

/// A language changed with `l` mid-session is in the journal and in the exports where it
/// happened: the transcript said "language en" (its header) for all of it. In a real terminal
/// (tmux) against the Deepgram TEST DOUBLE.
@Suite(.serialized) struct OptionChangeJournalTests {
    @Test(.timeLimit(.minutes(2))) func aLanguageChangedMidSessionIsJournaledAndExported() async throws {
        let dir = try scratchDirectory("e2e-options")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 60, in: dir)
        let journal = dir.appendingPathComponent("j.jsonl").path
        try await withDeepgramDouble(["--word-seconds", "0.1", "--final-seconds", "0.5"]) { double in
            let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run("\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(double.baseURL) "
                         + "--file \(shellQuoted(wav)) --language en --journal \(shellQuoted(journal))")
            try tmux.waitFor("captions", timeout: 30) { $0.contains("● live") && $0.contains("b32000 ") }
            try tmux.press("l")
            // Captioned for a while with the new language, then quit.
            let deadline = Date().addingTimeInterval(20)
            var records: [[String: Any]] = []
            func read() throws -> [[String: Any]] {
                try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").compactMap {
                    try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
            }
            while Date() < deadline {
                records = (try? read()) ?? []
                if let i = records.firstIndex(where: { $0["type"] as? String == "options" }),
                   records[(i + 1)...].filter({ $0["type"] as? String == "final" }).count >= 3 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            try tmux.press("q")
            try tmux.waitForShell()
            records = try read()
            let header = try #require(records.first)
            #expect((header["options_query"] as? String)?.contains("language=en") == true, "\(header)")
            let changes = records.enumerated().filter { $0.element["type"] as? String == "options" }
            try #require(changes.count == 1, "\(records)")
            let (at, change) = (changes[0].offset, changes[0].element)
            #expect(change["changes"] as? [String] == ["language es"], "\(change)")
            #expect((change["options_query"] as? String)?.contains("language=es") == true, "\(change)")
            let start = try #require(change["start"] as? Double)
            let finals = records.filter { $0["type"] as? String == "final" }
            let before = records[..<at].filter { $0["type"] as? String == "final" }
            #expect(!before.isEmpty && before.count < finals.count, "finals on both sides of the change")
            // The change applies from the audio after the key: after the captions before it.
            let lastBefore = try #require(before.compactMap { $0["start"] as? Double }.max())
            #expect(start > lastBefore && start < 60, "change at \(start), last final before it at \(lastBefore)")

            let txt = try runCaptty(["export", journal, "--format", "txt"], timeout: 30)
            #expect(txt.status == 0, "\(txt.stderr)")
            let lines = txt.stdout.split(separator: "\n").map(String.init)
            let note = try #require(lines.firstIndex { $0.hasSuffix("[options changed: language es]") }, "\(txt.stdout)")
            #expect(note > 0 && note < lines.count - 1, "the note is among the lines, where it happened: \(txt.stdout)")

            let json = try runCaptty(["export", journal, "--format", "json"], timeout: 30)
            let top = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let captty = (top["metadata"] as? [String: Any])?["captty"] as? [String: Any]
            let listed = try #require(captty?["option_changes"] as? [[String: Any]], "\(json.stdout.prefix(2000))")
            #expect(listed.count == 1 && listed[0]["changes"] as? [String] == ["language es"], "\(listed)")

            let vtt = try runCaptty(["export", journal, "--format", "vtt"], timeout: 30)
            #expect(vtt.stdout.contains(": [options changed: language es]\n\n"), "\(vtt.stdout.prefix(3000))")
            // The session's NOTE at the top, and one for the change.
            #expect(vtt.stdout.components(separatedBy: "\nNOTE\n").count == 3, "\(vtt.stdout.prefix(3000))")
        }
    }
}
