// Deepgram client benchmark: CPU per hour of 16 kHz audio streamed through LiveClient to the
// Deepgram TEST DOUBLE (Tests/Peers/deepgram_double.py), against the official Deepgram Python
// SDK streaming the same audio to the same double in the same run.
//
// Reproduce: swift run -c release DeepgramBenchmark [minutes=10] [rounds=2]
// (needs the venv with websockets and deepgram-sdk at ./.venv, as made by scripts/setup)

import Deepgram
import Foundation

#if canImport(Glibc)
import Glibc
#endif

func cpuSeconds(_ who: Int32 = RUSAGE_SELF.rawValue) -> Double {
    var r = rusage()
    getrusage(who, &r)
    return Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) / 1e6
        + Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) / 1e6
}

func maxRSSMiB() -> Double {
    var r = rusage()
    getrusage(RUSAGE_SELF.rawValue, &r)
    return Double(r.ru_maxrss) / 1024
}

let args = CommandLine.arguments
let minutes = args.count > 1 ? Double(args[1]) ?? 10 : 10
let rounds = args.count > 2 ? Int(args[2]) ?? 2 : 2
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let python = root.appendingPathComponent(".venv/bin/python3").path
let chunkBytes = 3_200 // 100 ms of 16 kHz linear16 mono

// Deterministic speech-like audio (a wobbling tone with noise), 16 kHz linear16 mono.
let audio: [UInt8] = {
    let n = Int(minutes * 60 * 16_000)
    var out = [UInt8](repeating: 0, count: n * 2)
    var seed: UInt32 = 12345
    for i in 0..<n {
        seed = seed &* 1_664_525 &+ 1_013_904_223
        let t = Double(i) / 16_000
        let v = 6000 * sin(2 * .pi * (180 + 40 * sin(t * 3)) * t) + Double(Int32(seed >> 20) - 2048)
        let s = UInt16(bitPattern: Int16(max(-32768, min(32767, v))))
        out[2 * i] = UInt8(s & 0xff); out[2 * i + 1] = UInt8(s >> 8)
    }
    return out
}()
let audioFile = FileManager.default.temporaryDirectory.appendingPathComponent("captty-dg-bench-\(getpid()).raw")
try Data(audio).write(to: audioFile)
defer { try? FileManager.default.removeItem(at: audioFile) }

/// Starts the double; returns the process, its stdin (closing it stops the double) and port.
func startDouble() throws -> (Process, Pipe, Int) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [root.appendingPathComponent("Tests/Peers/deepgram_double.py").path,
                   "--api-key", "bench-key", "--max-size", "\(1 << 22)"]
    let out = Pipe(), inp = Pipe()
    p.standardOutput = out; p.standardInput = inp
    try p.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let d = out.fileHandleForReading.availableData
        if d.isEmpty { throw CocoaError(.fileReadUnknown) }
        line.append(d)
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else { throw CocoaError(.fileReadCorruptFile) }
    return (p, inp, port)
}

struct Run { var cpu: Double; var wall: Double; var finals: Int }

func runSwift(port: Int) async throws -> Run {
    var config = LiveClientConfiguration(environment: [:])
    config.baseURL = "ws://127.0.0.1:\(port)"
    config.replayPacing = .unlimited
    config.logger.logLevel = .warning
    let client = LiveClient(credential: .apiKey("bench-key"), configuration: config)
    let events = client.events
    let c0 = cpuSeconds(), t0 = ContinuousClock.now
    let reader = Task { () -> Int in
        var finals = 0
        for await e in events { if case .results(let r) = e, r.isFinal { finals += 1 } }
        return finals
    }
    try await client.start(LiveOptions(model: .nova3, encoding: .linear16, sampleRate: 16_000, channels: 1, interimResults: true))
    var i = 0
    while i < audio.count {
        try await client.send(Array(audio[i..<min(i + chunkBytes, audio.count)]))
        i += chunkBytes
    }
    await client.finish()
    let finals = await reader.value
    let wall = t0.duration(to: .now)
    return Run(cpu: cpuSeconds() - c0, wall: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18, finals: finals)
}

func runSDK(port: Int) throws -> (Run, Double) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python)
    p.arguments = [root.appendingPathComponent("Benchmarks/deepgram/sdk_client.py").path, "\(port)", audioFile.path, "\(chunkBytes)"]
    let out = Pipe()
    p.standardOutput = out
    let before = cpuSeconds(RUSAGE_CHILDREN.rawValue)
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let whole = cpuSeconds(RUSAGE_CHILDREN.rawValue) - before
    struct R: Decodable { var cpu_s: Double; var wall_s: Double; var finals: Int }
    guard p.terminationStatus == 0, let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
          let r = try? JSONDecoder().decode(R.self, from: Data(line.utf8)) else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "SDK client failed: \(String(decoding: data, as: UTF8.self))"])
    }
    return (Run(cpu: r.cpu_s, wall: r.wall_s, finals: r.finals), whole)
}

let (double, doubleStdin, port) = try startDouble()
defer { try? doubleStdin.fileHandleForWriting.close(); double.terminate(); double.waitUntilExit() }

let audioHours = minutes / 60
print("Deepgram client CPU benchmark: \(minutes) min of 16 kHz linear16 mono, \(chunkBytes)-byte chunks, full speed, to the test double on 127.0.0.1:\(port)")
print("(reproduce: swift run -c release DeepgramBenchmark \(Int(minutes)) \(rounds))")
_ = try await runSwift(port: port) // warm-up (connect paths, allocator)
var swiftRuns: [Run] = [], sdkRuns: [Run] = [], sdkWhole: [Double] = []
for round in 1...rounds {
    let s = try await runSwift(port: port)
    let (p, whole) = try runSDK(port: port)
    swiftRuns.append(s); sdkRuns.append(p); sdkWhole.append(whole)
    print(String(format: "round %d: LiveClient %.3f s CPU (%.2f s wall, %d finals) | Python SDK %.3f s CPU in session, %.3f s whole process (%.2f s wall, %d finals)",
                 round, s.cpu, s.wall, s.finals, p.cpu, whole, p.wall, p.finals))
}
func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
let swiftCPU = median(swiftRuns.map(\.cpu)), sdkCPU = median(sdkRuns.map(\.cpu)), sdkWholeCPU = median(sdkWhole)
print(String(format: "LiveClient:        %.2f CPU-seconds per hour of audio", swiftCPU / audioHours))
print(String(format: "Python SDK:        %.2f CPU-seconds per hour of audio (session only; %.2f with interpreter start-up and imports)", sdkCPU / audioHours, sdkWholeCPU / audioHours))
print(String(format: "ratio SDK/LiveClient: %.1fx (session CPU)", sdkCPU / swiftCPU))
print(String(format: "LiveClient process max RSS: %.1f MiB", maxRSSMiB()))

// Decoding one Results frame: `ServerMessage.decode` (the hand-written reader for the usual
// shape, JSONDecoder for the rest) against `JSONDecoder` alone, on the real captures and seeds
// committed for the fuzzer. `results-entities` is a shape the fast reader leaves to JSONDecoder.
print("")
print("Results frame decoding, µs per frame (median of 5 runs of 2000 decodes; same run):")
let corpus = root.appendingPathComponent("fuzz/deepgram/corpus")
let frames = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasPrefix("results-") }.sorted()
func timePerDecode(_ body: () -> Void) -> Double {
    var runs: [Double] = []
    for _ in 0..<5 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<2000 { body() }
        runs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 2000 / 1000)
    }
    return median(runs)
}
for name in frames {
    let text = try String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8)
    var words = 0
    let captty = timePerDecode {
        if case .results(let r)? = try? ServerMessage.decode(text) { words &+= r.best.words.count }
    }
    let plain = timePerDecode {
        if let r = try? JSONDecoder().decode(Results.self, from: Data(text.utf8)) { words &-= r.best.words.count }
    }
    precondition(words == 0, "the two decoders read \(name) differently")
    let label = name.padding(toLength: 36, withPad: " ", startingAt: 0)
    print(label + String(format: " %5d bytes: ServerMessage.decode %6.2f µs | JSONDecoder %6.2f µs | %.1fx",
                         text.utf8.count, captty, plain, plain / captty))
}
