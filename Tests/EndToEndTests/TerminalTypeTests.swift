import Foundation
import Testing
import TestSupport

/// `captty` in terminals it cannot draw the full screen on, in a real terminal (tmux): it says
/// what is wrong and what to do (`--plain`), before it opens a journal or an engine, and leaves
/// no debris.
@Suite(.serialized) struct TerminalTypeTests {
    /// TERM=dumb (an Emacs shell buffer) cannot move the cursor: the app drew its status bar
    /// and meter over each other on one line and ran on. Unset and unknown TERM were already
    /// refused, but said "--plain" twice and left an empty journal behind.
    @Test(.timeLimit(.minutes(2)), arguments: ["TERM=dumb", "TERM=nosuch-terminal", "unset TERM;"])
    func aTerminalTheScreenCannotBeDrawnOnIsRefusedWithWhatToDo(_ setting: String) throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("never.jsonl").path
        let tmux = try TmuxScreen(width: 100, height: 30, environment: ["HOME": dir.path])
        defer { tmux.kill() }
        try tmux.run("clear; \(setting) \(shellQuoted(TestPaths.capttyBinary.path)) --engine local --file \(shellQuoted(TestAudio.preamble)) --journal \(shellQuoted(journal)); echo \"exit=$?\"")
        let screen = try tmux.waitFor("the exit status", timeout: 30) { $0.range(of: #"exit=\d"#, options: .regularExpression) != nil }
        let flat = screen.replacingOccurrences(of: "\n", with: "")
        #expect(flat.contains("exit=1"), "screen:\n\(screen)")
        #expect(flat.contains("captty: "))
        #expect(flat.components(separatedBy: "--plain").count == 2, "names --plain once:\n\(screen)")
        #expect(!flat.contains("▕") && !flat.contains("live"), "no screen was drawn:\n\(screen)")
        if setting == "TERM=dumb" { #expect(flat.contains("TERM=dumb is a terminal that cannot move the cursor")) }
        #expect(!FileManager.default.fileExists(atPath: journal), "no journal for a session that never started")
        #expect(try tmux.format("#{alternate_on}") == "0")
    }
}
