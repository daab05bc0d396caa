import Foundation
import Testing
import TestSupport

/// The full-screen app in a real terminal (tmux), captioning a real recording with the offline
/// engine: captions appear, `s` writes an SRT, a resize re-wraps, PgUp scrolls back, `q` quits
/// with the terminal restored and the journal complete.
@Suite(.serialized) struct LiveScreenTests {
    @Test(.timeLimit(.minutes(3))) func captionsSaveResizeScrollAndQuit() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("session.jsonl").path
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path])
        defer { tmux.kill() }
        try tmux.run("\(shellQuoted(TestPaths.capttyBinary.path)) --engine local --file \(shellQuoted(TestAudio.preamble)) --journal \(shellQuoted(journal))")

        // Captions appear, with the status bar.
        var screen = try tmux.waitFor(text: "people", timeout: 90)
        #expect(screen.contains("live") || screen.contains("finished"))
        #expect(screen.contains("local"))

        // `s`, then `s` for SRT: written next to the journal, mid-session (once the second
        // sentence is on screen, the first one is final).
        try tmux.waitFor(text: "tranquility", timeout: 60)
        try tmux.press("s")
        try tmux.waitFor(text: "srt")
        try tmux.press("s")
        screen = try tmux.waitFor(text: "Wrote")
        let srt = dir.appendingPathComponent("session.srt").path
        let srtText = try String(contentsOfFile: srt, encoding: .utf8)
        #expect(srtText.contains("-->"))
        #expect(srtText.lowercased().contains("people"))
        #expect(srtText.hasPrefix("1\n"))
        // The confirmation closes by itself (it covered three rows of captions until a key).
        _ = try tmux.waitFor("the Saved box to close by itself", timeout: 10) { !$0.contains("Wrote") }

        // Wait for the end of the recording.
        screen = try tmux.waitFor(text: "America", timeout: 90)
        let longLine = "Provide for the common defence, promote the general welfare, and secure the blessings of liberty to ourselves and our posterity."
        #expect(Self.joinedCaptions(screen).contains(longLine))

        // Narrower: the long line re-wraps at word boundaries within 60 columns, nothing lost.
        try tmux.resize(width: 60, height: 30)
        screen = try tmux.waitFor("re-wrapped at 60 columns") { s in
            let rows = s.split(separator: "\n", omittingEmptySubsequences: false)
            return rows.contains { $0.hasPrefix("Provide for the common defence, promote the general") } && Self.joinedCaptions(s).contains(longLine)
        }
        #expect(screen.split(separator: "\n").allSatisfy { $0.count <= 60 })

        // Short: the first line scrolls out of view; PgUp brings it back, End follows again.
        try tmux.resize(width: 60, height: 8)
        try tmux.waitFor("first line scrolled out of view") { !$0.contains("We, the people") && $0.contains("America") }
        try tmux.press("PPage")
        try tmux.waitFor(text: "We, the people")
        try tmux.press("End")
        try tmux.waitFor("following again") { !$0.contains("We, the people") && $0.contains("America") }
        try tmux.resize(width: 100, height: 30)

        // q: finishes, restores the terminal, says where the transcript is.
        try tmux.press("q")
        screen = try tmux.waitFor(text: "Transcript saved to", timeout: 30)
        #expect(screen.contains("captty export"))
        // The save made with `s` is named at the end too.
        #expect(screen.replacingOccurrences(of: "\n", with: "").contains("Saved during the session (the captions up to each save): \(srt)"),
                "\(screen)")
        #expect(try tmux.format("#{alternate_on}") == "0")
        try tmux.run("echo shell-$((40+2))")
        try tmux.waitFor(text: "shell-42")

        // The journal is complete: a header, then valid JSON lines holding the whole text.
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.first?.contains("captty-journal") == true)
        var words: [String] = []
        for l in lines {
            let obj = try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any]
            #expect(obj != nil)
            for w in (obj?["words"] as? [[String: Any]]) ?? [] { words.append((w["word"] as? String) ?? "") }
        }
        #expect(words.first == "we")
        #expect(words.contains("posterity"))
        #expect(words.last == "america")
    }

    /// SIGTERM finishes like quit: terminal restored, journal closed.
    @Test(.timeLimit(.minutes(2))) func sigtermFinishesLikeQuit() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("term.jsonl").path
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path])
        defer { tmux.kill() }
        try tmux.run("\(shellQuoted(TestPaths.capttyBinary.path)) --engine local --file \(shellQuoted(TestAudio.preamble)) --journal \(shellQuoted(journal))")
        try tmux.waitFor(text: "people", timeout: 90)
        #expect(try tmux.format("#{alternate_on}") == "1")
        // captty is the shell's child in the pane: signal exactly that process.
        let shell = try tmux.format("#{pane_pid}")
        let child = try TmuxScreen.spawn("/usr/bin/pgrep", ["-P", shell], timeout: 10).stdout
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(child.count == 1)
        for pid in child { kill(pid, SIGTERM) }
        let screen = try tmux.waitFor(text: "Transcript saved to", timeout: 30)
        #expect(screen.contains(journal))
        #expect(try tmux.format("#{alternate_on}") == "0")
        let text = try String(contentsOfFile: journal, encoding: .utf8)
        #expect(text.contains("\"people\""))
    }
}

extension LiveScreenTests {
    /// The caption rows (all but the meter and status rows) joined into one string, with
    /// continuation indents removed.
    static func joinedCaptions(_ screen: String) -> String {
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let captionRows = rows.filter { !$0.contains("▕") && !$0.contains(" live ") && !$0.contains("finished") }
        return captionRows.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
