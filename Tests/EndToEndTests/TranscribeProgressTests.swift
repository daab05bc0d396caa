import Foundation
import Testing
import TestSupport

/// `captty transcribe` of a long recording said nothing until it was done (at the cloud's pace,
/// nearly as long as the recording): now a progress line on standard error, on a terminal
/// only, redrawn in place and taken away at the end. Against the Deepgram TEST DOUBLE, in tmux
/// as a person sees it.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TranscribeProgressTests {
    static let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path

    /// Runs a slow transcription (audio fed through a pipe, 0.25 s of it every 0.1 s) in tmux.
    static func startSlowTranscription(_ tmux: TmuxScreen, double: DeepgramDoubleProcess, in dir: URL) throws {
        let feeder = "import sys,time\nd=open(sys.argv[1],'rb').read()\nfor i in range(0,len(d),11025):\n"
            + " sys.stdout.buffer.write(d[i:i+11025]); sys.stdout.flush(); time.sleep(0.1)\n"
        let script = dir.appendingPathComponent("feed.py").path
        try feeder.write(toFile: script, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("notes.txt").path
        try tmux.run("clear; python3 \(shellQuoted(script)) \(shellQuoted(Self.wav)) | \(shellQuoted(TestPaths.capttyBinary.path)) "
                     + "transcribe - --engine deepgram --url \(double.baseURL) -o \(shellQuoted(out)); echo \"exit=$?\"")
    }

    @Test func aTerminalSeesHowFarItHasGotAndThenTheSummary() async throws {
        let dir = try scratchDirectory("transcribe-progress")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 100, height: 12, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try Self.startSlowTranscription(tmux, double: double, in: dir)
            let during = try tmux.waitFor("a progress line with captions", timeout: 60) {
                $0.range(of: #"transcribing standard input: 00:00:\d\d read, captions to 00:00:0[1-9], [1-9]\d* lines?"#,
                         options: .regularExpression) != nil
            }
            #expect(!during.contains("exit="), "the line is drawn while the work goes on:\n\(during)")
            let done = try tmux.waitFor("the exit status", timeout: 60) { $0.range(of: #"exit=\d"#, options: .regularExpression) != nil }
            #expect(done.contains("exit=0"), "\(done)")
            // Taken away at the end: the summary stands alone on its line.
            #expect(!done.contains("transcribing standard input"), "the progress line was left behind:\n\(done)")
            #expect(done.range(of: #"(?m)^captty: \d+ lines? \("#, options: .regularExpression) != nil, "\(done)")
        }
    }

    /// In a terminal narrower than the line, it is cut to the terminal's width (not COLUMNS,
    /// which shells do not export): a wrapped line left a copy behind at every redraw.
    @Test func aNarrowTerminalGetsOneLineCutToItsWidth() async throws {
        let dir = try scratchDirectory("transcribe-narrow")
        defer { try? FileManager.default.removeItem(at: dir) }
        try await withDeepgramDouble { double in
            let tmux = try TmuxScreen(width: 40, height: 20, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try Self.startSlowTranscription(tmux, double: double, in: dir)
            var seen = 0
            var screen = ""
            let start = Date()
            while !screen.contains("exit="), Date().timeIntervalSince(start) < 60 {
                screen = try tmux.screen()
                let rows = screen.split(separator: "\n").filter { $0.contains("transcribing") }
                seen = max(seen, rows.count)
                #expect(rows.count <= 1, "the line wrapped and left copies:\n\(screen)")
                for r in rows { #expect(r.count <= 39 && r.hasSuffix("…"), "not cut to 39 columns: \(r)") }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(seen == 1, "the progress line was never seen:\n\(screen)")
            #expect(screen.contains("exit=0"), "\(screen)")
        }
    }

    /// A pipe or a log file gets no progress lines, and -q leaves them out on a terminal too.
    @Test func noProgressLinesOffATerminalOrWithQuiet() async throws {
        try await withDeepgramDouble { double in
            let r = try runCaptty(["transcribe", Self.wav, "--engine", "deepgram", "--url", double.baseURL],
                                  environment: ["DEEPGRAM_API_KEY": "test-key"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("transcribing"), "\(r.stderr)")
            let dir = try scratchDirectory("transcribe-quiet")
            defer { try? FileManager.default.removeItem(at: dir) }
            let tmux = try TmuxScreen(width: 100, height: 12, environment: ["HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"])
            defer { tmux.kill() }
            try tmux.run("clear; \(shellQuoted(TestPaths.capttyBinary.path)) transcribe -q \(shellQuoted(Self.wav)) --engine deepgram "
                         + "--url \(double.baseURL) -o \(shellQuoted(dir.appendingPathComponent("n.txt").path)) 2>\(shellQuoted(dir.appendingPathComponent("err").path)); echo \"exit=$?\"")
            _ = try tmux.waitFor("the exit status", timeout: 60) { $0.contains("exit=") }
            let err = try String(contentsOfFile: dir.appendingPathComponent("err").path, encoding: .utf8)
            #expect(!err.contains("transcribing") && !err.contains("\u{1B}[K"), "\(err)")
        }
    }
}
