import Foundation
import TestSupport

/// A real PulseAudio daemon for tests, started headless by `scripts/pulse-test-daemon`.
///
/// `shared` uses `PULSE_SERVER` when CI sets it, else starts (idempotently) a daemon in
/// `/tmp/captty-pulse-tests-$UID` — not the script's default dir, which `scripts/test` stops
/// when its run ends — and leaves it running for the next test run. `startPrivate(dir:)` runs
/// a separate one a test may kill and restart.
struct PulseTestServer: Sendable {
    let server: String
    let dir: String?

    static let script = TestPaths.packageRoot.appendingPathComponent("scripts/pulse-test-daemon").path

    /// Env for PulseAudio clients (paplay, pactl) talking to this server.
    var env: [String: String] { ["PULSE_SERVER": server] }

    private static let sharedResult: Result<PulseTestServer, Error> = Result {
        if let s = ProcessInfo.processInfo.environment["PULSE_SERVER"], !s.isEmpty {
            return PulseTestServer(server: s, dir: nil)
        }
        let s = try startPrivate(dir: "/tmp/captty-pulse-tests-\(getuid())")
        return PulseTestServer(server: s.server, dir: nil)    // never stopped by a test
    }

    static func shared() throws -> PulseTestServer { try sharedResult.get() }

    /// Starts the script's daemon in `dir` (nil: its default) and returns its server string.
    static func startPrivate(dir: String?) throws -> PulseTestServer {
        let r = try Subprocess.run([script, "start"] + (dir.map { ["--dir", $0] } ?? []), timeout: 30)
        guard r.status == 0, let line = r.stdout.split(separator: "\n").first(where: { $0.contains("PULSE_SERVER=") }) else {
            throw DaemonError(message: "pulse-test-daemon start failed (\(r.status)): \(r.stderr)")
        }
        let value = line.split(separator: "=", maxSplits: 1)[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        return PulseTestServer(server: value, dir: dir)
    }

    /// Stops a private daemon (`kill`: SIGKILL, like a crash).
    func stop(kill: Bool = false) throws {
        guard let dir else { return }
        try Subprocess.run([Self.script, "stop", "--dir", dir] + (kill ? ["--kill"] : []), timeout: 30)
    }

    /// `pactl` against this server; throws on failure.
    @discardableResult
    func pactl(_ args: String...) throws -> String {
        let r = try Subprocess.run(["pactl"] + args, env: env, timeout: 20)
        guard r.status == 0 else { throw DaemonError(message: "pactl \(args.joined(separator: " ")) failed: \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Loads a null sink named `name`; returns the module index (for `unloadModule`).
    func loadNullSink(_ name: String, description: String? = nil, rate: Int? = nil) throws -> String {
        var args = ["load-module", "module-null-sink", "sink_name=\(name)"]
        if let description { args.append("sink_properties=device.description=\(description)") }
        if let rate { args.append("rate=\(rate)") }
        let r = try Subprocess.run(["pactl"] + args, env: env, timeout: 20)
        guard r.status == 0 else { throw DaemonError(message: "loading null sink \(name) failed: \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func unloadModule(_ index: String) { _ = try? Subprocess.run(["pactl", "unload-module", index], env: env, timeout: 20) }
}

struct DaemonError: Error, CustomStringConvertible { var message: String; var description: String { message } }

/// A short unique suffix for sink names, so parallel tests never share a sink.
func uniqueSuffix() -> String { String(UUID().uuidString.prefix(8)).lowercased() }
