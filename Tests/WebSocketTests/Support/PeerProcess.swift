import Foundation
import TestSupport
import WebSocket

/// A Python test peer (server or client) run as a child process; its stdout is read line by line.
/// Killed (and its stdin closed, which the peers treat as "exit") on `stop()` and in deinit.
final class PeerProcess: @unchecked Sendable {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private var eof = false
    let name: String

    /// Starts `Tests/Peers/<script>` with the venv's Python.
    init(script: String, arguments: [String]) throws {
        name = script
        process.executableURL = URL(fileURLWithPath: TestPaths.python)
        process.arguments = ["-u", TestPaths.peers.appendingPathComponent(script).path] + arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.standardError
        reader.read(stdoutPipe.fileHandleForReading) { [weak self] d in self?.received(d) }
        try process.run()
    }

    private let reader = PipeEOF()

    private func received(_ d: Data) {
        lock.lock(); defer { lock.unlock() }
        if d.isEmpty { eof = true; return }
        partial.append(d)
        while let nl = partial.firstIndex(of: 0x0A) {
            let line = String(decoding: partial[partial.startIndex..<nl], as: UTF8.self)
            lines.append(line)
            partial.removeSubrange(partial.startIndex...nl)
        }
    }

    /// All lines so far.
    var output: [String] { lock.lock(); defer { lock.unlock() }; return lines }

    /// Waits (polling, bounded) for a line starting with `prefix`; returns it.
    func line(startingWith prefix: String, timeout: Double = 20) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let (found, done): (String?, Bool) = {
                lock.lock(); defer { lock.unlock() }
                return (lines.first { $0.hasPrefix(prefix) }, eof)
            }()
            if let found { return found }
            if done && !process.isRunning {
                throw PeerError("\(name) exited without printing '\(prefix)'; output: \(output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw PeerError("\(name) did not print '\(prefix)' within \(timeout) s; output: \(output)")
    }

    /// The port a server peer printed as `PORT <n>`.
    func port() async throws -> Int {
        let l = try await line(startingWith: "PORT ")
        guard let p = Int(l.dropFirst(5)) else { throw PeerError("bad PORT line '\(l)'") }
        return p
    }

    /// Waits for the process to exit (bounded); returns its status.
    func waitExit(timeout: Double = 30) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while process.isRunning {
            if ContinuousClock.now > deadline { stop(); throw PeerError("\(name) did not exit within \(timeout) s; output: \(output)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    deinit {
        stop()
        if process.isRunning { process.waitUntilExit() }
        reader.settle(stdoutPipe.fileHandleForReading)
    }
}

struct PeerError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs `body` with a time bound; throws when it takes longer.
func withTimeout<T: Sendable>(_ seconds: Double, _ what: String = "operation",
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw PeerError("\(what) did not finish within \(seconds) s")
        }
        let r = try await group.next()!
        group.cancelAll()
        return r
    }
}

/// Collects every message until the stream ends; returns them and the error it ended with.
func drain(_ ws: WebSocket) async -> ([WebSocketMessage], Error?) {
    var got: [WebSocketMessage] = []
    do {
        for try await m in ws.messages { got.append(m) }
        return (got, nil)
    } catch {
        return (got, error)
    }
}
