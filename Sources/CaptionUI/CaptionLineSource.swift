/// Read access to committed caption lines without copying them into every frame.
///
/// The renderer only asks for the lines it needs to fill the screen (walking back from the
/// bottom, or forward from the scroll anchor), so a frame costs the same with 10 lines or
/// 100,000. Implementations must be immutable values (or behave like them) because a
/// `ScreenSnapshot` holding one may be drawn on another thread.
public protocol CaptionLineSource: Sendable {
    /// How many committed lines there are.
    var count: Int { get }
    /// A number that changes whenever any line changes (added, edited or removed).
    var revision: Int { get }
    /// The line at a position in `0..<count`.
    func line(at index: Int) -> CaptionLineView
    /// The position of the line with an id, or nil if it is not (or no longer) there.
    func index(ofLineID id: Int) -> Int?
}

extension CaptionLineSource {
    /// Binary search by id: ids increase with position (see `CaptionLineView.id`).
    public func index(ofLineID id: Int) -> Int? {
        var lo = 0
        var hi = count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let midID = line(at: mid).id
            if midID == id { return mid }
            if midID < id { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }
}

/// Lines held in an array (copy-on-write, so handing one to a snapshot is O(1)).
public struct ArrayLineSource: CaptionLineSource, Equatable {
    public var lines: [CaptionLineView]
    public var revision: Int

    /// `revision` defaults to the line count, right for a transcript that only grows.
    public init(_ lines: [CaptionLineView], revision: Int? = nil) {
        self.lines = lines
        self.revision = revision ?? lines.count
    }

    public var count: Int { lines.count }
    public func line(at index: Int) -> CaptionLineView { lines[index] }
}

/// Lines produced on demand by a closure (for example mapping the transcript store's lines).
public struct ClosureLineSource: CaptionLineSource {
    public let count: Int
    public let revision: Int
    private let provider: @Sendable (Int) -> CaptionLineView

    public init(count: Int, revision: Int, line provider: @escaping @Sendable (Int) -> CaptionLineView) {
        self.count = count
        self.revision = revision
        self.provider = provider
    }

    public func line(at index: Int) -> CaptionLineView { provider(index) }
}

/// The committed lines of a snapshot; equal when the sources have the same type, count,
/// revision and last line (a cheap check, so comparing snapshots costs O(1) per frame).
public struct CaptionLines: Equatable, Sendable {
    public let source: any CaptionLineSource

    public init(_ source: any CaptionLineSource) { self.source = source }
    public init(_ lines: [CaptionLineView]) { self.source = ArrayLineSource(lines) }

    /// No lines.
    public static let empty = CaptionLines(ArrayLineSource([]))

    public var count: Int { source.count }
    public subscript(index: Int) -> CaptionLineView { source.line(at: index) }
    public func index(ofLineID id: Int) -> Int? { source.index(ofLineID: id) }

    public static func == (a: CaptionLines, b: CaptionLines) -> Bool {
        // O(1): count, revision, and the newest line (the one that is usually edited).
        // Sources must change `revision` for any other edit.
        guard a.source.count == b.source.count, a.source.revision == b.source.revision,
              type(of: a.source) == type(of: b.source) else { return false }
        let n = a.source.count
        return n == 0 || a.source.line(at: n - 1) == b.source.line(at: n - 1)
    }
}
