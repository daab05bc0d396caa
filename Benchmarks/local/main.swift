// Accuracy and speed of the offline engine on real recordings.
//
//   swift run -c release LocalBenchmark            # both modes, each in its own process
//   swift run -c release LocalBenchmark --mode hybrid --child   # one mode, JSON line out
//   tuning: --hangover-ms 350 --speculate-ms 150 (0 = off) --max-utterance-s 10
//           --moonshine-interims-s 2 (0 = off) --files a.wav,b.wav
//
// For each mode (PocketSphinx only, hybrid PocketSphinx + Moonshine) it reports, on the real
// recordings in ../shared/fixtures/deepgram/audio:
//   * WER of the finals against Deepgram's reference transcript (case and punctuation ignored);
//   * first-interim latency: wall time from the onset of speech being fed to the first interim;
//   * final latency: wall time from feeding the end of an utterance's last word to its final
//     (median and max), audio fed in real time;
//   * interims per second of speech;
//   * real-time factor: CPU seconds and wall seconds per audio second, fed as fast as possible;
//   * peak resident memory of the process (each mode runs in a separate process).
import Audio
import Deepgram
import Foundation
import LocalSpeech
#if canImport(Glibc)
import Glibc
#endif

struct FileResult: Codable {
    var file: String
    var audioSeconds: Double
    var wer: Double?
    var werDetail: String?
    var hypothesis: String
    var firstInterimLatency: Double?
    var finalLatencies: [Double]
    var interimsPerSpeechSecond: Double
    /// Mean WER of each interim against the part of its final it covers (how much the final rewrites).
    var interimVsFinalWER: Double?
    var cpuPerAudioSecond: Double
    var wallPerAudioSecond: Double
}

struct ModeResult: Codable {
    var mode: String
    var engine: String
    var loadSeconds: Double
    var files: [FileResult]
    var peakRSSMB: Double
    /// Peak resident memory of the Moonshine worker process (hybrid mode).
    var workerPeakRSSMB: Double
}

let args = CommandLine.arguments
func arg(_ name: String) -> String? { args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }

let root: URL = {
    var u = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { u.deleteLastPathComponent() }
    return u
}()
let fixtures = ProcessInfo.processInfo.environment["CAPTTY_FIXTURES"].map { URL(fileURLWithPath: $0) }
    ?? root.deletingLastPathComponent().appendingPathComponent("shared/fixtures/deepgram")

func reference(_ name: String) -> String? {
    guard name.hasPrefix("preamble") else { return nil }
    let url = fixtures.appendingPathComponent("prerecorded/preamble-rest-2.response.json")
    guard let data = try? Data(contentsOf: url),
          let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let results = json["results"] as? [String: Any], let ch = (results["channels"] as? [[String: Any]])?.first,
          let alt = (ch["alternatives"] as? [[String: Any]])?.first else { return nil }
    return alt["transcript"] as? String
}

/// CPU seconds of this process and its live children (the Moonshine worker), from /proc.
func cpuSeconds() -> Double {
    var u = rusage(); getrusage(RUSAGE_SELF.rawValue, &u)
    var c = rusage(); getrusage(RUSAGE_CHILDREN.rawValue, &c)   // children that have ended
    func secs(_ r: rusage) -> Double {
        Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) / 1e6 + Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) / 1e6
    }
    var total = secs(u) + secs(c)
    let me = getpid(), hz = Double(sysconf(Int32(_SC_CLK_TCK)))
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let f = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state ppid … utime is field 14, stime 15 (1-based over the whole line).
        guard f.count > 13, Int32(f[1]) == me, let ut = Double(f[11]), let st = Double(f[12]) else { continue }
        total += (ut + st) / hz
    }
    return total
}
func peakRSSMB() -> Double { var u = rusage(); getrusage(RUSAGE_SELF.rawValue, &u); return Double(u.ru_maxrss) / 1024 }
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Feeds `samples` in 100 ms chunks, paced at real time when `realtime`; returns events with the
/// wall time (relative to the start of feeding) each arrived.
func run(_ r: LocalRecognizer, _ samples: [Int16], realtime: Bool) async throws -> [(Double, LiveEvent)] {
    let chunk = 1_600
    let t0 = now()
    let src = AsyncThrowingStream<AudioChunk, Error> { c in
        let feeder = Task {
            var i = 0
            while i < samples.count {
                let part = samples[i..<min(samples.count, i + chunk)]
                var bytes = [UInt8](); bytes.reserveCapacity(part.count * 2)
                for s in part { let u = UInt16(bitPattern: s); bytes.append(UInt8(u & 0xff)); bytes.append(UInt8(u >> 8)) }
                if realtime {
                    let wait = t0 + Double(i + part.count) / 16_000 - now()
                    if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
                }
                c.yield(AudioChunk(format: .speech16k, data: bytes, startFrame: Int64(i)))
                i += chunk
            }
            c.finish()
        }
        c.onTermination = { _ in feeder.cancel() }
    }
    var out: [(Double, LiveEvent)] = []
    for try await e in r.transcribe(src, options: .captionDefaults) { out.append((now() - t0, e)) }
    return out
}

func median(_ x: [Double]) -> Double? {
    guard !x.isEmpty else { return nil }
    let s = x.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func measure(mode: LocalEngineConfiguration.Mode, files: [String]) async throws -> ModeResult {
    let childPeak = ChildPeak()
    let tLoad = now()
    let models = try LocalModels.discover()
    var config = LocalEngineConfiguration(models: models, mode: mode)
    if let ms = arg("--hangover-ms").flatMap(Double.init) { config.endpointingSeconds = ms / 1000 }
    if let ms = arg("--speculate-ms").flatMap(Double.init) { config.speculationDelay = ms / 1000 }
    if let s = arg("--max-utterance-s").flatMap(Double.init) { config.maxUtteranceSeconds = s }
    if let s = arg("--moonshine-interims-s").flatMap(Double.init) { config.moonshineInterimInterval = s }
    let r = LocalRecognizer(configuration: config)
    // Warm up: load the models (Moonshine is loaded once per process) on a second of silence.
    _ = try await r.transcribe(samples: [Int16](repeating: 0, count: 16_000))
    let load = now() - tLoad
    var results: [FileResult] = []
    for name in files {
        let samples = try WAVReader.read16kMono(fixtures.appendingPathComponent("audio/\(name)"))
        let seconds = Double(samples.count) / 16_000
        // Speed: as fast as possible.
        let c0 = cpuSeconds(), w0 = now()
        _ = try await run(r, samples, realtime: false)
        let cpu = (cpuSeconds() - c0) / seconds, wall = (now() - w0) / seconds
        // Accuracy and latency: real time.
        let events = try await run(r, samples, realtime: true)
        var finals: [Results] = []
        var firstInterim: Double?
        var onset: Double?
        var finalLatencies: [Double] = []
        var interims = 0
        var pending: [Results] = []
        var interimWERs: [Double] = []
        for (t, e) in events {
            switch e {
            case .speechStarted(let s): if onset == nil { onset = s.timestamp }
            case .results(let res):
                if res.isFinal {
                    for i in pending {
                        let ref = res.best.words.filter { $0.end <= i.end + 0.001 }.map(\.word)
                        guard !ref.isEmpty else { continue }
                        interimWERs.append(WordErrorRate(reference: ref, hypothesis: i.best.words.map(\.word)).rate)
                    }
                    pending = []
                    finals.append(res)
                    if let last = res.best.words.last { finalLatencies.append(t - last.end) }
                } else {
                    pending.append(res)
                    interims += 1
                    if firstInterim == nil, let o = onset, !res.best.words.isEmpty { firstInterim = t - o }
                }
            default: break
            }
        }
        let hyp = finals.map(\.transcript).filter { !$0.isEmpty }.joined(separator: " ")
        let speech = finals.filter { !$0.best.words.isEmpty }.map(\.duration).reduce(0, +)
        var wer: WordErrorRate?
        if let ref = reference(name) { wer = WordErrorRate(reference: ref, hypothesis: hyp) }
        results.append(FileResult(file: name, audioSeconds: seconds, wer: wer?.rate, werDetail: wer?.description,
                                  hypothesis: hyp, firstInterimLatency: firstInterim, finalLatencies: finalLatencies,
                                  interimsPerSpeechSecond: speech > 0 ? Double(interims) / speech : 0,
                                  interimVsFinalWER: interimWERs.isEmpty ? nil : interimWERs.reduce(0, +) / Double(interimWERs.count),
                                  cpuPerAudioSecond: cpu, wallPerAudioSecond: wall))
    }
    return ModeResult(mode: mode.rawValue, engine: r.name, loadSeconds: load, files: results, peakRSSMB: peakRSSMB(),
                      workerPeakRSSMB: childPeak.value)
}

let files = arg("--files")?.split(separator: ",").map(String.init)
    ?? ["preamble-rest.wav", "preamble-websocket.wav", "microsoft_headquarters.wav", "testing-websocket.wav"]

/// Resident memory now, in MB (from /proc/self/statm).
func currentRSSMB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let pages = s.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// Resident memory of this process's children (the Moonshine worker), in MB.
func childrenRSSMB() -> Double {
    let me = getpid()
    var total = 0.0
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(entry) != nil {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, Int32(fields[1]) == me,
              let statm = try? String(contentsOfFile: "/proc/\(entry)/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { continue }
        total += pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
    return total
}

/// Samples the children's memory every 100 ms and keeps the peak.
final class ChildPeak: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0.0
    init() {
        Thread.detachNewThread { [self] in
            while true {
                let v = childrenRSSMB()
                lock.lock(); peak = max(peak, v); lock.unlock()
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }
    var value: Double { lock.lock(); defer { lock.unlock() }; return peak }
}

// Soak: one long stream of a recording repeated N times, fed as fast as possible; prints the
// resident memory after each repetition, to show whether memory plateaus over long sessions.
if let n = arg("--soak").flatMap(Int.init) {
    let mode = LocalEngineConfiguration.Mode(rawValue: arg("--mode") ?? "hybrid") ?? .hybrid
    let childPeak = ChildPeak()
    let r = LocalRecognizer(configuration: LocalEngineConfiguration(models: try LocalModels.discover(), mode: mode))
    let one = try WAVReader.read16kMono(fixtures.appendingPathComponent("audio/\(files[0])"))
    let src = AsyncThrowingStream<AudioChunk, Error> { c in
        Task {
            for rep in 0..<n {
                var i = 0
                while i < one.count {
                    let part = one[i..<min(one.count, i + 1_600)]
                    var bytes = [UInt8]()
                    for s in part { let u = UInt16(bitPattern: s); bytes.append(UInt8(u & 0xff)); bytes.append(UInt8(u >> 8)) }
                    c.yield(AudioChunk(format: .speech16k, data: bytes, startFrame: Int64(rep * one.count + i)))
                    i += 1_600
                }
            }
            c.finish()
        }
    }
    var finals = 0, lastEnd = 0.0
    let perRep = Double(one.count) / 16_000
    var reported = 0
    for try await e in r.transcribe(src, options: .captionDefaults) {
        if case .results(let res) = e, res.isFinal {
            finals += 1; lastEnd = res.end
            let rep = Int(lastEnd / perRep)
            if rep > reported {
                reported = rep
                print(String(format: "after %4.0f s of audio: %d finals, RSS %.0f MB, worker %.0f MB", lastEnd, finals, currentRSSMB(), childrenRSSMB()))
            }
        }
    }
    print(String(format: "done: %.0f s of audio, %d finals, RSS %.0f MB, peak %.0f MB; worker peak %.0f MB", lastEnd, finals,
                 currentRSSMB(), peakRSSMB(), childPeak.value))
    exit(0)
}

if args.contains("--child") {
    let mode = LocalEngineConfiguration.Mode(rawValue: arg("--mode") ?? "hybrid") ?? .hybrid
    let result = try await measure(mode: mode, files: files)
    let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
    print(String(decoding: try enc.encode(result), as: UTF8.self))
    exit(0)
}

// Parent: run each mode in its own process so peak memory is per mode.
let modes = arg("--mode").map { [$0] } ?? ["sphinx", "hybrid"]
var all: [ModeResult] = []
for m in modes {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    var childArgs = ["--child", "--mode", m, "--files", files.joined(separator: ",")]
    for flag in ["--hangover-ms", "--speculate-ms", "--max-utterance-s", "--moonshine-interims-s"] { if let v = arg(flag) { childArgs += [flag, v] } }
    p.arguments = childArgs
    let pipe = Pipe(); p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0, let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
          let r = try? JSONDecoder().decode(ModeResult.self, from: Data(line.utf8)) else {
        FileHandle.standardError.write(Data("mode \(m) failed (status \(p.terminationStatus))\n".utf8)); exit(1)
    }
    all.append(r)
}

func f(_ x: Double?, _ digits: Int = 2) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "-" }
print("captty offline engine benchmark — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(Date())")
print("reproduce: swift run -c release LocalBenchmark   (in the package root; needs scripts/install-local-engine)")
print("")
for r in all {
    print("== mode \(r.mode) (engine \(r.engine)); model load + warm-up \(f(r.loadSeconds)) s; peak RSS \(f(r.peakRSSMB, 0)) MB"
          + (r.workerPeakRSSMB > 0 ? " + Moonshine worker \(f(r.workerPeakRSSMB, 0)) MB" : ""))
    print("file                          audio s   WER      1st interim s  final lat. median/max s  interims/s  interim≠final  CPU s/s  wall s/s")
    for x in r.files {
        let lat = "\(f(median(x.finalLatencies)))/\(f(x.finalLatencies.max()))"
        print(x.file.padding(toLength: 30, withPad: " ", startingAt: 0)
              + f(x.audioSeconds, 1).padding(toLength: 10, withPad: " ", startingAt: 0)
              + (x.wer.map { String(format: "%.1f%%", $0 * 100) } ?? "-").padding(toLength: 9, withPad: " ", startingAt: 0)
              + f(x.firstInterimLatency).padding(toLength: 15, withPad: " ", startingAt: 0)
              + lat.padding(toLength: 25, withPad: " ", startingAt: 0)
              + f(x.interimsPerSpeechSecond, 1).padding(toLength: 12, withPad: " ", startingAt: 0)
              + (x.interimVsFinalWER.map { String(format: "%.0f%%", $0 * 100) } ?? "-").padding(toLength: 15, withPad: " ", startingAt: 0)
              + f(x.cpuPerAudioSecond).padding(toLength: 9, withPad: " ", startingAt: 0)
              + f(x.wallPerAudioSecond))
    }
    let pooled = r.files.flatMap(\.finalLatencies)
    print("all files: final latency median \(f(median(pooled))) s over \(pooled.count) finals; first interim median \(f(median(r.files.compactMap(\.firstInterimLatency)))) s")
    for x in r.files where x.wer != nil {
        print("  \(x.file): WER \(x.werDetail ?? "")")
        print("    hyp: \(x.hypothesis)")
    }
    print("")
}
