import Foundation
import Testing
import TestSupport

/// With no PulseAudio source (no server at all), plain `captty` captions the demo recording
/// and says so on the screen.
@Suite(.serialized) struct DemoFallbackTests {
    @Test(.timeLimit(.minutes(2))) func noAudioDeviceCaptionsTheDemoRecording() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = try TmuxScreen(width: 100, height: 30, environment: [
            "HOME": dir.path, "XDG_RUNTIME_DIR": dir.path, "PULSE_SERVER": "unix:\(dir.path)/no-pulse-here",
        ])
        defer { tmux.kill() }
        try tmux.run("cd \(shellQuoted(dir.path)) && \(shellQuoted(TestPaths.capttyBinary.path)) --engine local --no-journal")
        let screen = try tmux.waitFor(text: "people", timeout: 90)
        #expect(screen.contains("demo recording (no audio device)"))
        try tmux.press("a")
        try tmux.waitFor(text: "not available")
        try tmux.press("Escape")
        try tmux.press("q")
        try tmux.waitForShell()
        #expect(try tmux.format("#{alternate_on}") == "0")
    }

    /// Plain mode has no screen to say the demo plays: it captioned the demo into the pipe as if
    /// it were the microphone, and exited 0. It says there is no microphone and fails instead.
    @Test(.timeLimit(.minutes(1))) func plainModeWithNoAudioDeviceIsAnError() throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runCaptty(["--plain", "--engine", "local", "--no-journal"],
                              environment: ["HOME": dir.path, "XDG_RUNTIME_DIR": dir.path, "PULSE_SERVER": "unix:\(dir.path)/no-pulse-here"],
                              timeout: 30, currentDirectory: dir.path)
        #expect(r.status == 69, "\(r.stderr)")
        // No server at all is said as `captty devices` says it ("no source is available" sent
        // people looking for a microphone).
        #expect(r.stderr.contains("cannot connect to the PulseAudio server at unix:") && r.stderr.contains("PULSE_SERVER")
                && r.stderr.contains("--file PATH"), "\(r.stderr)")
        #expect(r.stdout.isEmpty, "nothing captioned: \(r.stdout)")
    }
}
