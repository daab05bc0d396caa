import Foundation
import TestSupport

/// Runs a Python test peer from Tests/Peers with the test venv's interpreter, bounded in time.
enum PythonPeer {
    struct Output {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    static func run(_ script: String, _ args: [String], timeout: Double = 60) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.python)
        p.arguments = [TestPaths.peers.appendingPathComponent(script).path] + args
        let tmp = try TempDirectory("peer")
        defer { tmp.remove() }
        // Files, not pipes: no deadlock whatever the peer prints.
        let outURL = tmp.file("out"), errURL = tmp.file("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let deadline = ContinuousClock.now + .seconds(timeout)
        while p.isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try out.close(); try err.close()
        return Output(status: p.terminationStatus, stdout: try Data(contentsOf: outURL),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Whether the interpreter can import `modules`.
    static func canImport(_ modules: String...) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.python)
        p.arguments = ["-c", modules.map { "import \($0)" }.joined(separator: "; ")]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}
