import Foundation

/// Runs a program to completion with a time limit (killed on timeout), capturing its output.
struct Subprocess {
    struct Result { var status: Int32; var stdout: String; var stderr: String; var timedOut: Bool }

    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:], timeout: Double = 30) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Drain both pipes on their own threads so a chatty child never blocks.
        let outData = SharedBox<Data>(Data()), errData = SharedBox<Data>(Data())
        let g = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            g.enter()
            Thread.detachNewThread { let d = pipe.fileHandleForReading.readDataToEndOfFile(); box.set(d); g.leave() }
        }
        let deadline = ContinuousClock.now + .seconds(timeout)
        var timedOut = false
        while p.isRunning {
            if ContinuousClock.now > deadline { timedOut = true; kill(p.processIdentifier, SIGKILL); break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        p.waitUntilExit()
        _ = g.wait(timeout: .now() + 5)
        return Result(status: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self), timedOut: timedOut)
    }
}

/// A lock-protected value for test helpers.
final class SharedBox<T: Sendable>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func set(_ v: T) { lock.lock(); value = v; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
    func update<R>(_ f: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return f(&value) }
}

/// Races `body` against a deadline; throws `TimeoutError` (and cancels `body`) when it is late.
func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { g in
        g.addTask { try await body() }
        g.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimeoutError(seconds: seconds)
        }
        let r = try await g.next()!
        g.cancelAll()
        return r
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "timed out after \(seconds) s" }
}
