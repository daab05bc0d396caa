import Foundation
import Testing
import TestSupport

/// Audio that stops coming without ending (a pipe whose writer stalls, a capture server that
/// died mid-sentence): the words already heard stayed an interim guess, on no line and in no
/// journal, until the input closed; killed meanwhile, they were lost. Now the engine is asked
/// to make them final (Finalize) once the audio has stalled for 2 s.
@Suite struct StalledInputTests {
    /// Writes 2.75 s of counter audio, then holds the pipe open for 25 s. The Deepgram TEST
    /// DOUBLE makes a final every 2 s of audio, so b64000…b80000 are only an interim guess
    /// until something finalizes them.
    func run(engineArgs: [String], environment: [String: String]) async throws -> (stdout: String, journal: String, seconds: Double) {
        let dir = try scratchDirectory("stall")
        defer { try? FileManager.default.removeItem(at: dir) }
        let raw = dir.appendingPathComponent("a.raw")
        try Data(repeating: 1, count: 88_000).write(to: raw)   // 2.75 s of s16le 16 kHz mono
        let out = dir.appendingPathComponent("out.txt").path
        let journal = dir.appendingPathComponent("j.jsonl").path
        let captty = ([TestPaths.capttyBinary.path, "--plain", "--file", "-", "--raw-format", "s16le:16000:1", "--journal", journal]
                      + engineArgs).map(shellQuoted).joined(separator: " ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "(cat \(shellQuoted(raw.path)); sleep 25) | timeout 40 \(captty) > \(shellQuoted(out)) 2>/dev/null"]
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let start = Date()
        try p.run()
        defer { if p.isRunning { kill(-p.processIdentifier, SIGKILL); p.terminate() } ; p.waitUntilExit() }
        var text = ""
        while Date().timeIntervalSince(start) < 20 {
            text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
            if text.contains("b80000") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let seconds = Date().timeIntervalSince(start)
        let j = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
        _ = try? TmuxScreen.spawn("/usr/bin/pkill", ["-f", journal], timeout: 10)
        return (text, j, seconds)
    }

    @Test(.timeLimit(.minutes(2))) func wordsBeforeAStallBecomeFinalWhileThePipeStaysOpen() async throws {
        try await withDeepgramDouble { double in
            let r = try await run(engineArgs: ["--engine", "deepgram", "--url", double.baseURL], environment: ["DEEPGRAM_API_KEY": "test-key"])
            #expect(r.stdout.contains("b64000") && r.stdout.contains("b80000"), "stdout while the pipe is open: \(r.stdout)")
            #expect(r.seconds < 20, "the stalled words were printed \(r.seconds) s after the start (the pipe stays open 25 s)")
            #expect(r.journal.contains("b80000"), "journaled: \(r.journal.suffix(400))")
            #expect(try double.stats().connections.reduce(0) { $0 + $1.finalize } >= 1, "Finalize was sent")
        }
    }
}
