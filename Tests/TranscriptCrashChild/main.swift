// The child process of JournalCrashTests: writes a journal as fast as finals would commit
// and, after each append returns, reports `<line id> <CLOCK_MONOTONIC ns>` to a side file,
// until the parent kills it with SIGKILL (or 60 s pass, so it can never linger).
//
// usage: transcript-crash-child <journal.jsonl> <report.txt>
import Foundation
import Transcript

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let args = CommandLine.arguments
guard args.count == 3 else {
    FileHandle.standardError.write(Data("usage: transcript-crash-child <journal.jsonl> <report.txt>\n".utf8))
    exit(2)
}
let report = open(args[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
guard report >= 0 else { exit(3) }
let header = JournalHeader(engine: "crash-test", model: "none", startTime: Date(), capttyVersion: "0.0.0-test")
let writer = await JournalWriter(url: URL(fileURLWithPath: args[1]), header: header)
let started = monotonicNanoseconds()
var i = 0
while monotonicNanoseconds() - started < 60_000_000_000 {
    let n = 5 + i % 40
    let words = (0 ..< n).map { k in
        CaptionWord(word: "w\(i)k\(k)", text: "W\(i)k\(k)", start: Double(i) + Double(k) * 0.02,
                    end: Double(i) + Double(k) * 0.02 + 0.015, confidence: 0.5)
    }
    let seg = CommittedSegment(lineID: i, channel: 0, speaker: i % 2, start: words[0].start, end: words.last!.end,
                               confidence: 0.5, words: words, speechFinal: true)
    let state = await writer.append([seg])
    guard case .saved = state else { exit(4) }
    let line = "\(i) \(monotonicNanoseconds())\n"
    _ = line.withCString { write(report, $0, strlen($0)) }
    i += 1
    try? await Task.sleep(for: .milliseconds(3))
}
await writer.close()
