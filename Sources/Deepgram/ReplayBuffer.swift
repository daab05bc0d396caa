import SystemSupport

/// Audio given to the client that the server has not yet covered with a final result.
///
/// Bytes are addressed by absolute offsets counted from the first byte of the session:
/// `startOffset` is the oldest byte still held, `endOffset` the total ever appended. Finals trim
/// the front (`trim(upTo:)`); a reconnect re-sends from `startOffset`. The buffer is bounded
/// (`limit` bytes, normally a number of seconds of audio): `makeRoom` decides what to drop —
/// first audio already sent (only the replay safety net shrinks), then unsent audio when the
/// caller allows it (that audio is lost, and the caller must say so).
public struct ReplayBuffer: Sendable {
    private struct Chunk: Sendable {
        var offset: Int64
        var bytes: [UInt8]
        var end: Int64 { offset + Int64(bytes.count) }
    }

    /// The most bytes held at once.
    public let limit: Int
    /// Drops happen in multiples of this many bytes (one audio frame), so the stream stays aligned.
    public let alignment: Int
    public private(set) var startOffset: Int64 = 0
    public private(set) var endOffset: Int64 = 0
    private var chunks = FIFOQueue<Chunk>()

    public init(limit: Int, alignment: Int = 1) {
        precondition(limit > 0 && alignment > 0)
        self.limit = limit
        self.alignment = alignment
    }

    /// Bytes held.
    public var count: Int { Int(endOffset - startOffset) }
    public var isEmpty: Bool { startOffset == endOffset }

    /// Appends bytes at `endOffset`. Call `makeRoom` first to stay within `limit`.
    public mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        chunks.append(Chunk(offset: endOffset, bytes: bytes))
        endOffset += Int64(bytes.count)
    }

    /// Forgets every byte before `offset` (clamped to what is held).
    public mutating func trim(upTo offset: Int64) {
        let target = min(max(offset, startOffset), endOffset)
        guard target > startOffset else { return }
        while let c = chunks.first, c.end <= target { chunks.popFirst() }
        if !chunks.isEmpty, chunks[0].offset < target {
            chunks[0].bytes.removeFirst(Int(target - chunks[0].offset))
            chunks[0].offset = target
        }
        startOffset = target
    }

    /// What `makeRoom` dropped.
    public struct Room: Sendable, Equatable {
        /// Bytes dropped that had already been sent (only replay coverage was lost).
        public var droppedSent: Int64
        /// Bytes dropped that had never been sent: audio lost for good.
        public var droppedUnsent: Int64
        /// Whether `incoming` bytes now fit within `limit`.
        public var fits: Bool
    }

    /// Makes room for `incoming` more bytes: drops already-sent bytes (before `sentOffset`) first
    /// when `mayDropSent`, then, if `mayDropUnsent`, the oldest unsent bytes. Drops are rounded
    /// up to `alignment`.
    public mutating func makeRoom(for incoming: Int, sentOffset: Int64, mayDropUnsent: Bool, mayDropSent: Bool = true) -> Room {
        var room = Room(droppedSent: 0, droppedUnsent: 0, fits: true)
        var over = Int64(count + incoming - limit)
        guard over > 0 else { return room }
        over = roundUp(over)
        let sentHeld = max(0, min(sentOffset, endOffset) - startOffset)
        let dropSent = mayDropSent ? min(over, sentHeld) : 0
        if dropSent > 0 {
            let before = startOffset
            trim(upTo: startOffset + dropSent)
            room.droppedSent = startOffset - before
            over -= room.droppedSent
        }
        if over > 0 {
            if mayDropUnsent {
                let before = startOffset
                trim(upTo: startOffset + over)
                room.droppedUnsent = startOffset - before
                room.fits = count + incoming <= limit
            } else {
                room.fits = false
            }
        }
        return room
    }

    private func roundUp(_ n: Int64) -> Int64 {
        let a = Int64(alignment)
        return (n + a - 1) / a * a
    }

    /// Up to `maxLength` bytes starting at `offset`, or nil when `offset` is not held.
    /// Whole stored chunks are returned without copying.
    public func bytes(from offset: Int64, maxLength: Int = .max) -> [UInt8]? {
        guard offset >= startOffset, offset < endOffset, maxLength > 0 else { return nil }
        // Binary search for the chunk holding `offset`.
        var lo = 0, hi = chunks.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if chunks[mid].offset <= offset { lo = mid } else { hi = mid - 1 }
        }
        let c = chunks[lo]
        let from = Int(offset - c.offset)
        if from == 0 && c.bytes.count <= maxLength { return c.bytes }
        let to = maxLength >= c.bytes.count - from ? c.bytes.count : from + maxLength
        return Array(c.bytes[from..<to])
    }
}
