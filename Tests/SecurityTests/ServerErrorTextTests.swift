import Foundation
import Testing
import TestSupport

/// A hostile server at `--url` chooses the texts of its errors: the `dg-error` header and
/// request id of a refused upgrade, its JSON body, an `Error` message, a close reason. Found
/// by probing: they reached standard error raw, so the server could retitle the window (OSC 0),
/// write the clipboard (OSC 52) or clear the screen. Now control characters are replaced, in
/// the client's errors and again where captty prints them; the text itself is still shown.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ServerErrorTextTests {
    static let key = "secret-key-123"

    static func expectPrintable(_ text: String, _ what: String) {
        let bad = text.unicodeScalars.filter { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F..<0xA0).contains($0.value) }
        #expect(bad.isEmpty, "\(what): control characters \(bad.map { String($0.value, radix: 16) }) in \(text.debugDescription)")
        #expect(!text.contains(key), "\(what): the key was printed")
    }

    static func run(_ args: [String], against mode: String) throws -> ProcessResult {
        let server = try HostileServerProcess(mode: mode)
        defer { server.stop() }
        let dir = try scratchDirectory("sec-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 2, in: dir)
        return try runCaptty(args.map { $0 == "WAV" ? wav : $0 } + ["--engine", "deepgram", "--url", server.url],
                             environment: ["DEEPGRAM_API_KEY": key, "HOME": dir.path, "XDG_DATA_HOME": dir.path], timeout: 60)
    }

    @Test func aRefusedUpgradesTextsCannotDriveTheTerminal() throws {
        for args in [["transcribe", "WAV"], ["--plain", "--no-journal", "--file", "WAV"]] {
            let r = try Self.run(args, against: "escapes")
            #expect(r.status == 1 && !r.timedOut, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("HTTP 400") && r.stderr.contains("pwned"), "\(args): the server's text is still shown: \(r.stderr)")
            Self.expectPrintable(r.stderr, "\(args[0]) stderr")
            Self.expectPrintable(r.stdout, "\(args[0]) stdout")
        }
    }

    @Test func anErrorMessageAndACloseReasonCannotDriveTheTerminal() throws {
        for args in [["transcribe", "WAV"], ["--plain", "--no-journal", "--file", "WAV"]] {
            let r = try Self.run(args, against: "escapes-open")
            #expect(r.status == 1 && !r.timedOut, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("4000") && r.stderr.contains("gone"), "\(args): \(r.stderr)")
            Self.expectPrintable(r.stderr, "\(args[0]) stderr")
            Self.expectPrintable(r.stdout, "\(args[0]) stdout")
        }
    }
}
