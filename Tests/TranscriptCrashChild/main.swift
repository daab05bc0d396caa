// Child process for TranscriptTests.
//
// transcript-crash-child <journal.jsonl> <report.txt>
//   Writes a journal as fast as finals would commit and, after each append returns, reports
//   `<line id> <CLOCK_MONOTONIC ns>` to the side file, until the parent kills it with SIGKILL
//   (or 60 s pass, so it can never linger). Used by JournalCrashTests.
//
// transcript-crash-child --fsize-limit <bytes> <journal.jsonl>
//   Sets RLIMIT_FSIZE (ignoring SIGXFSZ) so writes past <bytes> fail with EFBIG, appends finals
//   until saving fails, appends a few more, then lifts the limit and waits for the retry to
//   write everything. Prints one JSON object on stdout. Used by JournalFileSizeLimitTests.
import Foundation
import Transcript

func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func segment(_ i: Int) -> CommittedSegment {
    let n = 5 + i % 40
    let words = (0 ..< n).map { k in
        CaptionWord(word: "w\(i)k\(k)", text: "W\(i)k\(k)", start: Double(i) + Double(k) * 0.02,
                    end: Double(i) + Double(k) * 0.02 + 0.015, confidence: 0.5)
    }
    return CommittedSegment(lineID: i, channel: 0, speaker: i % 2, start: words[0].start, end: words.last!.end,
                            confidence: 0.5, words: words, speechFinal: true)
}

func fail(_ message: String, _ code: Int32) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

let args = CommandLine.arguments
let header = JournalHeader(engine: "crash-test", model: "none", startTime: Date(), capttyVersion: "0.0.0-test")

if args.count == 4, args[1] == "--fsize-limit", let limit = rlim_t(args[2]) {
    signal(SIGXFSZ, SIG_IGN)
    var old = rlimit()
    getrlimit(Int32(RLIMIT_FSIZE.rawValue), &old)
    var lim = rlimit(rlim_cur: limit, rlim_max: old.rlim_max)
    guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &lim) == 0 else { fail("setrlimit failed", 3) }
    let writer = await JournalWriter(url: URL(fileURLWithPath: args[3]), header: header, retryInterval: .milliseconds(50))
    var appended = 0
    var failure = ""
    var retrying = false
    for i in 0 ..< 2000 {
        appended += 1
        if case .failing(_, let m, let r) = await writer.append([segment(i)]) { failure = m; retrying = r; break }
    }
    for i in appended ..< appended + 5 { await writer.append([segment(i)]) }
    appended += 5
    let writtenWhileFailing = await writer.linesWritten
    let pendingWhileFailing = await writer.pendingLineCount
    // Room again: the retry writes the rest.
    guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &old) == 0 else { fail("setrlimit restore failed", 3) }
    let deadline = monotonicNanoseconds() + 30_000_000_000
    while await writer.pendingLineCount > 0 && monotonicNanoseconds() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    let recovered = await writer.state
    await writer.close()
    let out: [String: Any] = [
        "appended": appended, "failure": failure, "retrying": retrying,
        "written_while_failing": writtenWhileFailing, "pending_while_failing": pendingWhileFailing,
        "recovered": { if case .saved = recovered { return true } else { return false } }(),
    ]
    FileHandle.standardOutput.write(try JSONSerialization.data(withJSONObject: out))
    exit(0)
}

guard args.count == 3 else {
    fail("usage: transcript-crash-child <journal.jsonl> <report.txt> | --fsize-limit <bytes> <journal.jsonl>", 2)
}
let report = open(args[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
guard report >= 0 else { fail("cannot open the report file", 3) }
let writer = await JournalWriter(url: URL(fileURLWithPath: args[1]), header: header)
let started = monotonicNanoseconds()
var i = 0
while monotonicNanoseconds() - started < 60_000_000_000 {
    let state = await writer.append([segment(i)])
    guard case .saved = state else { fail("journal failing: \(state)", 4) }
    let line = "\(i) \(monotonicNanoseconds())\n"
    _ = line.withCString { write(report, $0, strlen($0)) }
    i += 1
    try? await Task.sleep(for: .milliseconds(3))
}
await writer.close()
