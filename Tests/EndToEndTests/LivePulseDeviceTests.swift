import Foundation
import Testing
import TestSupport

/// The app capturing from a real PulseAudio daemon (private, headless: scripts/pulse-test-daemon)
/// while `paplay` plays a real recording into its null sink: captions appear, `a` opens the
/// device picker listing Pulse's sources, choosing another source switches the capture, and
/// silence from it is reported as "no audio from …".
@Suite(.serialized) struct LivePulseDeviceTests {
    static let daemon = TestPaths.packageRoot.appendingPathComponent("scripts/pulse-test-daemon").path

    /// Starts a private PulseAudio daemon under `dir`/pulse; returns its directory.
    static func startDaemon(in dir: URL) throws -> String {
        let pulseDir = dir.appendingPathComponent("pulse").path
        let started = try TmuxScreen.spawn(daemon, ["start", "--dir", pulseDir], timeout: 60)
        try #require(started.status == 0, "pulse-test-daemon: \(started.stderr)")
        return pulseDir
    }

    static func stopDaemon(_ pulseDir: String) { _ = try? TmuxScreen.spawn(daemon, ["stop", "--dir", pulseDir], timeout: 30) }

    /// Runs `body` with a scratch directory, a private PulseAudio daemon's server address, the
    /// quoted captty binary and the Deepgram TEST DOUBLE.
    static func withPrivatePulseAndDouble(_ body: (URL, String, String, DeepgramDoubleProcess) async throws -> Void) async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pulseDir = try startDaemon(in: dir)
        defer { stopDaemon(pulseDir) }
        let server = "unix:\(pulseDir)/runtime/pulse/native"
        try await withDeepgramDouble([]) { double in
            try await body(dir, server, shellQuoted(TestPaths.capttyBinary.path), double)
        }
    }

    @Test(.timeLimit(.minutes(3))) func captionsFromPulseAndDevicePickerSwitches() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let pulseDir = try Self.startDaemon(in: dir)
        defer { Self.stopDaemon(pulseDir) }
        let runtime = pulseDir + "/runtime"
        let server = "unix:\(runtime)/pulse/native"
        let env = ["XDG_RUNTIME_DIR": runtime, "PULSE_SERVER": server, "HOME": dir.path]
        let loaded = try TmuxScreen.spawn("/usr/bin/env", ["PULSE_SERVER=\(server)", "pactl", "load-module", "module-null-sink", "sink_name=second",
                                                            "sink_properties=device.description=second-sink"], timeout: 20)
        try #require(loaded.status == 0, "pactl: \(loaded.stderr)")

        let journal = dir.appendingPathComponent("pulse.jsonl").path
        let tmux = try TmuxScreen(width: 100, height: 30, environment: env)
        defer { tmux.kill() }
        try tmux.run("(sleep 1; paplay -d captty_null \(shellQuoted(TestAudio.preamble))) & \(shellQuoted(TestPaths.capttyBinary.path)) --engine local --device captty_null.monitor --journal \(shellQuoted(journal))")
        try tmux.waitFor(text: "people", timeout: 90)
        #expect(try tmux.screen().contains("Monitor of captty-null-sink"))

        try tmux.press("a")
        let picker = try tmux.waitFor(text: "second.monitor")
        #expect(picker.contains("captty_null.monitor"))
        try tmux.press("Down")
        try tmux.press("Enter")
        try tmux.waitFor(text: "Monitor of second-sink")
        // Nothing plays into the second sink: after the silence time the meter says so (a
        // monitor's silence is nothing playing, not a muted microphone: no warning).
        let quiet = try tmux.waitFor(text: "nothing is playing on", timeout: 30)
        #expect(!quiet.contains("no audio from"), "\(quiet)")

        try tmux.press("q")
        try tmux.waitFor(text: "Transcript saved to", timeout: 30)
        #expect(try tmux.format("#{alternate_on}") == "0")
        let text = try String(contentsOfFile: journal, encoding: .utf8)
        #expect(text.contains("\"people\""))
        // The switch the user asked for is no lost device ("[0.7 s of audio lost: the audio
        // device was lost]" was written in the captions, the journal and every export).
        #expect(!text.contains("the audio device was lost"), "\(text)")
    }

    /// Plain mode, as a screen-reader user hears it, while devices change under it: a named
    /// device that is unplugged is said to be gone and is waited for (not swapped for another
    /// microphone), and a change of the default source is said.
    @Test(.timeLimit(.minutes(3))) func deviceChangesAreSaidInPlainMode() async throws {
        try await Self.withPrivatePulseAndDouble { dir, server, bin, double in
            let script = """
                export PULSE_SERVER=\(shellQuoted(server)) DEEPGRAM_API_KEY=test-key CAPTTY_LOG=\(shellQuoted(dir.appendingPathComponent("captty.log").path))
                load() { pactl load-module module-null-sink sink_name=headset sink_properties=device.description=Headset; }
                m=$(load)
                \(bin) --plain --engine deepgram --url \(double.baseURL) --device headset.monitor --no-journal 2> named.err &
                p=$!; sleep 3; pactl unload-module "$m"; sleep 2; m=$(load); sleep 4; kill -TERM $p; wait $p
                \(bin) --plain --engine deepgram --url \(double.baseURL) --no-journal 2> default.err &
                p=$!; sleep 3; pactl set-default-source headset.monitor; sleep 3; kill -TERM $p; wait $p
                """
            let r = try runProcess("/bin/sh", ["-c", "cd \(shellQuoted(dir.path)) && { \(script)\n}"], timeout: 90)
            let named = try String(contentsOf: dir.appendingPathComponent("named.err"), encoding: .utf8)
            #expect(named.contains("audio from Monitor of Headset — audio lost: it was removed or disabled; retrying"),
                    "\(named)\n\(r.stderr)")
            #expect(named.contains("audio from Monitor of Headset is back after"), "\(named)")
            #expect(!named.contains("now capturing from"), "\(named)")
            // The outage is the notice: no "no audio from <outage text>" on top of it.
            #expect(!named.contains("no audio from Monitor of Headset — audio lost"), "\(named)")
            let moved = try String(contentsOf: dir.appendingPathComponent("default.err"), encoding: .utf8)
            #expect(moved.contains("now capturing from Monitor of Headset (PulseAudio moved the recording"), "\(moved)\n\(r.stderr)")
            // Said once: "audio from Monitor of Headset" after it repeated the device.
            #expect(!moved.contains("captty: audio from Monitor of Headset\n"), "\(moved)")
            // The log file has the device's story too (it had none of it).
            let log = try String(contentsOf: dir.appendingPathComponent("captty.log"), encoding: .utf8)
            #expect(log.contains("audio: Monitor of Headset: audio lost: it was removed or disabled; retrying"), "\(log)")
            #expect(log.contains("audio: capturing from Monitor of Headset again"), "\(log)")
            #expect(log.contains("audio: now capturing from Monitor of Headset (PulseAudio moved the recording"), "\(log)")
            #expect(!log.contains("test-key"))
        }
    }

    /// `--system-audio` follows the default output to its new monitor. PulseAudio sends the new
    /// monitor only what its sink renders after it attached (a sink playing with a large latency:
    /// up to 2 s later); that time was said and journaled as a lost device ("is back after 2.0 s
    /// without it", "the audio device was lost"). It is the move's (found in QA).
    @Test(.timeLimit(.minutes(3))) func followingTheDefaultOutputIsNotADeviceLoss() async throws {
        try await Self.withPrivatePulseAndDouble { dir, server, bin, double in
            let journal = dir.appendingPathComponent("follow.jsonl").path
            let script = """
                export PULSE_SERVER=\(shellQuoted(server)) DEEPGRAM_API_KEY=test-key
                sox -n -r 44100 -c 2 tone.wav synth 20 sine 440 vol 0.5
                pactl load-module module-null-sink sink_name=speakers sink_properties=device.description=Speakers > /dev/null
                paplay -d speakers tone.wav & t=$!
                \(bin) --plain --engine deepgram --url \(double.baseURL) --system-audio --journal \(shellQuoted(journal)) 2> follow.err &
                p=$!; sleep 3; pactl set-default-sink speakers; sleep 5; kill -TERM $p; wait $p; kill $t
                """
            let r = try runProcess("/bin/sh", ["-c", "cd \(shellQuoted(dir.path)) && { \(script)\n}"], timeout: 90)
            let err = try String(contentsOf: dir.appendingPathComponent("follow.err"), encoding: .utf8)
            #expect(err.contains("now capturing from Monitor of Speakers (the default output changed)"), "\(err)\n\(r.stderr)")
            #expect(!err.contains("is back after") && !err.contains("audio device was gone"), "\(err)")
            let gaps = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").filter { $0.contains("\"type\":\"gap\"") }
            #expect(gaps.allSatisfy { $0.contains("the capture was moving to the new default output") }, "\(gaps)")
            if !gaps.isEmpty { #expect(err.contains("the time the move to the new default output took has no captions"), "\(err)") }
        }
    }

    /// Capturing a monitor ("caption what this computer plays"), silence is nothing playing:
    /// plain mode said "no audio from Monitor of … — check it is on and not muted" at every
    /// pause. A microphone (here a source remapped from a monitor) that goes silent is still warned about.
    @Test(.timeLimit(.minutes(3))) func aSilentMonitorIsNotWarnedAboutAMicrophoneIs() async throws {
        try await Self.withPrivatePulseAndDouble { dir, server, bin, double in
            let script = """
                export PULSE_SERVER=\(shellQuoted(server)) DEEPGRAM_API_KEY=test-key
                pactl load-module module-null-sink sink_name=speakers sink_properties=device.description=Speakers > /dev/null
                pactl load-module module-remap-source master=speakers.monitor source_name=mic source_properties=device.description=Mic > /dev/null
                \(bin) --plain --engine deepgram --url \(double.baseURL) --device speakers.monitor --no-journal 2> monitor.err &
                a=$!
                \(bin) --plain --engine deepgram --url \(double.baseURL) --device mic --no-journal 2> mic.err &
                b=$!
                sleep 9; kill -TERM $a $b; wait $a $b
                """
            let r = try runProcess("/bin/sh", ["-c", "cd \(shellQuoted(dir.path)) && { \(script)\n}"], timeout: 90)
            let monitor = try String(contentsOf: dir.appendingPathComponent("monitor.err"), encoding: .utf8)
            let mic = try String(contentsOf: dir.appendingPathComponent("mic.err"), encoding: .utf8)
            #expect(monitor.contains("Monitor of Speakers"), "\(monitor)\n\(r.stderr)")
            #expect(!monitor.contains("no audio from"), "\(monitor)")
            #expect(mic.contains("no audio from Mic — check it is on and not muted"), "\(mic)\n\(r.stderr)")
        }
    }

    /// The open device picker follows the devices: one plugged in while it is open shows, and
    /// one removed goes (the list was a snapshot from when it opened).
    @Test(.timeLimit(.minutes(3))) func theOpenDevicePickerShowsDevicesPluggedInMeanwhile() async throws {
        try await Self.withPrivatePulseAndDouble { dir, server, bin, double in
            let env = ["PULSE_SERVER": server, "HOME": dir.path, "DEEPGRAM_API_KEY": "test-key"]
            let tmux = try TmuxScreen(width: 100, height: 30, environment: env)
            defer { tmux.kill() }
            try tmux.run("\(bin) --engine deepgram --url \(double.baseURL) --device captty_null.monitor --no-journal")
            try tmux.waitFor(text: "Monitor of captty-null-sink", timeout: 30)
            try tmux.press("a")
            let before = try tmux.waitFor(text: "captty_null.monitor")
            #expect(!before.contains("latecomer"), "\(before)")
            let loaded = try runProcess("/usr/bin/env", ["PULSE_SERVER=\(server)", "pactl", "load-module", "module-null-sink",
                                                         "sink_name=latecomer", "sink_properties=device.description=latecomer-sink"], timeout: 20)
            try #require(loaded.status == 0, "pactl: \(loaded.stderr)")
            let module = loaded.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let plugged = try tmux.waitFor("the new device in the open picker", timeout: 10) { $0.contains("latecomer.monitor") }
            #expect(plugged.contains("captty_null.monitor"), "\(plugged)")
            let unloaded = try runProcess("/usr/bin/env", ["PULSE_SERVER=\(server)", "pactl", "unload-module", module], timeout: 20)
            try #require(unloaded.status == 0, "pactl: \(unloaded.stderr)")
            let gone = try tmux.waitFor("the removed device gone from the picker", timeout: 10) { !$0.contains("latecomer") }
            #expect(gone.contains("captty_null.monitor"), "\(gone)")
            try tmux.press("Escape")
            try tmux.press("q")
            try tmux.waitForShell()
        }
    }
}
