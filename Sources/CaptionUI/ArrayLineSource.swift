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
