// Transcript benchmarks: store update cost vs. transcript length, memory per hour of speech,
// journal size and speed, export time for a 10-hour session.
//
// Run:  swift run -c release transcript-bench
import Deepgram
import Foundation
import Transcript

// Speech model: 150 words a minute, a caption line (speech_final) every 12 words.
let wordsPerHour = 9_000
let wordsPerLine = 12
let wordSeconds = 3600.0 / Double(wordsPerHour)

func words(from i: Int, count: Int) -> [Word] {
    (i ..< i + count).map { k in
        let t = Double(k) * wordSeconds
        return Word(word: "word\(k % 997)", start: t, end: t + wordSeconds * 0.8, confidence: 0.93,
                    punctuatedWord: k % wordsPerLine == wordsPerLine - 1 ? "Word\(k % 997)." : "word\(k % 997)")
    }
}

func results(_ ws: [Word], final: Bool, speechFinal: Bool) -> LiveEvent {
    .results(Results(start: ws.first!.start, duration: ws.last!.end - ws.first!.start, isFinal: final,
                     speechFinal: speechFinal, channel: Channel(alternatives: [Alternative(
                        transcript: ws.map(\.display).joined(separator: " "), confidence: 0.93, words: ws)])))
}

/// The events of `lines` caption lines starting at word `w`: two interims, then two finals
/// (the second speech_final) per line — 4 events per line.
func events(lines: Int, fromWord w: Int) -> [LiveEvent] {
    var out: [LiveEvent] = []
    out.reserveCapacity(lines * 4)
    for l in 0 ..< lines {
        let base = w + l * wordsPerLine
        let all = words(from: base, count: wordsPerLine)
        out.append(results(Array(all[0 ..< 4]), final: false, speechFinal: false))
        out.append(results(Array(all[0 ..< 6]), final: true, speechFinal: false))
        out.append(results(Array(all[6 ..< 10]), final: false, speechFinal: false))
        out.append(results(Array(all[6 ..< 12]), final: true, speechFinal: true))
    }
    return out
}

/// glibc's malloc_trim (not in the Glibc module): returns freed heap pages to the system so
/// RSS reflects live memory.
func trimHeap() {
    typealias Trim = @convention(c) (Int) -> Int32
    if let sym = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(sym, to: Trim.self)(0) }
}

func rssKiB() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for l in s.split(separator: "\n") where l.hasPrefix("VmRSS:") {
        return Int(l.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }
    return 0
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }

let clock = ContinuousClock()
var sink = 0
print("transcript-bench — swift run -c release transcript-bench")
print("speech model: \(wordsPerHour) words/hour, \(wordsPerLine) words/line, 4 events/line (2 interims, 2 finals)\n")

// 2. Memory per hour of speech.
print("1. memory per hour of speech (10 hours committed, per hour)")
let hourLines = wordsPerHour / wordsPerLine
let oneHour = events(lines: hourLines, fromWord: 0)
trimHeap()
let rss0 = rssKiB()
var tenHours = TranscriptStore()
for h in 0 ..< 10 {
    for e in oneHour {
        guard case .results(let r) = e else { continue }
        tenHours.apply(.results(r.offset(by: Double(h) * 3600)))
    }
}
trimHeap()
let rss1 = rssKiB()
print("   lines \(tenHours.lines.count), words \(tenHours.wordCount)")
print("   RSS growth: \(fmt(Double(rss1 - rss0) / 10 / 1024, 2)) MiB/hour (\(fmt(Double(rss1 - rss0) * 1024 / Double(tenHours.wordCount), 0)) bytes/word; CaptionWord stride \(MemoryLayout<CaptionWord>.stride) bytes)")

// 1. Update cost at 10, 1,000 and 100,000 committed lines.
print("\n2. store update cost vs. transcript length (per event, median of 5 runs of 40,000 events)")
print("   lines   apply ns/event   apply+snapshot+lastLines(20) ns/event")
for n in [10, 1_000, 100_000] {
    var base = TranscriptStore()
    for e in events(lines: n, fromWord: 0) { base.apply(e) }
    precondition(base.lines.count == n)
    let measured = events(lines: 10_000, fromWord: n * wordsPerLine)
    var plain: [Double] = [], snap: [Double] = []
    for _ in 0 ..< 5 {
        var s = base
        let t0 = clock.now
        for e in measured { sink &+= s.apply(e).committed.count }
        plain.append(seconds(clock.now - t0) * 1e9 / Double(measured.count))
        var s2 = base
        var held: TranscriptStore? = nil
        let t1 = clock.now
        for e in measured {
            sink &+= s2.apply(e).committed.count
            held = s2                         // a UI snapshot alive across the next update
            sink &+= s2.lastLines(20).count
        }
        snap.append(seconds(clock.now - t1) * 1e9 / Double(measured.count))
        sink &+= held?.lines.count ?? 0
    }
    plain.sort(); snap.sort()
    print("   \(String(n).padding(toLength: 7, withPad: " ", startingAt: 0)) \(fmt(plain[2]).padding(toLength: 16, withPad: " ", startingAt: 0)) \(fmt(snap[2]))")
}

// 3. Journal: bytes per hour, append and read speed.
print("\n3. journal (10 hours)")
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("transcript-bench-\(getpid())")
let journalURL = dir.appendingPathComponent("s.jsonl")
let header = JournalHeader(engine: "bench", model: "nova-3", options: .captionDefaults, capttyVersion: "bench")
var segs: [CommittedSegment] = []
var s3 = TranscriptStore()
for e in events(lines: hourLines * 10, fromWord: 0) { segs += s3.apply(e).committed }
let writer = await JournalWriter(url: journalURL, header: header)
let tj = clock.now
for s in segs { await writer.append([s]) }
await writer.close()
let appendTime = seconds(clock.now - tj)
let size = (try? FileManager.default.attributesOfItem(atPath: journalURL.path)[.size] as? Int) ?? 0
print("   \(segs.count) finals appended in \(fmt(appendTime, 3)) s (\(fmt(appendTime * 1e6 / Double(segs.count), 1)) µs/final incl. write(); fsync ≤1/s)")
print("   size \(fmt(Double(size) / 10 / 1024 / 1024, 2)) MiB/hour")
let tr = clock.now
let back = try JournalReader.read(journalURL)
print("   read back \(back.lines.count) lines in \(fmt(seconds(clock.now - tr), 3)) s")
try? FileManager.default.removeItem(at: dir)

// 4. Export time for a 10-hour session.
print("\n4. export of a 10-hour session (\(tenHours.lines.count) lines, \(tenHours.wordCount) words), median of 3")
for format in ExportFormat.allCases {
    var ts: [Double] = []
    var bytes = 0
    for _ in 0 ..< 3 {
        let t = clock.now
        let out = Exporter.render(tenHours.lines, format: format, header: header)
        ts.append(seconds(clock.now - t))
        bytes = out.utf8.count
    }
    ts.sort()
    print("   \(format.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(fmt(ts[1] * 1000, 0)) ms  (\(fmt(Double(bytes) / 1024 / 1024, 2)) MiB)")
}
print("\n(checksum \(sink))")
