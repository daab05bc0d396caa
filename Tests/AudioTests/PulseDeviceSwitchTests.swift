import Foundation
import Testing
import Audio
import TestSupport

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

/// The capture device is gone for good (the daemon restarted without it) and capture keeps
/// retrying it: a device the user picks meanwhile is used at once. The pick was ignored, and
/// the old name retried forever, until captty was restarted. A private daemon, killed and
/// started again (scripts/pulse-test-daemon).
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PulseSwitchWhileRetryingTests {
    static func daemon(_ args: [String]) throws -> Subprocess.Result {
        try Subprocess.run([TestPaths.packageRoot.appendingPathComponent("scripts/pulse-test-daemon").path] + args, timeout: 60)
    }

    @Test func aDevicePickedWhileRetryingAGoneOneIsUsed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-pulse-switch-\(uniqueSuffix())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let started = try Self.daemon(["start", "--dir", dir])
        defer { _ = try? Self.daemon(["stop", "--dir", dir, "--kill"]) }
        try #require(started.status == 0, "pulse-test-daemon: \(started.stderr)")
        let server = "unix:\(dir)/runtime/pulse/native"
        let env = ["XDG_RUNTIME_DIR": "\(dir)/runtime", "PULSE_SERVER": server]
        let load = try Subprocess.run(["pactl", "load-module", "module-null-sink", "sink_name=soon_gone"], env: env, timeout: 20)
        try #require(load.status == 0, "\(load.stderr)")

        var options = PulseCaptureOptions(device: .named("soon_gone.monitor"), server: server)
        options.reconnectDelay = 0.5
        options.maxReconnectDelay = 2
        let capture = try PulseCapture(options: options)
        let resumed: Bool = try await withTimeout(120) {
            var count = 0
            var killedAt: Int?
            for try await _ in capture.chunks() {
                count += 1
                if count == 5 {
                    // The daemon dies and comes back without soon_gone: capture retries its name.
                    _ = try Self.daemon(["stop", "--dir", dir, "--kill"])
                    let again = try Self.daemon(["start", "--dir", dir])
                    try #require(again.status == 0, "\(again.stderr)")
                    try await Task.sleep(for: .seconds(3))
                    try await capture.switchDevice(to: .named("captty_null.monitor"))
                    killedAt = count
                }
                if let k = killedAt, count >= k + 5 { return true }
            }
            return false
        }
        #expect(resumed, "no audio from the picked device")
        #expect(capture.name != "soon_gone.monitor")

    }
}
