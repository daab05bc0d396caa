import Foundation
import Testing
import Audio

/// Switching the capture device while running keeps the same stream of chunks going.
@Suite(.timeLimit(.minutes(2)))
struct PulseDeviceSwitchTests {
    @Test func switchesToAnotherSourceWithoutEndingTheStream() async throws {
        let pulse = try PulseTestServer.shared()
        let tag = uniqueSuffix()
        let quiet = try pulse.loadNullSink("captty_quiet_\(tag)")
        defer { pulse.unloadModule(quiet) }
        let loud = try pulse.loadNullSink("captty_loud_\(tag)")
        defer { pulse.unloadModule(loud) }
        // A 1 kHz tone plays into the "loud" sink for the whole test.
        let tone = Signal.tempPath("tone.wav")
        try Subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", tone, "synth", "30", "sine", "1000", "vol", "0.5"])
        let player = Task.detached { try Subprocess.run(["paplay", "--device=captty_loud_\(tag)", tone], env: pulse.env, timeout: 40) }
        defer { player.cancel() }

        let capture = try PulseCapture(options: PulseCaptureOptions(device: .named("captty_quiet_\(tag).monitor"), server: pulse.server))
        await #expect(throws: AudioError.self) { try await capture.switchDevice(to: .named("captty_loud_\(tag).monitor")) }
        let chunks: [AudioChunk] = try await withTimeout(60) {
            var got: [AudioChunk] = []
            var switchedAt: Int?
            var meter = LevelMeter()
            for try await c in capture.chunks() {
                got.append(c)
                if got.count == 10 {
                    // An unknown device is refused and capture goes on with the current one.
                    await #expect(throws: AudioError.self) { try await capture.switchDevice(to: .named("nope-\(tag)")) }
                    try await capture.switchDevice(to: .named("captty_loud_\(tag)"))
                    switchedAt = got.count
                }
                if let s = switchedAt, got.count > s, meter.update(c).rmsDB > -20 { break }
            }
            return got
        }
        var meter = LevelMeter()
        // Before the switch: the quiet sink's monitor (at most ±1 LSB of resampler noise).
        #expect(chunks.prefix(10).allSatisfy { meter.update($0).peakDB < -80 })
        let last = try #require(chunks.last)
        // 0.5 × full scale sine: −9.03 dBFS RMS.
        #expect(abs(meter.update(last).rmsDB - (-9.03)) < 0.5)
        #expect(capture.name == "Monitor of Null Output" || capture.name.contains("loud"))
        for i in 1..<chunks.count {
            #expect(chunks[i].startFrame == chunks[i - 1].startFrame + Int64(chunks[i - 1].frameCount)
                    + Int64((chunks[i].gapBefore * 16_000).rounded()))
        }
    }
}
