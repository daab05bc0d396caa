import Foundation
import TestSupport

/// The real `captty serve` binary as a child process, bound to an ephemeral loopback port.
/// Always bounded: `start` gives up after a timeout, and `stop`/deinit end the process
/// (SIGTERM, then SIGKILL).
final class ServeProcess: @unchecked Sendable {
    private let process = Process()
    private let errURL: URL
    private let outURL: URL
    private(set) var port = 0
    /// The server's process id (to read its threads, CPU time and memory from /proc).
    var pid: Int32 { process.processIdentifier }

    /// Starts `captty serve --port 0 ARGS` and waits for its "listening on" line.
    init(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        errURL = dir.appendingPathComponent("err"); outURL = dir.appendingPathComponent("out")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        process.executableURL = TestPaths.capttyBinary
        process.arguments = ["serve", "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if let r = stderr.range(of: #"listening on ws://[^ ]*:(\d+)/v1/listen"#, options: .regularExpression) {
                let m = stderr[r]
                port = Int(m[m.index(after: m.lastIndex(of: ":")!)...].prefix { $0.isNumber }) ?? 0
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw ServeFailure("captty serve did not start: status \(process.isRunning ? -1 : process.terminationStatus), stderr: \(stderr)")
    }

    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var url: String { "ws://127.0.0.1:\(port)/v1/listen" }

    /// SIGTERM, then SIGKILL after 10 s; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { stop() } }
}

struct ServeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Runs a Python peer from Tests/Peers to completion and returns its `RESULT` JSON.
func peerResult(_ script: String, _ arguments: [String], timeout: Double = 90) throws -> [String: Any] {
    let r = try runProcess(TestPaths.python, ["-u", TestPaths.peers.appendingPathComponent(script).path] + arguments,
                           timeout: timeout)
    guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("RESULT ") }),
          let obj = try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any] else {
        throw ServeFailure("\(script) gave no RESULT (status \(r.status), timed out \(r.timedOut)): \(r.stdout) \(r.stderr)")
    }
    return obj
}

/// The permission bits of a path.
func mode(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int ?? -1) & 0o777
}
