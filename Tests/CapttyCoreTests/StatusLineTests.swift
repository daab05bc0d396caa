import Audio
import Foundation
import Testing
import TestSupport
@testable import CapttyCore

/// The progress line of `captty transcribe` (the terminal view is in TranscribeProgressTests).
@Suite struct StatusLineTests {
    @Test func theLineSaysHowMuchOfAFileIsRead() {
        #expect(TranscribeRunner.progressText(name: "talk.wav", read: 754, total: 3480, captionedTo: 710.4, lines: 42)
                == "transcribing talk.wav: 00:12:34 of 00:58:00 read (21%), captions to 00:11:50, 42 lines")
        #expect(TranscribeRunner.progressText(name: "standard input", read: 5, total: nil, captionedTo: 0, lines: 1)
                == "transcribing standard input: 00:00:05 read, captions to 00:00:00, 1 line")
        // Never past 100% (a file that grew while it was read).
        #expect(TranscribeRunner.progressText(name: "x", read: 30, total: 20, captionedTo: 20, lines: 2).contains("(100%)"))
    }

    /// Raw input with no speech points at `--raw-format`, its likeliest fault (found in QA:
    /// the hint named only the language and the level).
    @Test func noSpeechInRawInputNamesTheRawFormat() {
        let raw = TranscribeRunner.nothingRecognised(in: "x.raw", seconds: 12.5, peakDB: -1, headerless: true)
        #expect(raw.contains("check that --raw-format gives its real encoding, rate and channels"), "\(raw)")
        #expect(!TranscribeRunner.nothingRecognised(in: "x.wav", seconds: 12.5, peakDB: -1).contains("--raw-format"))
        // A normal level is not blamed, a quiet one is; a word said alone is what the offline
        // engine misses ("No." at -7 dBFS was told to check its level; found in QA).
        let word = TranscribeRunner.nothingRecognised(in: "no.wav", seconds: 1.9, peakDB: -7, offlineEngine: true)
        #expect(!word.contains("level") && word.contains("the offline engine can miss a word said alone"), "\(word)")
        #expect(TranscribeRunner.nothingRecognised(in: "quiet.wav", seconds: 12.5, peakDB: -45).hasSuffix("check its language (--language) and level"))
        #expect(!TranscribeRunner.nothingRecognised(in: "x.wav", seconds: 1.9, peakDB: -7).contains("offline engine"))
    }

    /// Drawn in place, cut to the width, and cleared before any other message.
    @Test func theLineIsRedrawnInPlaceAndMakesWayForMessages() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let line = StatusLine(fd: fds[1], width: 12)
        line.update("first")
        line.update("a much longer second line")
        line.say { _ = write(fds[1], "warning\n", 8) }
        line.clear()   // nothing shown: writes nothing
        close(fds[1])
        var bytes = [UInt8](repeating: 0, count: 512)
        let n = read(fds[0], &bytes, bytes.count)
        close(fds[0])
        let text = String(decoding: bytes.prefix(max(0, n)), as: UTF8.self)
        #expect(text == "\rfirst\u{1B}[K\ra much long…\u{1B}[K\r\u{1B}[Kwarning\n", "\(text.debugDescription)")
        #expect(StatusLine.onTerminal(fd: fds[0]) == nil, "not a terminal: no line")
    }

    /// The total on the line: a file's length, known before it is read (none for a pipe).
    @Test func aFilesLengthIsKnownBeforeItIsRead() async throws {
        let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
        let file = try await FileAudioSource(path: wav)
        #expect(abs((file.expectedSeconds ?? 0) - 19.1) < 0.01, "\(String(describing: file.expectedSeconds))")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let header = try Data(contentsOf: URL(fileURLWithPath: wav)).prefix(4096)
        _ = header.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let piped = try await FileAudioSource(fileDescriptor: fds[0], name: "pipe")
        #expect(piped.expectedSeconds == nil)
    }
}
