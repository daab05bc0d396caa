import Foundation
import Testing
import TestSupport

/// Caption text that terminals are touchy about, shown by the full-screen app in a real
/// terminal (tmux): the Deepgram TEST DOUBLE greets each connection with a scripted final
/// Results (`--greet`) and otherwise stays quiet (`--word-seconds 100 --final-seconds 100`).
@Suite(.serialized) struct LiveScreenTextTests {
    /// A final Results frame holding `text`, one word per space-separated piece.
    static func finalResults(_ text: String) throws -> String {
        let pieces = text.split(separator: " ").map(String.init)
        let words: [[String: Any]] = pieces.enumerated().map { i, w in
            ["word": w, "punctuated_word": w, "start": Double(i) * 0.1, "end": Double(i) * 0.1 + 0.1, "confidence": 0.9]
        }
        let frame: [String: Any] = [
            "type": "Results", "channel_index": [0, 1], "start": 0.0, "duration": 1.0, "is_final": true,
            "speech_final": true, "channel": ["alternatives": [["transcript": text, "confidence": 0.9, "words": words]]],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: frame), as: UTF8.self)
    }

    static func command(_ d: DeepgramDoubleProcess, file: String) -> String {
        "\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(d.baseURL) --file \(shellQuoted(file)) --no-journal"
    }

    /// tmux draws a ZWJ family or 🏳️‍🌈 in one 2-column cell, where ncurses counts 8 and 3
    /// columns: the row's text landed elsewhere than ncurses believed, and closing an overlay
    /// left debris (a doubled flag, a lost emoji). Emoji sequences are drawn as separate emoji.
    @Test(.timeLimit(.minutes(2))) func emojiSequencesLeaveNoDebrisWhenAnOverlayCloses() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 30, in: dir)
        let line = "A 🏳️\u{200D}🌈 B 👨\u{200D}👩\u{200D}👧\u{200D}👦 C 👋🏽 D 🏳️\u{200D}🌈 E 👨\u{200D}👩\u{200D}👧 end-of-line"
        let greet = try Self.finalResults(line)
        try await withDeepgramDouble(["--word-seconds", "100", "--final-seconds", "100", "--greet", greet]) { double in
            let tmux = try TmuxScreen(width: 60, height: 12, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run(Self.command(double, file: wav))
            try tmux.waitFor(text: "end-of-line", timeout: 30)
            try tmux.press("?")
            try tmux.waitFor(text: "Keys")
            try tmux.press("Escape")
            let afterOverlay = try tmux.waitFor("the overlay to close") { !$0.contains("Keys") }
            try tmux.press("C-l")
            try await Task.sleep(for: .milliseconds(700))
            let redrawn = try tmux.screen()
            let first = { (s: String) in s.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? "" }
            #expect(first(afterOverlay) == "A 🏳🌈 B 👨👩👧👦 C 👋 D 🏳🌈 E 👨👩👧 end-of-line", "screen:\n\(afterOverlay)")
            #expect(first(afterOverlay) == first(redrawn), "a redraw changed the row:\n\(afterOverlay)\n---\n\(redrawn)")
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }
}
