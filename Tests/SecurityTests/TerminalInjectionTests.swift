import Foundation
import Testing
import TestSupport
import Deepgram
import Transcript
@testable import CapttyCore
import SystemSupport

/// Words come from the speech server; a hostile one can put terminal control sequences in them
/// (OSC 0 retitles the window, OSC 52 writes the clipboard, CSI 2J clears the screen, CR
/// overwrites a line). The caption screen and plain mode already replace control characters
/// (CaptionUI `DisplayWidth.sanitizedForTerminal`); found in review: `captty export` and
/// `captty transcribe` printed them raw to a terminal. Files and pipes stay byte-exact.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TerminalInjectionTests {
    static let hostile = "hello\u{1B}]0;pwned\u{07}\u{1B}]52;c;ZXZpbA==\u{07}\u{1B}[2J\u{9B}31m\rworld"

    @Test func controlCharactersAreReplacedForATerminal() {
        let out = String(decoding: TerminalSafeOutput.sanitized(Data((Self.hostile + "\n\tnext\r\n").utf8)), as: UTF8.self)
        #expect(!out.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F..<0xA0).contains($0.value) })
        #expect(out.hasPrefix("hello\u{FFFD}]0;pwned\u{FFFD}"))
        #expect(out.hasSuffix("world\n\tnext\n"))
        let plain = Data("Hello there, café 日本語 👍\n".utf8)
        #expect(TerminalSafeOutput.sanitized(plain) == plain)
    }

    static func hostileJournal(in dir: URL) async -> URL {
        let journal = dir.appendingPathComponent("hostile.jsonl")
        let w = await JournalWriter(url: journal, header: JournalHeader(engine: "test", model: "nova-3", capttyVersion: "0.1.0"))
        var store = TranscriptStore()
        let r = Results(start: 0, duration: 2, isFinal: true, speechFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: hostile, confidence: 0.9, words: [Word(word: hostile, start: 0.1, end: 1.5, confidence: 0.9)])]))
        _ = await w.append(store.apply(.results(r)))
        _ = await w.close()
        return journal
    }

    @Test func exportToATerminalCannotDriveIt() async throws {
        let dir = try scratchDirectory("sec")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = await Self.hostileJournal(in: dir)
        // util-linux `script` gives the command a pseudo-terminal as stdout.
        let cmd = "'\(TestPaths.capttyBinary.path)' export '\(journal.path)' --format txt --no-timestamps"
        let tty = try runProcess("/usr/bin/script", ["-q", "-e", "-c", cmd, "/dev/null"], timeout: 60)
        #expect(tty.status == 0, "\(tty.stderr)")
        #expect(tty.stdout.contains("pwned"), "the words are still shown: \(tty.stdout.debugDescription)")
        #expect(!tty.stdout.contains("\u{1B}") && !tty.stdout.contains("\u{07}") && !tty.stdout.unicodeScalars.contains("\u{9B}"),
                "\(tty.stdout.debugDescription)")

        // Piped (or written to a file), a text export carries no control characters either: it
        // is read later with `cat` or by a player (they become U+FFFD, as on the terminal).
        let piped = try runCaptty(["export", journal.path, "--format", "txt", "--no-timestamps"])
        #expect(piped.status == 0)
        #expect(piped.stdout.contains("pwned") && piped.stdout.contains("\u{FFFD}]52;c;"), "\(piped.stdout.debugDescription)")
        #expect(!piped.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F..<0xA0).contains($0.value) },
                "\(piped.stdout.debugDescription)")
    }
}
