import Deepgram
import Testing
@testable import Transcript

/// Hundreds of random live streams (seeded; the seed is in the failure message): interims,
/// finals, empty finals, utterance ends, speaker changes, two channels, and reconnects that
/// replay committed finals with shifted timestamps.
@Suite struct StorePropertyTests {
    static let seeds: [UInt64] = Array(1 ... 400)

    @Test(arguments: seeds)
    func storeHoldsExactlyTheFinalsInOrder(seed: UInt64) throws {
        let stream = RandomLiveStream(seed: seed)
        var store = TranscriptStore()
        var segments: [CommittedSegment] = []
        var lastTime = 0.0
        for (n, step) in stream.steps.enumerated() {
            let change = store.apply(step.event)
            segments += change.committed
            // The pending interim is always the latest guess for what is not yet committed.
            let pending = store.pending(channel: step.channel)?.words.map(\.text)
            #expect(pending == step.expectedPending, "seed \(seed) step \(n): pending \(pending ?? []) ≠ \(step.expectedPending ?? [])")
            #expect(store.time >= lastTime, "seed \(seed) step \(n): time went backwards")
            lastTime = store.time
            if pending != step.expectedPending { return }
        }
        for (c, expected) in stream.expectedCommitted {
            let lines = store.lines.filter { $0.channel == c }
            let words = lines.flatMap(\.words)
            // Exactly the finals' words, in order, none repeated, none lost.
            #expect(words.map(\.text) == expected, "seed \(seed) channel \(c)")
            #expect(Set(words.map(\.text)).count == words.count, "seed \(seed): duplicate words")
            // Timestamps never go backwards.
            for (a, b) in zip(words, words.dropFirst()) {
                #expect(b.start >= a.start, "seed \(seed): \(b.text) starts before \(a.text)")
            }
            for l in lines {
                #expect(l.start <= l.end)
                #expect(l.words.allSatisfy { $0.speaker == l.speaker && $0.start <= $0.end }, "seed \(seed): line \(l.id) mixes speakers")
                #expect(l.text == l.words.map(\.text).joined(separator: " "))
            }
            for (a, b) in zip(lines, lines.dropFirst()) { #expect(b.start >= a.start, "seed \(seed): line \(b.id) starts before line \(a.id)") }
        }
        #expect(store.wordCount == stream.expectedCommitted.values.reduce(0) { $0 + $1.count })
        // The journal records rebuild the same lines.
        let decoded = try segments.map { s -> CommittedSegment in
            guard case .final(let d) = try JournalCodec.decode(Substring(JournalCodec.encode(s, sessionStartUnixMs: 0))) else {
                throw JournalCodec.DecodingFailure(reason: "not a final")
            }
            return d
        }
        #expect(decoded == segments, "seed \(seed): journal round trip changed finals")
        let rebuilt = JournalReader.lines(from: decoded)
        #expect(rebuilt.map(\.words) == store.lines.map(\.words), "seed \(seed): journal lines differ")
        #expect(rebuilt.map(\.speaker) == store.lines.map(\.speaker))
        #expect(rebuilt.map(\.channel) == store.lines.map(\.channel))
    }

    @Test(arguments: Array(UInt64(1000) ... 1100))
    func everyExportKeepsEveryWordAndValidTimes(seed: UInt64) {
        let stream = RandomLiveStream(seed: seed)
        var store = TranscriptStore()
        for s in stream.steps { store.apply(s.event) }
        let srt = SRTExporter.render(store.lines, options: ExportOptions(speakers: false))
        let cues = CueBuilder.cues(from: store.lines)
        // Every word of a channel appears in its cues, in order; cues are in order of start.
        for ch in Set(store.lines.map(\.channel)) {
            let cueWords = cues.filter { $0.channel == ch }.flatMap { $0.lines.flatMap { $0.split(separator: " ").map(String.init) } }
            #expect(cueWords == store.lines.filter { $0.channel == ch }.flatMap { $0.words.map(\.text) }, "seed \(seed) channel \(ch)")
        }
        for (a, b) in zip(cues, cues.dropFirst()) { #expect(b.startMs >= a.startMs, "seed \(seed): cues out of order") }
        for c in cues {
            #expect(c.lines.count <= 2 && c.lines.allSatisfy { $0.count <= 42 }, "seed \(seed): \(c.lines)")
            #expect(c.endMs > c.startMs && c.endMs - c.startMs <= 7000, "seed \(seed): \(c)")
        }
        for ch in Set(cues.map(\.channel)) {
            let cs = cues.filter { $0.channel == ch }
            for (a, b) in zip(cs, cs.dropFirst()) { #expect(b.startMs >= a.endMs, "seed \(seed): cues overlap") }
        }
        #expect(!srt.contains(",1000") && !srt.contains(":60"))
    }
}
