import Foundation

/// A tmux server on a private socket (`-L captty-test-<uuid>`) with one window running a
/// shell, for driving the real `captty` binary like a person at a terminal. `kill()` (also
/// run by `deinit`) stops the server and everything in it. Shared by EndToEndTests and
/// FaultTests.
public final class TmuxScreen: @unchecked Sendable {
    public let socket = "captty-test-\(UUID().uuidString.prefix(8))"
    public private(set) var killed = false

    /// Why tmux could not be driven (with the last screen where there is one).
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public init(width: Int = 100, height: Int = 30, environment: [String: String] = [:]) throws {
        var args = ["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-e", "LANG=C.UTF-8"]
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { args += ["-e", "\(k)=\(v)"] }
        args += ["bash --norc --noprofile"]
        let r = try tmux(args)
        guard r.status == 0 else { throw Failure(description: "tmux new-session failed: \(r.stderr)") }
    }

    deinit { kill() }

    @discardableResult
    public func tmux(_ args: [String]) throws -> ProcessResult {
        try Self.spawn("/usr/bin/tmux", ["-L", socket] + args, timeout: 20)
    }

    /// Runs a short command with posix_spawn and waitpid (bounded; killed on timeout), with no
    /// signals blocked. Used instead of Foundation's Process, which here sometimes misses the
    /// exit of a tmux client whose server daemonizes.
    public static func spawn(_ path: String, _ args: [String], timeout: Double) throws -> ProcessResult {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-tmux-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outPath = dir.appendingPathComponent("out").path, errPath = dir.appendingPathComponent("err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        // The test process's threads block most signals and posix_spawn passes the mask on:
        // start the child (a tmux server, its shell, captty) with none blocked and default
        // dispositions, so kill-server, SIGTERM and SIGHUP work on it.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, environ)
        guard rc == 0 else { throw Failure(description: "cannot run \(path): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(timeout)
        var timedOut = false
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                timedOut = true
                Foundation.kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProcessResult(status: code,
                             stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                             timedOut: timedOut)
    }

    /// Types a command line and presses Enter.
    public func run(_ commandLine: String) throws {
        try tmux(["send-keys", "-l", commandLine])
        try tmux(["send-keys", "Enter"])
    }

    /// Presses keys (tmux key names: "q", "Space", "PPage", "C-l", …).
    public func press(_ keys: String...) throws { try tmux(["send-keys"] + keys) }

    /// The visible screen as text.
    public func screen() throws -> String { try tmux(["capture-pane", "-p"]).stdout }

    /// The visible screen with its attributes and colours as SGR escape sequences (`-e`).
    public func styledScreen() throws -> String { try tmux(["capture-pane", "-p", "-e"]).stdout }

    /// tmux's `#{…}` format for the pane (e.g. `alternate_on`, `pane_pid`).
    public func format(_ f: String) throws -> String {
        try tmux(["display-message", "-p", f]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Resizes the window (the app gets SIGWINCH).
    public func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-x", "\(width)", "-y", "\(height)"])
    }

    /// Polls the screen until `condition` holds (bounded); returns the last screen, or throws
    /// with it when the time runs out.
    @discardableResult
    public func waitFor(_ what: String, timeout: Double = 60, _ condition: (String) -> Bool) throws -> String {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var last = ""
        while ContinuousClock.now < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "timed out after \(timeout) s waiting for \(what); screen:\n\(last)")
    }

    @discardableResult
    public func waitFor(text: String, timeout: Double = 60) throws -> String {
        try waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Waits until the pane's foreground program is the shell again (the app exited).
    public func waitForShell(timeout: Double = 30) throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if try format("#{pane_current_command}") == "bash" { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw Failure(description: "the app did not exit within \(timeout) s; screen:\n\((try? screen()) ?? "")")
    }

    /// Stops the tmux server and everything running in it (idempotent).
    public func kill() {
        guard !killed else { return }
        killed = true
        _ = try? Self.spawn("/usr/bin/tmux", ["-L", socket, "kill-server"], timeout: 10)
    }
}
