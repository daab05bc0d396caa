import Foundation

/// The outcome of running a child process to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
}

/// Runs an executable with arguments, optional stdin and environment changes, killing it after
/// `timeout` seconds. Output is collected from files so large output never blocks the child.
public func runProcess(_ executable: String, _ arguments: [String], stdin: Data? = nil,
                       environment: [String: String?] = [:], timeout: Double = 60,
                       currentDirectory: String? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    p.environment = env
    if let currentDirectory { p.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    p.standardOutput = out
    p.standardError = err
    let inPipe = Pipe()
    p.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    try p.run()
    if let stdin {
        inPipe.fileHandleForWriting.write(stdin)
        try? inPipe.fileHandleForWriting.close()
    }
    let deadline = ContinuousClock.now + .seconds(timeout)
    var timedOut = false
    while p.isRunning {
        if ContinuousClock.now > deadline {
            timedOut = true
            p.terminate()
            Thread.sleep(forTimeInterval: 0.5)
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            break
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    p.waitUntilExit()
    try? out.close(); try? err.close()
    return ProcessResult(status: p.terminationStatus,
                         stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "",
                         timedOut: timedOut)
}

/// Runs the built `captty` binary.
public func runCaptty(_ arguments: [String], stdin: Data? = nil, environment: [String: String?] = [:],
                      timeout: Double = 60, currentDirectory: String? = nil) throws -> ProcessResult {
    try runProcess(TestPaths.capttyBinary.path, arguments, stdin: stdin, environment: environment, timeout: timeout,
                   currentDirectory: currentDirectory)
}
