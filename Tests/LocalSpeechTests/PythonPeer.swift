import Foundation
import TestSupport

/// A Python test peer (Tests/Peers/<script>) run as a child process, with its stdout collected.
/// Always bounded: `finish` kills it after a timeout, and deinit kills it if still running.
final class PythonPeer: @unchecked Sendable {
    private let process = Process()
    private let out = Pipe()
    private let lock = NSLock()
    private var buffer = Data()
    private var done = false
    let script: String

    init(_ script: String, _ arguments: [String], python: String = TestPaths.python) throws {
        self.script = script
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", TestPaths.peers.appendingPathComponent(script).path] + arguments
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        process.standardInput = FileHandle.nullDevice
        reader.read(out.fileHandleForReading) { [weak self] d in
            guard let self else { return }
            self.lock.lock()
            if d.isEmpty { self.done = true } else { self.buffer.append(d) }
            self.lock.unlock()
        }
        try process.run()
    }

    private let reader = PipeEOF()

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        reader.settle(out.fileHandleForReading)
    }

    var lines: [String] {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: buffer, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// The JSON object of the first `RESULT`/`SUMMARY` line, waiting up to `timeout` seconds.
    /// Deadlines are on the monotonic clock: the wall clock of these VMs can step by minutes.
    func json(prefix: String = "RESULT ", timeout: Double) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if let line = lines.first(where: { $0.hasPrefix(prefix) }) {
                let obj = try JSONSerialization.jsonObject(with: Data(line.dropFirst(prefix.count).utf8))
                guard let dict = obj as? [String: Any] else { throw PeerFailure("\(script): not a JSON object: \(line)") }
                return dict
            }
            if !process.isRunning {
                try await Task.sleep(for: .milliseconds(100))   // let the last output arrive
                if let line = lines.first(where: { $0.hasPrefix(prefix) }) {
                    return try JSONSerialization.jsonObject(with: Data(line.dropFirst(prefix.count).utf8)) as? [String: Any] ?? [:]
                }
                throw PeerFailure("\(script) exited (\(process.terminationStatus)) without a \(prefix)line; output: \(lines)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw PeerFailure("\(script) printed no \(prefix)line within \(timeout) s; output: \(lines)")
    }

    /// Ends the peer now (SIGTERM: its connections close abruptly) and waits for it to exit.
    func stop() async {
        if process.isRunning { process.terminate() }
        await finish(timeout: 10)
    }

    /// Waits (bounded) for the peer to exit; kills it at the deadline.
    func finish(timeout: Double) async {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
    }
}

struct PeerFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
