import Audio
import CaptionUI
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
import Transcript
@testable import CapttyCore

/// The lag on the status bar after a capture outage: a private PulseAudio daemon is killed and
/// started again under a session captioning its null sink's monitor through the Deepgram test
/// double. The time without audio is not lag (the engine never had it to caption); the status
/// bar read the whole outage as lag until the engine's next result.
@Suite(.serialized) struct SessionCaptureGapLagTests {
    static func daemon(_ args: [String]) throws -> ProcessResult {
        try runProcess(TestPaths.packageRoot.appendingPathComponent("scripts/pulse-test-daemon").path, args, timeout: 60)
    }

    /// A private PulseAudio daemon (in a scratch directory, killed at the end) and the Deepgram
    /// test double; `prepare` runs against the daemon's server first, then `body` gets a
    /// session capturing `device` through the double (capture retries every 0.2–0.5 s).
    static func withPulseSession(_ name: String, device: String, prepare: (String) throws -> Void = { _ in },
                                 _ body: @escaping @Sendable (Session, _ pulseDir: String, _ server: String) async throws -> Void) async throws {
        let dir = try scratchDirectory(name)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pulseDir = dir.appendingPathComponent("pulse").path
        let started = try daemon(["start", "--dir", pulseDir])
        defer { _ = try? daemon(["stop", "--dir", pulseDir, "--kill"]) }
        try #require(started.status == 0, "pulse-test-daemon: \(started.stderr)")
        let server = "unix:\(pulseDir)/runtime/pulse/native"
        try prepare(server)
        try await withDeepgramDouble([]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            var options = PulseCaptureOptions(device: .named(device), server: server)
            options.reconnectDelay = 0.2
            options.maxReconnectDelay = 0.5
            let session = Session(source: try PulseCapture(options: options), engine: engine, options: .captionDefaults)
            try await body(session, pulseDir, server)
        }
    }

    /// Loads a null sink "unplugged" (described "Unplugged") on `server`; returns its module.
    static func loadUnplugged(_ server: String) throws -> String {
        let load = try runProcess("/usr/bin/pactl", ["load-module", "module-null-sink", "sink_name=unplugged",
                                                    "sink_properties=device.description=Unplugged"],
                                  environment: ["PULSE_SERVER": server], timeout: 20)
        try #require(load.status == 0, "\(load.stderr)")
        return load.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.timeLimit(.minutes(3))) func anOutageIsNotCountedAsLag() async throws {
        try await Self.withPulseSession("gap-lag", device: "captty_null.monitor") { session, pulseDir, _ in
            typealias Outage = (noAudio: Bool, rms: Double)
            let (lags, outage): ((before: Int, after: [Int]), [Outage]) = try await within(.seconds(120), "captioning across a PulseAudio outage") {
                let recorder = Task { () -> ([(Int, Bool)], [Outage]) in
                    var seen: [(Int, Bool)] = []
                    var outage: [Outage] = []
                    for await _ in session.changes {
                        let v = session.view
                        if let lag = v.lagMilliseconds { seen.append((lag, v.warningCount > 0)) }
                        if v.deviceName.contains("audio lost") { outage.append((v.noAudio, v.level.rmsDB)) }
                    }
                    return (seen, outage)
                }
                await session.start()
                try await Task.sleep(for: .seconds(3))
                let before = session.view.lagMilliseconds ?? -1
                _ = try Self.daemon(["stop", "--dir", pulseDir, "--kill"])
                try await Task.sleep(for: .seconds(3))
                let again = try Self.daemon(["start", "--dir", pulseDir])
                try #require(again.status == 0, "\(again.stderr)")
                // Until capture is back ("… is back after 3.x s" is the session's warning) and a
                // second after it.
                let deadline = Date().addingTimeInterval(30)
                while session.view.warningCount == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .seconds(1))
                await session.finish()
                let (seen, outage) = await recorder.value
                return ((before, seen.filter(\.1).map(\.0)), outage)
            }
            #expect(lags.before >= 0 && lags.before < 1500, "lag before the outage: \(lags.before) ms")
            #expect(!lags.after.isEmpty, "capture did not come back")
            // The outage was over 3 s: a lag that counts it reads 3000+ ms right after.
            #expect((lags.after.max() ?? 0) < 2000, "lag after the outage: \(lags.after)")
            // During the outage the meter is empty (it froze at the last level) and the outage
            // notice is not wrapped in a "no audio from …" warning.
            #expect(!outage.isEmpty, "no outage seen")
            #expect(outage.allSatisfy { !$0.noAudio && $0.rms <= LevelMeter.floorDB }, "\(outage)")
        }
    }

    /// The session ends while the device is still gone: the time since it went is marked
    /// then, as when it comes back (the journal just stopped, with no gap and no total; found
    /// in QA).
    @Test(.timeLimit(.minutes(3))) func aDeviceStillGoneAtTheEndIsMarked() async throws {
        try await Self.withPulseSession("gone-at-end", device: "captty_null.monitor") { session, pulseDir, _ in
            let (gaps, lostAt, summary) = try await within(.seconds(120), "a session ending during an outage") { () -> ([AudioGap], Double, Session.Summary) in
                await session.start()
                let audioBy = Date().addingTimeInterval(20)
                while await session.audioCounts.produced == 0, Date() < audioBy { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .seconds(2))
                _ = try Self.daemon(["stop", "--dir", pulseDir, "--kill"])
                let deadline = Date().addingTimeInterval(20)
                while !session.view.deviceName.contains("audio lost"), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                let lostAt = session.view.store.time
                try await Task.sleep(for: .seconds(3))
                let summary = await session.finish()
                return (session.view.store.gaps, lostAt, summary)
            }
            let lost = gaps.filter { $0.reason == AudioGap.deviceLost }
            #expect(lost.count == 1, "\(gaps)")
            #expect((lost.first?.duration ?? 0) >= 3, "\(gaps)")
            #expect((lost.first?.start ?? 0) >= lostAt - 1, "the gap starts where the audio stopped: \(gaps), results to \(lostAt)")
            #expect(summary.deviceLostSeconds >= 3, "the closing total counts it: \(summary.deviceLostSeconds)")
        }
    }

    /// A device suspended for a while (`pactl suspend-sink`, a machine asleep) is journaled as
    /// suspended, not lost (it read "the audio device was lost"). While it lasts the screen says
    /// so and waits for audio (it said "live" through it; found in QA); the notice goes when
    /// audio comes back.
    @Test(.timeLimit(.minutes(3))) func aSuspensionIsJournaledAsOne() async throws {
        try await Self.withPulseSession("suspended", device: "captty_null.monitor") { session, _, server in
            let (gaps, during, after) = try await within(.seconds(120), "a session across a suspension") { () -> ([AudioGap], String?, String?) in
                await session.start()
                let audioBy = Date().addingTimeInterval(20)
                while await session.audioCounts.produced == 0, Date() < audioBy { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .seconds(1))
                let env = ["PULSE_SERVER": server]
                #expect(try runProcess("/usr/bin/pactl", ["suspend-sink", "captty_null", "1"], environment: env, timeout: 20).status == 0)
                try await Task.sleep(for: .seconds(2.5))
                let during = session.view.audioOutage
                #expect(session.view.status.waitingForAudio, "the status bar still said live")
                #expect(try runProcess("/usr/bin/pactl", ["suspend-sink", "captty_null", "0"], environment: env, timeout: 20).status == 0)
                let deadline = Date().addingTimeInterval(20)
                while session.view.store.gaps.isEmpty, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .milliseconds(300))
                let after = session.view.audioOutage
                await session.finish()
                return (session.view.store.gaps, during, after)
            }
            #expect(gaps.count == 1 && gaps.first?.reason == AudioGap.suspended, "\(gaps)")
            #expect((gaps.first?.duration ?? 0) >= 1.5, "\(gaps)")
            #expect(during?.contains("the device is suspended") == true, "\(String(describing: during))")
            #expect(after == nil, "\(String(describing: after))")
        }
    }

    /// What is wrong is said as it changes: the server dies (and stays away), then comes back
    /// without the device; the device comes back last. The first reason ("Connection
    /// terminated") stayed on screen while the server was back and only the device was missing.
    @Test(.timeLimit(.minutes(3))) func theOutageSaysWhatIsWrongNow() async throws {
        try await Self.withPulseSession("outage-reason", device: "unplugged.monitor", prepare: { _ = try Self.loadUnplugged($0) }) { session, pulseDir, server in
            let (names, warnings): ([String], [String]) = try await within(.seconds(120), "an outage whose cause changes") {
                let recorder = Task { () -> [String] in
                    var names: [String] = []
                    for await _ in session.changes where names.last != session.view.deviceName { names.append(session.view.deviceName) }
                    return names
                }
                await session.start()
                let audioBy = Date().addingTimeInterval(20)
                while await session.audioCounts.produced == 0, Date() < audioBy { try await Task.sleep(for: .milliseconds(50)) }
                let deadline = Date().addingTimeInterval(40)
                _ = try Self.daemon(["stop", "--dir", pulseDir, "--kill"])
                while !session.view.deviceName.contains("audio lost"), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .seconds(1))
                // Back, with its own null sink but not the device being captioned.
                let again = try Self.daemon(["start", "--dir", pulseDir])
                try #require(again.status == 0, "\(again.stderr)")
                while !session.view.deviceName.contains("removed"), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                _ = try Self.loadUnplugged(server)
                while session.view.warningCount == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                await session.finish()
                return (await recorder.value, session.view.recentWarnings)
            }
            let lost = names.filter { $0.contains("audio lost") }
            #expect(lost == ["Monitor of Unplugged — audio lost: the PulseAudio server is not running; retrying",
                             "Monitor of Unplugged — audio lost: it was removed or disabled; retrying"], "\(names)")
            #expect(names.last == "Monitor of Unplugged", "\(names)")
            #expect(warnings.contains { $0.hasPrefix("audio from Monitor of Unplugged is back after ") }, "\(warnings)")
        }
    }

    /// A device picked while capture retries a vanished one was never lost: its audio is not
    /// said to be "back" (as if that device had gone away too), but the time without audio is.
    @Test(.timeLimit(.minutes(3))) func aDevicePickedDuringAnOutageIsNotSaidToBeBack() async throws {
        final class Module: @unchecked Sendable { var index = "" }
        let module = Module()
        try await Self.withPulseSession("pick-during-outage", device: "unplugged.monitor", prepare: { module.index = try Self.loadUnplugged($0) }) { session, _, server in
            let warnings: [String] = try await within(.seconds(120), "picking a device during an outage") {
                await session.start()
                // Audio first (a null sink's monitor delivers it in blocks of up to 2 s).
                let audioBy = Date().addingTimeInterval(20)
                while await session.audioCounts.produced == 0, Date() < audioBy { try await Task.sleep(for: .milliseconds(50)) }
                let unload = try runProcess("/usr/bin/pactl", ["unload-module", module.index],
                                            environment: ["PULSE_SERVER": server], timeout: 20)
                #expect(unload.status == 0)
                let deadline = Date().addingTimeInterval(20)
                while !session.view.deviceName.contains("audio lost"), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                // The meter row says it, whole (the screen cut it off the device name).
                #expect(session.view.meter.outage?.hasPrefix("audio lost: ") == true, "\(String(describing: session.view.meter.outage))")
                #expect(session.view.meter.outage?.hasSuffix("; retrying — “Monitor of Unplugged”") == true)
                try await Task.sleep(for: .seconds(1))
                try await session.switchDevice(to: .named("captty_null.monitor"))
                while session.view.warningCount == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                #expect(session.view.meter.outage == nil, "the outage stayed on the meter after another device was picked")
                await session.finish()
                return session.view.recentWarnings
            }
            let said = warnings.first { $0.contains("without audio") || $0.contains("is back") }
            #expect(said?.hasPrefix("audio from Monitor of captty-null-sink after ") == true, "\(warnings)")
            #expect(said?.contains("s without audio; that stretch has no captions") == true, "\(warnings)")
            #expect(!warnings.contains { $0.contains("is back") }, "\(warnings)")
        }
    }
}
