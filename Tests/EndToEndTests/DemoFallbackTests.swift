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

    /// An installed captty (PREFIX/bin/captty) finds the demo `make install` puts in
    /// PREFIX/share/captty; without it, no server is said as plain mode says it, with exit 69. It
    /// said "the demo recording is missing", a recording the user never heard of, and exit 1.
    @Test(.timeLimit(.minutes(2))) func anInstalledCapttyFindsItsDemoOrSaysWhyThereIsNoAudio() throws {
        let dir = try scratchDirectory("e2e-installed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bin = dir.appendingPathComponent("prefix/bin"), share = dir.appendingPathComponent("prefix/share/captty")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestPaths.capttyBinary, to: bin.appendingPathComponent("captty"))
        let env = ["HOME": dir.path, "XDG_RUNTIME_DIR": dir.path, "PULSE_SERVER": "unix:\(dir.path)/no-pulse-here"]
        let command = "cd \(shellQuoted(dir.path)) && \(shellQuoted(bin.appendingPathComponent("captty").path)) --engine local --no-journal"
        do {
            let tmux = try TmuxScreen(width: 100, height: 30, environment: env)
            defer { tmux.kill() }
            try tmux.run(command + "; echo rc=$?")
            let screen = try tmux.waitFor("the exit status", timeout: 30) { $0.range(of: #"rc=\d"#, options: .regularExpression) != nil }
            #expect(screen.contains("rc=69") && screen.contains("cannot connect to the PulseAudio server") && !screen.contains("demo"),
                    "\(screen)")
        }
        try FileManager.default.createDirectory(at: share, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav"),
                                         to: share.appendingPathComponent("demo-preamble.wav"))
        let tmux = try TmuxScreen(width: 100, height: 30, environment: env)
        defer { tmux.kill() }
        try tmux.run(command)
        try tmux.waitFor(text: "demo recording (no audio device)", timeout: 60)
        try tmux.waitFor(text: "people", timeout: 90)
        // (The engine's notice that it has no Moonshine here closes with the first key.)
        if try tmux.screen().contains("any key closes") { try tmux.press("Enter") }
        try tmux.press("q")
        try tmux.waitForShell()
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
