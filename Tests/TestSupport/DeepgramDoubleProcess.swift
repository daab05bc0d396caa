import Foundation

/// Runs `Tests/Peers/deepgram_double.py`, the TEST DOUBLE of Deepgram's live endpoint
/// (Deepgram itself cannot be reached here; the double counts and records every audio byte it
/// receives per connection). Stopped in every path.
public final class DeepgramDoubleProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    public let recordDir: URL
    private let stdinPipe: Pipe

    /// What the double wrote to `stats.json`: one entry a connection, one a refused upgrade.
    public struct Stats: Decodable {
        public struct Conn: Decodable {
            public var index: Int
            public var request_id: String
            public var bytes: Int
            public var frames: Int
            public var empty_frames: Int
            public var keepalives: Int
            public var finalize: Int
            public var close_stream: Int
            public var auth: String
            public var query: String
            public var user_agent: String?
            public var end: String?
            public var killed: Bool
            public var close_code: Int?
        }
        public struct Refusal: Decodable {
            public var status: Int
            public var request_id: String
        }
        public var connections: [Conn]
        public var refused: [Refusal]
        public var total_bytes: Int
        public var keepalives: Int
    }

    public struct LaunchError: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private init(process: Process, port: Int, recordDir: URL, stdinPipe: Pipe) {
        self.process = process; self.port = port; self.recordDir = recordDir; self.stdinPipe = stdinPipe
    }

    /// `script`: another double that prints `PORT <n>` the same way (`multichannel_double.py`);
    /// only `deepgram_double.py` records stats.
    public static func launch(_ args: [String] = [], script: String = "deepgram_double.py") async throws -> DeepgramDoubleProcess {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-dg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestPaths.python)
        p.arguments = [TestPaths.peers.appendingPathComponent(script).path]
            + (script == "deepgram_double.py" ? ["--record-dir", dir.path] : []) + args
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardInput = inp
        p.standardError = FileHandle.standardError
        try p.run()
        let handle = out.fileHandleForReading
        let line: String? = await withTaskGroup(of: String?.self) { g in
            g.addTask {
                var data = Data()
                while !data.contains(UInt8(ascii: "\n")) {
                    let d = handle.availableData
                    if d.isEmpty { return nil }
                    data.append(d)
                }
                return String(decoding: data, as: UTF8.self)
            }
            g.addTask { try? await Task.sleep(for: .seconds(60)); return nil }
            let first = await g.next() ?? nil
            g.cancelAll()
            return first
        }
        guard let line, line.hasPrefix("PORT "),
              let port = Int(line.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            p.terminate(); p.waitUntilExit()
            throw LaunchError(description: "the Deepgram test double did not print its port (got \(line ?? "nothing"))")
        }
        return DeepgramDoubleProcess(process: p, port: port, recordDir: dir, stdinPipe: inp)
    }

    public var baseURL: String { "ws://127.0.0.1:\(port)" }

    public func stats() throws -> Stats {
        let data = try Data(contentsOf: recordDir.appendingPathComponent("stats.json"))
        return try JSONDecoder().decode(Stats.self, from: data)
    }

    /// Bytes received on connection `i`, byte-exact.
    public func received(connection i: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: recordDir.appendingPathComponent(String(format: "conn-%03d.bin", i))))
    }

    public func stop() {
        if process.isRunning {
            try? stdinPipe.fileHandleForWriting.close()
            process.terminate()
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: recordDir)
    }

    deinit { stop() }
}

/// Runs `body` with a fresh double, stopped however `body` ends.
public func withDeepgramDouble<T>(_ args: [String] = [], _ body: (DeepgramDoubleProcess) async throws -> T) async throws -> T {
    let d = try await DeepgramDoubleProcess.launch(args)
    defer { d.stop() }
    return try await body(d)
}
