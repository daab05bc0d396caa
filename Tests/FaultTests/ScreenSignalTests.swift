import Foundation
import Testing
import TestSupport

/// SIGHUP (the terminal closes) and SIGKILL to the full-screen app in tmux, captioning from the
/// Deepgram TEST DOUBLE: HUP finishes like quit (terminal restored, journal complete); after
/// KILL the journal still parses and holds a contiguous run of words from the start.
/// (SIGTERM in tmux is EndToEndTests/LiveScreenTests.sigtermFinishesLikeQuit.)
@Suite(.serialized) struct ScreenSignalTests {

    func run(signal sig: Int32) async throws -> (screen: String, alternate: String, journal: JournalSummary) {
        let scene = try await CounterScene("tui\(sig)", seconds: 120)
        defer { scene.stop() }
        let (dir, wav, peers, journal) = (scene.dir, scene.wav, scene.peers, scene.journal)
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": FaultAudio.apiKey])
        defer { tmux.kill() }
        try tmux.run("\(shellQuoted(TestPaths.capttyBinary.path)) --engine deepgram --url \(peers.url) --file \(shellQuoted(wav.path)) --speed 4 --journal \(shellQuoted(journal))")
        try tmux.waitFor(text: "c32000", timeout: 90)
        let shell = try tmux.format("#{pane_pid}")
        let child = try TmuxScreen.spawn("/usr/bin/pgrep", ["-P", shell], timeout: 10).stdout
            .split(separator: "\n").compactMap { Int32($0) }
        #expect(child.count == 1)
        for pid in child { kill(pid, sig) }
        if sig == SIGKILL {
            try tmux.waitForShell(timeout: 30)
        } else {
            try tmux.waitFor(text: "Transcript saved to", timeout: 30)
        }
        let screen = try tmux.screen()
        let alternate = try tmux.format("#{alternate_on}")
        let j = try JournalSummary.read(journal)
        print("TUI SIG\(sig == SIGKILL ? "KILL" : "HUP"): alternate screen after exit: \(alternate); journal \(j); "
              + "server received \(peers.bytesReceived()) bytes")
        return (screen, alternate, j)
    }

    @Test(.timeLimit(.minutes(2))) func hangupFinishesLikeQuit() async throws {
        let r = try await run(signal: SIGHUP)
        #expect(r.alternate == "0", "terminal not restored")
        #expect(r.journal.issues.isEmpty && !r.journal.tornLastLine)
        #expect(r.journal.words.count >= 9)
        #expect(FaultAudio.transcriptProblems(words: r.journal.words, total: Int.max / 2).filter { !$0.hasPrefix("last word") } == [])
    }

    @Test(.timeLimit(.minutes(2))) func killLeavesAReadableJournal() async throws {
        let r = try await run(signal: SIGKILL)
        #expect(r.journal.words.count >= 4, "lines shown before the kill must be journaled")
        #expect(r.journal.issues.allSatisfy { _ in r.journal.tornLastLine })
        #expect(FaultAudio.transcriptProblems(words: r.journal.words, total: Int.max / 2).filter { !$0.hasPrefix("last word") } == [])
    }
}
