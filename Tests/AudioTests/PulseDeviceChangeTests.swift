import Foundation
import Testing
import Audio
import TestSupport

/// What capture does when PulseAudio's devices change under it, against a real daemon.
///
/// With `pa_simple`, a named device that was removed had its stream moved by PulseAudio to the
/// default source, and captty went on captioning another microphone without a word; a change of
/// the default output left `--system-audio` on the old one.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct PulseDeviceChangeTests {
    /// Capture events as they come, for the test to wait on.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [CaptureEvent] = []
        func add(_ e: CaptureEvent) { lock.lock(); seen.append(e); lock.unlock() }
        var all: [CaptureEvent] { lock.lock(); defer { lock.unlock() }; return seen }
        func follow(_ capture: PulseCapture) -> Task<Void, Never> {
            let events = capture.events()
            return Task { for await e in events { self.add(e) } }
        }
    }

    /// The null sink's module, loaded again by the test (for the clean-up).
    final class ModuleIndex: @unchecked Sendable {
        private let lock = NSLock()
        private var index: String
        init(_ index: String) { self.index = index }
        var value: String {
            get { lock.lock(); defer { lock.unlock() }; return index }
            set { lock.lock(); index = newValue; lock.unlock() }
        }
    }

    /// A capture of `device` that retries every 0.2–0.5 s, and its events as they come.
    static func retryingCapture(_ device: AudioDeviceSelector, server: String) throws -> (PulseCapture, EventLog, Task<Void, Never>) {
        var options = PulseCaptureOptions(device: device, server: server)
        options.reconnectDelay = 0.2
        options.maxReconnectDelay = 0.5
        let capture = try PulseCapture(options: options)
        let log = EventLog()
        return (capture, log, log.follow(capture))
    }

    static func tone(_ name: String, seconds: Int = 40) throws -> String {
        let path = Signal.tempPath(name)
        try Subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", path, "synth", "\(seconds)", "sine", "1000", "vol", "0.5"])
        return path
    }

    @Test func aNamedDeviceThatIsRemovedIsRetriedNotSwappedForAnother() async throws {
        let pulse = try PulseTestServer.shared()
        let tag = uniqueSuffix()
        let sink = "captty_unplugged_\(tag)"
        let module = ModuleIndex(try pulse.loadNullSink(sink, description: "Unplugged-\(tag)"))
        defer { pulse.unloadModule(module.value) }
        let (capture, log, follower) = try Self.retryingCapture(.named("\(sink).monitor"), server: pulse.server)
        defer { follower.cancel() }
        let outcome: (before: Int, during: Int, after: Int, gap: Double) = try await withTimeout(90) {
            var before = 0, during = 0, after = 0
            var gap = 0.0
            var phase = 0
            for try await c in capture.chunks() {
                switch phase {
                case 0:
                    before += 1
                    if before == 5 {
                        // Unplugged: with pa_simple PulseAudio moved the stream to the default
                        // source and chunks went on coming from another device.
                        pulse.unloadModule(module.value)
                        phase = 1
                        let deadline = Date().addingTimeInterval(10)
                        while !log.all.contains(where: { if case .reconnecting = $0 { true } else { false } }), Date() < deadline {
                            try await Task.sleep(for: .milliseconds(50))
                        }
                        try await Task.sleep(for: .seconds(1))
                        module.value = try pulse.loadNullSink(sink, description: "Unplugged-\(tag)")
                    }
                case 1:
                    // The first chunk after the outage: it must come from the device again.
                    during += 1
                    gap = c.gapBefore
                    phase = 2
                default:
                    after += 1
                    if after == 5 { return (before, during, after, gap) }
                }
            }
            return (before, during, after, gap)
        }
        #expect(outcome.after == 5, "capture did not come back to the replugged device")
        let events = log.all
        let reasons = events.compactMap { e -> String? in if case .reconnecting(_, _, let r) = e { r } else { nil } }
        #expect(reasons.first?.contains("was removed or disabled") == true, "events: \(events)")
        #expect(!events.contains { if case .moved = $0 { true } else { false } }, "moved to another device: \(events)")
        // The outage was longer than a second: said as a gap in the audio's time line.
        #expect(outcome.gap >= 1.0, "gap \(outcome.gap)")
        #expect(capture.name == "Unplugged-\(tag)" || capture.name.contains(tag))
    }

    @Test func movesOfTheDefaultSourceAreSaidAndSystemAudioFollowsTheDefaultOutput() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-pulse-move-\(uniqueSuffix())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pulse = try PulseTestServer.startPrivate(dir: dir)
        defer { try? pulse.stop(kill: true) }
        _ = try pulse.loadNullSink("quiet_out", description: "Quiet-Output")
        let loud = try pulse.loadNullSink("loud_out", description: "Loud-Output")
        try pulse.pactl("set-default-sink", "quiet_out")
        try pulse.pactl("set-default-source", "quiet_out.monitor")
        let tone = try Self.tone("follow-tone.wav")
        let player = Task.detached { try Subprocess.run(["paplay", "--device=loud_out", tone], env: pulse.env, timeout: 60) }
        defer { player.cancel() }

        // The default source is changed, then removed: each move PulseAudio makes is said.
        do {
            let capture = try PulseCapture(options: PulseCaptureOptions(device: .defaultSource, server: pulse.server))
            let log = EventLog()
            let follower = log.follow(capture)
            defer { follower.cancel() }
            let loudChunks: Int = try await withTimeout(60) {
                var n = 0, loudSeen = 0
                var meter = LevelMeter()
                for try await c in capture.chunks() {
                    n += 1
                    if n == 5 { try pulse.pactl("set-default-source", "loud_out.monitor") }
                    if n > 5, meter.update(c).rmsDB > -20 { loudSeen += 1 }
                    if loudSeen == 3 { break }
                }
                return loudSeen
            }
            #expect(loudChunks == 3)
            let moves = log.all.compactMap { e -> String? in if case .moved(let d, _) = e { d } else { nil } }
            #expect(moves.last == "Monitor of Loud-Output", "events: \(log.all)")
        }

        // --system-audio: the default output changes to the one playing; capture follows it.
        let capture = try PulseCapture(options: PulseCaptureOptions(device: .systemAudio, server: pulse.server))
        let log = EventLog()
        let follower = log.follow(capture)
        defer { follower.cancel() }
        let (quietFirst, loudLater, gap): (Bool, Bool, Double) = try await withTimeout(60) {
            var n = 0
            var quiet = true, loudNow = false
            var gap = 0.0
            var meter = LevelMeter()
            for try await c in capture.chunks() {
                n += 1
                gap += c.gapBefore
                let level = meter.update(c).rmsDB
                if n <= 5 { quiet = quiet && level < -60 }
                if n == 5 { try pulse.pactl("set-default-sink", "loud_out") }
                if n > 5, level > -20 { loudNow = true; break }
                if n > 200 { break }
            }
            return (quiet, loudNow, gap)
        }
        // Following it loses almost nothing: the new monitor's audio comes late, in a burst,
        // not lost (1.5 s was counted as a gap, and every later caption stamped that late).
        #expect(gap < 0.3, "\(gap) s of gap following the default output")
        #expect(quietFirst, "the quiet output's monitor was not recorded first")
        #expect(loudLater, "capture did not follow the default output to the one playing")
        let moves = log.all.compactMap { e -> String? in if case .moved(let d, _) = e { d } else { nil } }
        #expect(moves == ["Monitor of Loud-Output"], "events: \(log.all)")
        #expect(capture.name == "Monitor of Loud-Output")
        _ = loud
    }

    /// Following the default source across an outage: the daemon dies and comes back with
    /// another default. Capture records the new default and names it (the old name stayed).
    @Test func afterAnOutageTheNewDefaultIsNamed() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-pulse-outage-\(uniqueSuffix())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pulse = try PulseTestServer.startPrivate(dir: dir)
        defer { try? pulse.stop(kill: true) }
        _ = try pulse.loadNullSink("before_out", description: "Before-Output")
        try pulse.pactl("set-default-source", "before_out.monitor")
        let (capture, log, follower) = try Self.retryingCapture(.defaultSource, server: pulse.server)
        defer { follower.cancel() }
        let resumed: Bool = try await withTimeout(90) {
            var n = 0
            var restartedAt: Int?
            for try await _ in capture.chunks() {
                n += 1
                if n == 3 {
                    #expect(capture.name == "Monitor of Before-Output")
                    try pulse.stop(kill: true)
                    // Back without before_out: its default is the script's captty_null.
                    _ = try PulseTestServer.startPrivate(dir: dir)
                    restartedAt = n
                }
                if let r = restartedAt, n >= r + 3 { return true }
            }
            return false
        }
        #expect(resumed)
        #expect(capture.name == "Monitor of captty-null-sink", "events: \(log.all)")
        let moves = log.all.compactMap { e -> CaptureMove? in if case .moved(let d, let why) = e, d == "Monitor of captty-null-sink" { why } else { nil } }
        #expect(moves == [.defaultChangedDuringOutage], "events: \(log.all)")
    }
}
