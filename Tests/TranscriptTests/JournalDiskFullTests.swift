import Foundation
import Testing
import TestSupport
@testable import Transcript

/// A full disk while saving: a clear error, the journal on disk intact (no torn line), the
/// transcript kept in memory, and every line written once space comes back.
@Suite(.serialized) struct JournalDiskFullTests {
    static func bigSegment(_ i: Int) -> CommittedSegment {
        let words = (0 ..< 60).map { k in
            CaptionWord(word: "word\(i)x\(k)", text: "Word\(i)x\(k),", start: Double(i) * 10 + Double(k) * 0.1,
                        end: Double(i) * 10 + Double(k) * 0.1 + 0.08, confidence: 0.875)
        }
        return CommittedSegment(lineID: i, channel: 0, speaker: i % 3, start: words[0].start, end: words.last!.end,
                                confidence: 0.9, words: words, speechFinal: true)
    }

    @Test(.enabled(if: TmpfsMount.isAvailable, "needs root to mount a 1 MiB tmpfs; skipped"))
    func aFullDiskIsReportedAndSavingResumesWithoutDamage() async throws {
        let fs = try TmpfsMount(sizeKiB: 1024)
        defer { fs.unmount() }
        // Leave ~100 KiB free.
        let filler = fs.url.appendingPathComponent("filler")
        try Data(count: 924 * 1024).write(to: filler)
        let url = fs.url.appendingPathComponent("captty/sessions/s.jsonl")
        let writer = await JournalWriter(url: url, header: FixtureReplay.header, retryInterval: .milliseconds(50))
        var appended: [CommittedSegment] = []
        var failure: String?
        for i in 0 ..< 400 {
            let seg = Self.bigSegment(i)
            appended.append(seg)
            if case .failing(_, let message, let retrying) = await writer.append([seg]) {
                #expect(retrying)
                failure = message
                break
            }
        }
        guard let failure else { Issue.record("the disk never filled"); return }
        #expect(failure.contains("No space left on device"))
        #expect(failure.contains("free some disk space"))
        #expect(failure.contains(url.path))
        // Keep appending while full: nothing is lost, nothing torn.
        for i in appended.count ..< appended.count + 5 { appended.append(Self.bigSegment(i)); await writer.append([Self.bigSegment(i)]) }
        #expect(await writer.state.isFailing)
        let onDisk = try JournalReader.read(url)
        #expect(!onDisk.tornLastLine && onDisk.issues.isEmpty)
        #expect(onDisk.segments.count > 0)
        let intact = onDisk.segments == Array(appended.prefix(onDisk.segments.count))
        #expect(intact, "the journal on disk is not the first \(onDisk.segments.count) finals")
        #expect(await writer.pendingLineCount == appended.count - onDisk.segments.count)
        // Space comes back: the retry writes the rest.
        try FileManager.default.removeItem(at: filler)
        #expect(await eventually { await writer.state == .saved(path: url.path) })
        #expect(await writer.close() == .closed(path: url.path))
        let all = try JournalReader.read(url)
        #expect(all.segments.map(\.lineID) == appended.map(\.lineID))
        let complete = all.segments == appended
        #expect(complete, "the journal does not hold every final after recovery")
        #expect(!all.tornLastLine && all.issues.isEmpty)
    }
}
