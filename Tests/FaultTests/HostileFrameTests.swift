import Foundation
import Testing
import TestSupport

/// The server sends malformed JSON, JSON of the wrong shape, numbers no stream has (times of
/// 1e300 s, 1e999, speaker Int.max, negative channels), binary frames, a 10 MiB text frame
/// and a 20 MiB one (over captty's 16 MiB message limit), injected by the proxy between real
/// frames: captty never crashes; it keeps captioning (reconnecting after the oversized frame)
/// and loses no audio and no line.
@Suite(.serialized) struct HostileFrameTests {
    @Test(.timeLimit(.minutes(3))) func garbageFromTheServerIsSurvived() async throws {
        let scene = try await CounterScene("hostile", seconds: 30)
        defer { scene.stop() }
        let (peers, total, journal) = (scene.peers, scene.total, scene.journal)
        let captty = try scene.startPlainCaptty(["--timestamps"])
        defer { captty.stop() }
        #expect(await peers.waitForBytes(2 * FaultAudio.bytesPerSecond, timeout: 60))
        let injections = [
            #"inject-text {"type":"Results","channel":{"alternatives":[{"transcript":"#,
            #"inject-text {"type":"Results","is_final":"yes","channel":{"alternatives":[{"transcript":42}]}}"#,
            "inject-text not json at all \u{00e9}\u{2603}",
            // Shapes of real messages with numbers that would overflow clocks and byte offsets.
            #"inject-text {"type":"Results","channel_index":[0,1],"start":1e300,"duration":1e308,"is_final":true,"channel":{"alternatives":[{"transcript":"absurd","confidence":1,"words":[{"word":"absurd","start":1e300,"end":1e308,"confidence":1}]}]}}"#,
            #"inject-text {"type":"Results","channel_index":[0,1],"start":1,"duration":1,"is_final":true,"channel":{"alternatives":[{"transcript":"absurd","confidence":1,"words":[{"word":"absurd","start":1,"end":2,"confidence":1,"speaker":9223372036854775807}]}]}}"#,
            #"inject-text {"type":"Results","channel_index":[-1,2],"start":1,"duration":1,"is_final":false,"channel":{"alternatives":[{"transcript":"absurd","confidence":1e999,"words":[]}]}}"#,
            #"inject-text {"type":"UtteranceEnd","channel":[0,1],"last_word_end":-1e300}"#,
            #"inject-text {"type":"SpeechStarted","channel":[0,1],"timestamp":1e999}"#,
            #"inject-text {"type":"Error","description":"injected error","message":"x","variant":"y"}"#,
            "inject-binary 4096",
            "inject-big-text 10485760",
            "inject-big-text 20971520",
        ]
        for cmd in injections {
            #expect(await peers.command(cmd))
            try await Task.sleep(for: .seconds(1))
        }
        #expect(await captty.waitExit(timeout: 120), "captty did not finish; stderr: \(captty.stderrText)")
        let words = FaultAudio.words(in: captty.stdoutLines)
        let coverage = try FaultAudio.coverage(of: [peers.recordDir])
        let j = try JournalSummary.read(journal)
        print("""
            hostile frames (\(injections.count) injected): captty \(captty.ending); stderr: \
            \(captty.stderrLines.filter { !$0.contains("saving") }.prefix(12).joined(separator: " | ")); \
            audio sent \(total * 4) bytes, server received \(coverage); lines printed \(captty.stdoutLines.count) \
            (\(words.count) words); journal \(j)
            """)
        #expect(captty.process.terminationReason == .exit, "captty was killed by a signal (crash)")
        #expect(captty.ending == "exit 0", "stderr: \(captty.stderrText)")
        #expect(!captty.stderrText.contains("Fatal error"))
        #expect(captty.stderrText.contains("injected error"), "the server's Error message is shown on stderr")
        #expect(captty.stderrText.contains("invalid JSON"), "a malformed frame is reported on stderr")
        #expect(captty.stderrText.contains("start: 1e+300 s is outside"), "an absurd time is named on stderr")
        #expect(captty.stderrText.contains("number 1e999 is out of range"), "an unrepresentable number is named")
        #expect(!captty.stdoutLines.joined(separator: "\n").contains("absurd"), "no absurd result reached the transcript")
        #expect(coverage.missing(total: total).isEmpty)
        #expect(FaultAudio.transcriptProblems(words: words, total: total) == [])
        #expect(j.words == words)
    }
}
