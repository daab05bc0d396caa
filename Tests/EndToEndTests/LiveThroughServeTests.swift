import Foundation
import Testing
import LocalSpeech
import TestSupport

/// The full-screen app speaking Deepgram's wire protocol to `captty serve` on loopback (the
/// offline engine behind a Deepgram-compatible endpoint), on a real recording: captions
/// appear; `l` switches to the next configured language over a new connection (en-GB), then to
/// one the server refuses (es: HTTP 400), which is reported and undone without losing audio;
/// the journal holds the whole speech from the first sentence to the last, in order.
@Suite(.serialized) struct LiveThroughServeTests {
    @Test(.timeLimit(.minutes(3))) func languageSwitchReconnectsAndTheTranscriptContinues() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (serve, port, _) = try startServe()
        defer {
            if serve.isRunning { kill(serve.processIdentifier, SIGTERM) }
            serve.waitUntilExit()
        }
        let journal = dir.appendingPathComponent("serve.jsonl").path
        let config = dir.appendingPathComponent("config.toml").path
        try "[deepgram]\nlanguages = [\"en\", \"en-GB\", \"es\"]\n".write(toFile: config, atomically: true, encoding: .utf8)
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "any-key"])
        defer { tmux.kill() }
        try tmux.run("\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url ws://127.0.0.1:\(port) --file \(shellQuoted(TestAudio.preamble)) --journal \(shellQuoted(journal)) --config \(shellQuoted(config)) --language en")
        try tmux.waitFor(text: "people", timeout: 90)
        #expect(try tmux.screen().contains("deepgram"))
        try tmux.press("l")
        try tmux.waitFor(text: "· en-GB")
        try tmux.waitFor(text: "Establish", timeout: 60)
        try tmux.press("l")
        let refused = try tmux.waitFor(text: "refused")
        #expect(refused.contains("en-GB"), "\(refused)")
        // The refusal is undone, not an error: the status never says "error" meanwhile.
        #expect(!refused.contains("✖ error"), "\(refused)")
        try tmux.press("Escape")
        try tmux.waitFor("back on en-GB and live") { $0.contains("· en-GB") && $0.contains("live") }
        let end = try tmux.waitFor(text: "finished", timeout: 90)
        #expect(!end.contains("error"))
        try tmux.press("q")
        try tmux.waitFor(text: "Transcript saved to", timeout: 30)
        #expect(try tmux.format("#{alternate_on}") == "0")

        var words: [(String, Double)] = []
        for l in try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").dropFirst() {
            let obj = try JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any]
            for w in (obj?["words"] as? [[String: Any]]) ?? [] {
                words.append(((w["word"] as? String) ?? "", (w["start"] as? Double) ?? -1))
            }
        }
        let text = words.map(\.0).joined(separator: " ")
        // Nothing lost at the start or around the switch: the journal against the preamble, word
        // for word. Not exactly: under CI load Moonshine heard "we need people", "the universe it
        // states", "follow or perfect union", "felfair". Audio lost at the switch (a second is
        // three words) shows as deletions, which the recogniser's slips rarely make.
        let preamble = "we the people of the united states in order to form a more perfect union establish justice "
            + "insure domestic tranquility provide for the common defence promote the general welfare and secure "
            + "the blessings of liberty to ourselves and our posterity do ordain and establish this constitution "
            + "for the united states of america"
        let wer = WordErrorRate(reference: preamble, hypothesis: text.lowercased())
        #expect(wer.deletions <= 4 && wer.rate <= 0.25, "\(wer): \(text)")
        #expect(text.hasPrefix("we"), "\(text)")
        #expect(text.contains("posterity"))
        #expect(text.hasSuffix("america"), "\(text)")
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "word times go backwards")
    }
}
