import Foundation
import Testing
import Audio

/// Speech played through a real PulseAudio null sink comes back through `PulseCapture` intact.
@Suite(.timeLimit(.minutes(2)))
struct PulseCaptureSpeechTests {
    /// (sink rate, capture rate): the same rate means PulseAudio passes samples through unresampled.
    @Test(arguments: [(16_000, 16_000), (48_000, 48_000), (44_100, 16_000)])
    func capturesPlayedSpeechFromTheSinkMonitor(sinkRate: Int, captureRate: Int) async throws {
        let pulse = try PulseTestServer.shared()
        let sink = "captty_speech_\(uniqueSuffix())"
        let module = try pulse.loadNullSink(sink, description: "speech-test-sink", rate: sinkRate)
        defer { pulse.unloadModule(module) }
        let wav = try Signal.speechWAV("Captions for everyone, starting with the very first word.", rate: captureRate)
        let original = try Signal.soxSamples(wav, rate: captureRate)

        let capture = try PulseCapture(options: PulseCaptureOptions(device: .named("\(sink).monitor"), sampleRate: captureRate, server: pulse.server))
        let captured = try await withTimeout(60) {
            var samples: [Float] = []
            var player: Task<Subprocess.Result, Error>?
            var frames: Int64 = 0
            var capturedOnset: Int?
            let originalOnset = Signal.onset(original) ?? 0
            for try await chunk in capture.chunks() {
                #expect(chunk.format == AudioFormat(encoding: .linear16, sampleRate: captureRate, channels: 1))
                #expect(chunk.startFrame == frames)
                frames += Int64(chunk.frameCount)
                let new = Signal.floats(fromLinear16: chunk.data)
                if capturedOnset == nil, let o = Signal.onset(new) { capturedOnset = samples.count + o }
                samples += new
                if player == nil {
                    // Capture is running: now play the file into the sink.
                    player = Task.detached {
                        try Subprocess.run(["paplay", "--device=\(sink)", wav], env: pulse.env, timeout: 50)
                    }
                }
                // Stop once everything after the onset (plus 0.1 s) is in. On a loaded machine the
                // audio can arrive well after paplay exits, so the clock is not a good guide.
                if let o = capturedOnset, samples.count >= o - originalOnset + original.count + captureRate / 10 { break }
            }
            let r = try await player!.value
            #expect(r.status == 0, "paplay: \(r.stderr)")
            return samples
        }
        #expect(capture.name == "Monitor of speech-test-sink")
        // Aligned by cross-correlation (to a fraction of a sample: PulseAudio's resampler, when
        // the rates differ, delays by a fraction of a sample).
        let (offset, fraction, corr) = Signal.alignFractional(original, in: captured)
        #expect(offset >= 0)
        print("speech capture \(sinkRate)->\(captureRate): correlation \(corr) at offset \(offset)\(fraction >= 0 ? "+" : "")\(fraction)")
        if corr < 0.99 {
            let dump = "/tmp/captty-speech-failure-\(sinkRate)-\(captureRate).raw"
            try? Data(Signal.linear16(captured)).write(to: URL(fileURLWithPath: dump))
            try? Data(Signal.linear16(original)).write(to: URL(fileURLWithPath: dump + ".orig"))
        }
        #expect(corr >= 0.99, "correlation \(corr) at offset \(offset)")
    }
}
