import CaptionUI
import Transcript

/// The transcript store's committed lines as the screen reads them: a view over the store's
/// chunked line storage (shared, not copied), mapping only the lines a frame asks for.
///
/// Audio lost to an outage (`AudioGap`) shows as a note line in its place, so a reader can see
/// that something was said there without captions, as the exports mark it.
public struct TranscriptLineSource: CaptionLineSource {
    public let lines: LineStorage
    public let revision: Int
    /// Label each line with its channel (a multichannel session).
    public let multichannel: Bool
    /// The gaps in time order, each with the merged position it is shown at.
    private let placed: [(position: Int, gap: AudioGap)]

    /// Ids of the views: a line's is `id * slots + slots - 1`; gaps shown before it take the
    /// ids below (so ids still increase with position).
    static let slots = 16

    /// The view id of the transcript line `id` (gap notes take the ids below it).
    public static func viewID(ofLine id: Int) -> Int { id * slots + slots - 1 }

    public init(_ lines: LineStorage, revision: Int, multichannel: Bool = false, gaps: [AudioGap] = []) {
        self.lines = lines
        self.revision = revision
        self.multichannel = multichannel
        var placed: [(position: Int, gap: AudioGap)] = []
        placed.reserveCapacity(gaps.count)
        for (k, g) in gaps.sorted(by: { $0.start < $1.start }).enumerated() {
            placed.append((Self.firstLine(in: lines, startingAtOrAfter: g.start) + k, g))
        }
        self.placed = placed
    }

    public var count: Int { lines.count + placed.count }

    public func line(at index: Int) -> CaptionLineView {
        // Gaps shown before `index` (binary search: positions increase).
        var lo = 0
        var hi = placed.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if placed[mid].position < index { lo = mid + 1 } else { hi = mid }
        }
        if lo < placed.count, placed[lo].position == index {
            let gap = placed[lo].gap
            let lineIndex = index - lo
            // Gaps before the same line take consecutive ids, the first the lowest.
            var slot = 0
            var j = lo - 1
            while j >= 0, placed[j].position - j == lineIndex { slot += 1; j -= 1 }
            slot = min(slot, Self.slots - 2)
            let nextID = lineIndex < lines.count ? lines[lineIndex].id
                : (lines.count > 0 ? lines[lines.count - 1].id + 1 : 0)
            return CaptionLineView(id: nextID * Self.slots + slot, start: gap.start, content: .note(gap.note))
        }
        var v = Self.view(of: lines[index - lo], multichannel: multichannel)
        v.id = Self.viewID(ofLine: v.id)
        return v
    }

    /// One transcript line as a caption line (words with confidences, speaker, start).
    public static func view(of line: CaptionLine, multichannel: Bool = false) -> CaptionLineView {
        CaptionLineView(id: line.id, start: line.start, speaker: line.speaker, channel: multichannel ? line.channel : nil,
                        words: line.words.map { CaptionUI.CaptionWord($0.text, confidence: $0.confidence) })
    }

    /// The position of the first line starting at or after `time` (lines are in time order).
    static func firstLine(in lines: LineStorage, startingAtOrAfter time: Double) -> Int {
        var lo = 0
        var hi = lines.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lines[mid].start < time { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
