import Foundation

/// Runs `Tests/Peers/hostile_deepgram_server.py MODE`: a server that answers captty's upgrade in
/// ways Deepgram does not (redirects, Retry-After, control characters in its texts). Its stdout
/// lines (`REQUEST <n> <t>`, `AUTH yes|no`) are kept. Stopped in every path: `stop()`, `deinit`,
/// and by itself when its stdin closes.
public final class HostileServerProcess: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let stdinPipe: Pipe
    private let lock = NSLock()
    private var lines: [String] = []

    public struct LaunchError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(mode: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.python)
        p.arguments = [TestPaths.peers.appendingPathComponent("hostile_deepgram_server.py").path, mode]
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardInput = inp
        p.standardError = FileHandle.standardError
        try p.run()
        process = p
        stdinPipe = inp
        // The port comes first; the rest is collected by a reader thread.
        let handle = out.fileHandleForReading
        var pending = Data()
        let deadline = ContinuousClock.now + .seconds(60)
        while !pending.contains(UInt8(ascii: "\n")) && ContinuousClock.now < deadline {
            let d = handle.availableData
            if d.isEmpty { break }
            pending.append(d)
        }
        let first = String(decoding: pending.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        guard first.hasPrefix("PORT "), let port = Int(first.dropFirst(5)) else {
            p.terminate(); p.waitUntilExit()
            throw LaunchError(description: "hostile_deepgram_server.py did not print its port (got '\(first)')")
        }
        self.port = port
        pending.removeSubrange(pending.startIndex...(pending.firstIndex(of: UInt8(ascii: "\n"))!))
        let start = pending
        Thread { [weak self] in
            var buf = start
            while true {
                while let nl = buf.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buf[buf.startIndex..<nl], as: UTF8.self)
                    buf.removeSubrange(buf.startIndex...nl)
                    self?.lock.withLock { self?.lines.append(line) }
                }
                let d = handle.availableData
                if d.isEmpty { return }
                buf.append(d)
            }
        }.start()
    }

    public var url: String { "ws://127.0.0.1:\(port)" }

    /// Every line printed after the port so far.
    public var output: [String] { lock.withLock { lines } }

    /// The monotonic times (seconds) of the upgrade requests received so far.
    public var requestTimes: [Double] {
        output.compactMap { l in l.hasPrefix("REQUEST ") ? l.split(separator: " ").last.flatMap { Double($0) } : nil }
    }

    /// `requestTimes` once it holds `count` entries or `timeout` seconds have passed (the lines
    /// arrive through a pipe, a little after the client saw the answer).
    public func requestTimes(waitingFor count: Int, timeout: Double = 5) -> [Double] {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while requestTimes.count < count && ContinuousClock.now < deadline { usleep(20_000) }
        return requestTimes
    }

    public func stop() {
        guard process.isRunning else { return }
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
