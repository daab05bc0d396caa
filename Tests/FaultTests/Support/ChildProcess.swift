import Foundation
import TestSupport

/// A child process whose stdout and stderr lines are collected (with arrival times) on their
/// own threads, with a stdin pipe for commands. Terminated (then killed) in every path: `stop()`
/// and `deinit`.
final class ChildProcess: @unchecked Sendable {
    enum Stream { case stdout, stderr }

    let process = Process()
    let name: String
    private let lock = NSLock()
    private var out: [(ContinuousClock.Instant, String)] = []
    private var err: [(ContinuousClock.Instant, String)] = []
    private let stdinPipe = Pipe()
    private var readers: [Thread] = []

    init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:], name: String? = nil) throws {
        self.name = name ?? URL(fileURLWithPath: arguments.first ?? executable).lastPathComponent
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let o = Pipe(), e = Pipe()
        process.standardOutput = o
        process.standardError = e
        process.standardInput = stdinPipe
        try process.run()
        for (pipe, stream) in [(o, Stream.stdout), (e, Stream.stderr)] {
            let t = Thread { [weak self] in
                let h = pipe.fileHandleForReading
                var pending = Data()
                while true {
                    let d = h.availableData
                    if d.isEmpty { break }
                    pending.append(d)
                    while let nl = pending.firstIndex(of: 10) {
                        let line = String(decoding: pending[pending.startIndex..<nl], as: UTF8.self)
                        pending.removeSubrange(pending.startIndex...nl)
                        self?.append(line, to: stream)
                    }
                }
                if !pending.isEmpty { self?.append(String(decoding: pending, as: UTF8.self), to: stream) }
            }
            t.start()
            readers.append(t)
        }
    }

    private func append(_ line: String, to stream: Stream) {
        lock.withLock {
            if stream == .stdout { out.append((ContinuousClock.now, line)) } else { err.append((ContinuousClock.now, line)) }
        }
    }

    var pid: Int32 { process.processIdentifier }
    var stdoutLines: [String] { lock.withLock { out.map(\.1) } }
    var stampedStdout: [(ContinuousClock.Instant, String)] { lock.withLock { out } }
    var stderrLines: [String] { lock.withLock { err.map(\.1) } }
    var stderrText: String { stderrLines.joined(separator: "\n") }

    /// Writes one line to the child's stdin.
    func send(_ line: String) {
        try? stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The first line (from index `after` on) of `stream` satisfying `match`, waiting up to `timeout` s.
    func waitForLine(_ stream: Stream = .stdout, after: Int = 0, timeout: Double,
                     _ match: (String) -> Bool) async -> String? {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let lines = stream == .stdout ? stdoutLines : stderrLines
            if lines.count > after, let l = lines[after...].first(where: match) { return l }
            if !process.isRunning {
                let again = stream == .stdout ? stdoutLines : stderrLines
                return again.count > after ? again[after...].first(where: match) : nil
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits up to `timeout` s for the process to exit; true when it did.
    @discardableResult
    func waitExit(timeout: Double) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { return false }
        process.waitUntilExit()
        for t in readers { _ = t }  // the reader threads end at EOF on their own
        // Give the reader threads a moment to drain the pipes after exit.
        try? await Task.sleep(for: .milliseconds(100))
        return true
    }

    /// How the process ended: "exit N" or "signal N".
    var ending: String {
        process.terminationReason == .exit ? "exit \(process.terminationStatus)" : "signal \(process.terminationStatus)"
    }

    func signal(_ sig: Int32) { if process.isRunning { kill(process.processIdentifier, sig) } }

    /// SIGTERM, then SIGKILL after `grace` s; waits for the exit.
    func stop(grace: Double = 3) {
        guard process.isRunning else { return }
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(grace)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop(grace: 1) }
}

/// A Python peer under Tests/Peers that prints `PORT <n>` when listening.
enum Peer {
    struct LaunchError: Error, CustomStringConvertible { var description: String }

    static func launch(_ script: String, _ args: [String], python: String = TestPaths.python) async throws -> (ChildProcess, Int) {
        let child = try ChildProcess(python, [TestPaths.peers.appendingPathComponent(script).path] + args, name: script)
        guard let line = await child.waitForLine(timeout: 60, { $0.hasPrefix("PORT ") }),
              let port = Int(line.dropFirst(5)) else {
            child.stop()
            throw LaunchError(description: "\(script) did not print its port; stderr: \(child.stderrText)")
        }
        return (child, port)
    }
}

/// Runs `captty` (the built binary) as a child.
func startCaptty(_ args: [String], environment: [String: String?] = [:]) throws -> ChildProcess {
    var env = environment
    if env["DEEPGRAM_API_KEY"] == nil { env["DEEPGRAM_API_KEY"] = FaultAudio.apiKey }
    return try ChildProcess(TestPaths.capttyBinary.path, args, environment: env, name: "captty")
}
