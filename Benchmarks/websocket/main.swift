// WebSocket loopback throughput benchmark (not a test): our client and the Python `websockets`
// client, side by side in the same run, against the same echo servers (the Python `websockets`
// server, and our own server in a separate process).
//
// Reproduce:  swift build -c release --product WebSocketBenchmark && .build/release/WebSocketBenchmark
// Options:    --quick (fewer messages), --tls (adds wss rows), --python-server-only, --captty-server-only,
//             --serve (run only our echo server, prints PORT n)
import Foundation
import WebSocket

let args = CommandLine.arguments
let packageRoot: URL = {
    var u = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { u.deleteLastPathComponent() }
    return u
}()
let python: String = {
    if let p = ProcessInfo.processInfo.environment["CAPTTY_PYTHON"] { return p }
    let venv = packageRoot.appendingPathComponent(".venv/bin/python3").path
    return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
}()

func cpuSeconds() -> Double {
    var r = rusage()
    getrusage(RUSAGE_SELF.rawValue, &r)
    return Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) / 1e6 + Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) / 1e6
}

func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}

func maxRSSMiB() -> Double {
    var r = rusage()
    getrusage(RUSAGE_SELF.rawValue, &r)
    return Double(r.ru_maxrss) / 1024
}

// MARK: - our echo server (child process mode)

if args.contains("--serve") {
    var config = WebSocketConfiguration()
    config.pingInterval = nil
    config.maxMessageSize = 64 << 20
    config.maxFrameSize = 64 << 20
    let server = try WebSocketServer.listen(host: "127.0.0.1", port: 0, configuration: config)
    FileHandle.standardOutput.write(Data("PORT \(server.port)\n".utf8))
    // Exit when stdin closes.
    Thread.detachNewThread { while readLine() != nil {}; exit(0) }
    await server.serve(decide: { _ in .accept() }, handle: { ws in
        do { for try await m in ws.messages { try await ws.send(m) } } catch {}
    })
    exit(0)
}

// MARK: - helpers

final class Child {
    let process = Process()
    let stdinPipe = Pipe()
    let stdoutPipe = Pipe()
    init(_ exe: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        try process.run()
    }
    func readLine() -> String {
        var data = Data()
        while true {
            let b = stdoutPipe.fileHandleForReading.readData(ofLength: 1)
            if b.isEmpty || b == Data([0x0A]) { break }
            data.append(b)
        }
        return String(decoding: data, as: UTF8.self)
    }
    func port() -> Int {
        while true {
            let l = readLine()
            if l.hasPrefix("PORT ") { return Int(l.dropFirst(5))! }
            if l.isEmpty && !process.isRunning { fatalError("server did not start") }
        }
    }
    func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        process.terminate()
        process.waitUntilExit()
    }
}

struct Result {
    var seconds: Double
    var cpu: Double
}

/// Where the clients connect: plain on 127.0.0.1, or wss on localhost with a test CA.
struct Endpoint {
    var port: Int
    var caFile: String?
    var url: String { caFile == nil ? "ws://127.0.0.1:\(port)/" : "wss://localhost:\(port)/" }
}

func swiftClient(_ endpoint: Endpoint, size: Int, count: Int) async throws -> Result {
    var config = WebSocketConfiguration()
    config.caFile = endpoint.caFile
    config.pingInterval = nil
    config.maxMessageSize = 64 << 20
    config.maxFrameSize = 64 << 20
    let ws = try await WebSocket.connect(to: URL(string: endpoint.url)!, configuration: config)
    var g = SystemRandomNumberGenerator()
    let payload = (0..<size).map { _ in UInt8.random(in: 0...255, using: &g) }
    var it = ws.messages.makeAsyncIterator()
    try await ws.send(binary: payload)
    _ = try await it.next()
    let c0 = cpuSeconds()
    let t0 = ContinuousClock.now
    let sender = Task {
        for _ in 0..<count { try await ws.send(binary: payload) }
    }
    var got = 0
    for _ in 0..<count {
        guard case .binary(let b)? = try await it.next() else { fatalError("unexpected message") }
        got += b.count
    }
    try await sender.value
    let elapsed = ContinuousClock.now - t0
    let c1 = cpuSeconds()
    precondition(got == size * count)
    await ws.close()
    let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Result(seconds: s, cpu: c1 - c0)
}

func pythonClient(_ endpoint: Endpoint, size: Int, count: Int) throws -> Result {
    let c = try Child(python, [packageRoot.appendingPathComponent("Benchmarks/websocket/ws_bench_client.py").path,
                               endpoint.url, String(size), String(count)] + (endpoint.caFile.map { [$0] } ?? []))
    let line = c.readLine()
    c.process.waitUntilExit()
    guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double],
          let s = obj["seconds"], let cpu = obj["cpu"] else { fatalError("python client said: \(line)") }
    return Result(seconds: s, cpu: cpu)
}

// MARK: - run

let quick = args.contains("--quick")
let repeats = quick ? 1 : 3

func median(_ runs: [Result]) -> Result {
    runs.sorted { $0.seconds < $1.seconds }[runs.count / 2]
}
let cases: [(String, Int, Int)] = [
    ("1 KiB", 1024, quick ? 5_000 : 20_000),
    ("64 KiB", 64 * 1024, quick ? 500 : 2_000),
    ("1 MiB", 1 << 20, quick ? 40 : 200),
]

let selfPath = URL(fileURLWithPath: CommandLine.arguments[0]).path
/// A throwaway CA + localhost certificate for the wss rows (openssl CLI).
func makeCertificates() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-bench-tls-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let script = """
    set -e; cd "\(dir.path)"; K="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    openssl req -x509 $K -keyout ca.key -out ca.pem -days 2 -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
    openssl req $K -keyout s.key -out s.csr -subj "/CN=localhost" 2>/dev/null
    printf "subjectAltName=DNS:localhost\\n" > s.ext
    openssl x509 -req -in s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out s.pem -days 2 -extfile s.ext 2>/dev/null
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script]
    try p.run()
    p.waitUntilExit()
    precondition(p.terminationStatus == 0, "openssl failed")
    return dir
}

var servers: [(String, Child, String?)] = []
if !args.contains("--captty-server-only") {
    servers.append(("python websockets echo server", try Child(python, [packageRoot.appendingPathComponent("Tests/Peers/ws_echo_server.py").path]), nil))
}
if !args.contains("--python-server-only") {
    servers.append(("captty WebSocket echo server", try Child(selfPath, ["--serve"]), nil))
}
var certDir: URL?
if args.contains("--tls") {
    let dir = try makeCertificates()
    certDir = dir
    servers.append(("python websockets echo server over TLS (wss, localhost, test CA)",
                    try Child(python, [packageRoot.appendingPathComponent("Tests/Peers/ws_echo_server.py").path,
                                       "--tls", dir.appendingPathComponent("s.pem").path, dir.appendingPathComponent("s.key").path]),
                    dir.appendingPathComponent("ca.pem").path))
}

print("WebSocket loopback echo throughput (payload MB/s = message bytes echoed / wall time; CPU = client process only;")
print("median of \(repeats) alternating runs per client; load average at start: \(loadAverage()))")
print("python: \(python)")
for (serverName, server, caFile) in servers {
    let endpoint = Endpoint(port: server.port(), caFile: caFile)
    let port = endpoint.port
    print("\nserver: \(serverName) (port \(port))")
    print("size     count   swift MB/s  python MB/s  ratio   swift CPU s  python CPU s  CPU ratio (py/swift)")
    for (name, size, count) in cases {
        let mb = Double(size * count) / 1e6
        // Alternate the two clients `repeats` times and keep the median run of each (the
        // machine is shared, so single runs are noisy).
        var sRuns: [Result] = [], pRuns: [Result] = []
        for _ in 0..<repeats {
            sRuns.append(try await swiftClient(endpoint, size: size, count: count))
            pRuns.append(try pythonClient(endpoint, size: size, count: count))
        }
        let s = median(sRuns), p = median(pRuns)
        let sr = mb / s.seconds, pr = mb / p.seconds
        print(String(format: "%-7@  %6d  %10.1f  %11.1f  %5.2fx  %11.2f  %12.2f  %5.2fx",
                     name as NSString, count, sr, pr, sr / pr, s.cpu, p.cpu, p.cpu / max(s.cpu, 1e-9)))
    }
    // One hour of 16 kHz 16-bit mono audio (115.2 MB) as 100 ms chunks, echoed back.
    var aRuns: [Result] = [], apRuns: [Result] = []
    for _ in 0..<repeats {
        aRuns.append(try await swiftClient(endpoint, size: 3200, count: quick ? 3600 : 36_000))
        apRuns.append(try pythonClient(endpoint, size: 3200, count: quick ? 3600 : 36_000))
    }
    if args.contains("--verbose") {
        print("  audio runs swift: \(aRuns.map { String(format: "%.2f", $0.seconds) }), python: \(apRuns.map { String(format: "%.2f", $0.seconds) })")
    }
    let audio = median(aRuns), audioPy = median(apRuns)
    let scale = quick ? 10.0 : 1.0
    print(String(format: "audio hour (36000 x 3200 B): swift %.2f s wall, %.2f s CPU; python %.2f s wall, %.2f s CPU",
                 audio.seconds * scale, audio.cpu * scale, audioPy.seconds * scale, audioPy.cpu * scale))
    server.stop()
}
if let certDir { try? FileManager.default.removeItem(at: certDir) }
print(String(format: "\nswift client peak RSS: %.1f MiB", maxRSSMiB()))
let flags = args.dropFirst().filter { $0.hasPrefix("--") }.joined(separator: " ")
print("reproduce: swift build -c release --product WebSocketBenchmark && .build/release/WebSocketBenchmark\(flags.isEmpty ? "" : " " + flags)")
