// Audio benchmarks: resampler throughput (against sox in the same run), the CPU cost of the
// offline conversion pipeline per hour of audio, and of live PulseAudio capture + conversion +
// metering. Prints a Markdown section. Reproduce: Benchmarks/audio/run
import Audio
import Foundation
#if canImport(Glibc)
import Glibc
#endif

func cpuSeconds(_ clock: clockid_t = CLOCK_PROCESS_CPUTIME_ID) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func childCPU() -> Double {
    var u = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func testSignal(rate: Int, seconds: Double) -> [Float] {
    var seed: UInt64 = 12345
    return (0..<Int(Double(rate) * seconds)).map { i in
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        let noise = Float(Int64(bitPattern: seed >> 11) % 1000) / 20000
        let t = Double(i) / Double(rate)
        return Float(0.3 * sin(2 * .pi * 440 * t) + 0.2 * sin(2 * .pi * 3100 * t)) + noise
    }
}

func fmt(_ x: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", x) }

/// Runs sox on `input` (raw f32 mono) and returns (wall, cpu) seconds of the child.
func soxResample(input: String, inRate: Int, outRate: Int, quality: String) -> (wall: Double, cpu: Double)? {
    let out = input + ".\(quality).out"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
    p.arguments = ["-t", "raw", "-r", String(inRate), "-e", "floating-point", "-b", "32", "-c", "1", input,
                   "-t", "raw", "-e", "floating-point", "-b", "32", out, "rate", quality, String(outRate)]
    let c0 = childCPU(), w0 = wallSeconds()
    do { try p.run() } catch { return nil }
    p.waitUntilExit()
    let r = (wallSeconds() - w0, childCPU() - c0)
    try? FileManager.default.removeItem(atPath: out)
    return p.terminationStatus == 0 ? r : nil
}

var lines: [String] = []
@MainActor func say(_ s: String = "") { lines.append(s) }

say("## Audio")
say()
say("Reproduce: `Benchmarks/audio/run` (builds `audio-bench` in release, starts a private PulseAudio daemon with")
say("`scripts/pulse-test-daemon`, runs the benchmark). Single-threaded numbers; sox runs on the same input in the same run.")
say()

// 1. Resampler throughput vs sox.
let seconds = 300.0
say("### Resampler throughput (\(Int(seconds)) s of mono float audio, one thread)")
say()
say("| conversion | taps | captty CPU s | input samples/s | × real time | sox -m CPU s | sox -h CPU s | captty vs sox -h |")
say("|---|---|---|---|---|---|---|---|")
let tmp = NSTemporaryDirectory() + "captty-audio-bench-\(getpid())"
try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
var checksum = 0.0
for (inRate, outRate) in [(48_000, 16_000), (44_100, 16_000), (22_050, 16_000), (8_000, 16_000)] {
    let x = testSignal(rate: inRate, seconds: seconds)
    var best = Double.infinity
    var taps = 0
    for _ in 0..<3 {
        var r = Resampler(inputRate: inRate, outputRate: outRate)
        taps = r.taps
        let c0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
        var produced = 0
        var i = 0
        while i < x.count {             // 50 ms chunks, as in live use
            let n = min(inRate / 20, x.count - i)
            let y = x.withUnsafeBufferPointer { r.process(UnsafeBufferPointer(rebasing: $0[i..<(i + n)])) }
            produced += y.count
            checksum += Double(y.reduce(0, +))     // use every output so none is optimised away
            i += n
        }
        produced += r.flush().count
        best = min(best, cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - c0)
        precondition(abs(Double(produced) - Double(x.count) * Double(outRate) / Double(inRate)) <= 1)
    }
    let path = "\(tmp)/in-\(inRate).f32"
    x.withUnsafeBytes { try? Data($0).write(to: URL(fileURLWithPath: path)) }
    let soxM = (0..<3).compactMap { _ in soxResample(input: path, inRate: inRate, outRate: outRate, quality: "-m")?.cpu }.min()
    let soxH = (0..<3).compactMap { _ in soxResample(input: path, inRate: inRate, outRate: outRate, quality: "-h")?.cpu }.min()
    let ratio = soxH.map { fmt($0 / best, 2) + "× sox's speed" } ?? "n/a"
    say("| \(inRate) → \(outRate) | \(taps) | \(fmt(best, 3)) | \(fmt(Double(x.count) / best / 1e6, 1)) M | \(Int(seconds / best)) × | \(soxM.map { fmt($0, 3) } ?? "n/a") | \(soxH.map { fmt($0, 3) } ?? "n/a") | \(ratio) |")
}
try? FileManager.default.removeItem(atPath: tmp)
FileHandle.standardError.write("checksum \(checksum)\n".data(using: .utf8)!)
say()
say("sox's CPU includes reading and writing the raw files (page cache); captty's is the resampler alone.")
say()

// 2. Offline pipeline: 48 kHz stereo s16 bytes → decode, mix down, resample to 16 kHz, encode, meter.
do {
    let rate = 48_000, secs = 300.0
    let mono = testSignal(rate: rate, seconds: secs)
    var bytes = [UInt8]()
    bytes.reserveCapacity(mono.count * 4)
    for s in mono { let v = UInt16(bitPattern: SampleCodec.int16(s)); bytes += [UInt8(v & 0xFF), UInt8(v >> 8), UInt8(v & 0xFF), UInt8(v >> 8)] }
    var conv = try AudioConverter(input: PCMFormat(encoding: .s16le, sampleRate: rate, channels: 2), output: .speech16k)
    var meter = LevelMeter()
    let chunk = rate / 20 * 4
    let c0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
    var i = 0
    while i < bytes.count {
        let out = conv.convert(Array(bytes[i..<min(i + chunk, bytes.count)]))
        meter.update(AudioChunk(format: .speech16k, data: out))
        i += chunk
    }
    _ = conv.flush()
    let cpu = cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - c0
    say("### Conversion pipeline (48 kHz stereo s16 → 16 kHz mono s16 + level meter, 50 ms chunks)")
    say()
    say("- \(Int(secs)) s of audio in \(fmt(cpu, 3)) CPU s: **\(fmt(cpu / secs * 3600, 1)) CPU s per hour of audio** (\(Int(secs / cpu)) × real time)")
    say()
}

// 3. Live capture from PulseAudio + metering (and + conversion when capturing at 48 kHz).
if let server = ProcessInfo.processInfo.environment["PULSE_SERVER"] {
    say("### Live PulseAudio capture (null-sink monitor, playing a tone), whole process CPU")
    say()
    say("| capture | conversion | CPU s per hour of capture | CPU % of one core |")
    say("|---|---|---|---|")
    let liveSeconds = Double(ProcessInfo.processInfo.environment["CAPTTY_BENCH_LIVE_SECONDS"] ?? "20") ?? 20
    for (rate, convert) in [(16_000, false), (48_000, true)] {
        let capture = try PulseCapture(options: PulseCaptureOptions(device: .systemAudio, sampleRate: rate, channels: convert ? 2 : 1, server: server))
        var conv = convert ? try AudioConverter(input: PCMFormat(encoding: .s16le, sampleRate: rate, channels: 2), output: .speech16k) : nil
        var meter = LevelMeter()
        var c0 = 0.0, w0 = 0.0, frames: Int64 = 0
        var started = false
        for try await c in capture.chunks() {
            if !started { started = true; c0 = cpuSeconds(); w0 = wallSeconds(); continue }
            var chunk = c
            if var cv = conv { chunk = AudioChunk(format: .speech16k, data: cv.convert(c.data), startFrame: c.startFrame); conv = cv }
            meter.update(chunk)
            frames += Int64(c.frameCount)
            if Double(frames) / Double(rate) >= liveSeconds { break }
        }
        let cpu = cpuSeconds() - c0, wall = wallSeconds() - w0
        let label = convert ? "48 kHz stereo (resampled to 16 kHz mono by captty)" : "16 kHz mono (PulseAudio converts)"
        say("| \(label) | \(convert ? "mix + resample + encode" : "none") + meter | \(fmt(cpu / wall * 3600, 1)) | \(fmt(cpu / wall * 100, 2)) % |")
    }
    say()
    say("Measured over \(Int(liveSeconds)) s each; the PulseAudio daemon's own CPU is not included.")
} else {
    say("(Live capture skipped: PULSE_SERVER not set; `Benchmarks/audio/run` sets it.)")
}
print(lines.joined(separator: "\n"))
