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
