/// The committed lines, stored in a two-level tree of fixed-size chunks.
///
/// A copy of a store (a UI snapshot, say) shares the chunks; the next append copies only the
/// path to the last chunk (at most 128 + 128 references and 128 lines, plus one reference
/// per 16,384 lines), never the whole transcript, so an update stays cheap however long the
/// session runs and however many snapshots are alive.
public struct LineStorage: Sendable, RandomAccessCollection {
    static let chunkSize = 128
    static let chunksPerGroup = 128
    static let groupSize = chunkSize * chunksPerGroup
    private var groups: [[ContiguousArray<CaptionLine>]] = []
    public private(set) var count: Int = 0

    public init() {}
    public init(_ lines: some Sequence<CaptionLine>) { for l in lines { append(l) } }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> CaptionLine {
        get {
            precondition(i >= 0 && i < count, "line index \(i) out of range 0..<\(count)")
            return groups[i / Self.groupSize][(i / Self.chunkSize) % Self.chunksPerGroup][i % Self.chunkSize]
        }
        _modify {
            precondition(i >= 0 && i < count, "line index \(i) out of range 0..<\(count)")
            yield &groups[i / Self.groupSize][(i / Self.chunkSize) % Self.chunksPerGroup][i % Self.chunkSize]
        }
    }

    public mutating func append(_ line: CaptionLine) {
        if count % Self.groupSize == 0 { groups.append([]) }
        let g = groups.count - 1
        if count % Self.chunkSize == 0 {
            var c = ContiguousArray<CaptionLine>()
            c.reserveCapacity(Self.chunkSize)
            groups[g].append(c)
        }
        groups[g][groups[g].count - 1].append(line)
        count += 1
    }

    /// The last `n` lines (fewer if the transcript is shorter), oldest first.
    public func suffix(_ n: Int) -> [CaptionLine] {
        let k = Swift.max(0, Swift.min(n, count))
        return (count - k ..< count).map { self[$0] }
    }
}
