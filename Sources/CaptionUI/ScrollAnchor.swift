/// The top of a scrolled-back view, independent of screen width so it survives a resize.
public struct ScrollAnchor: Equatable, Sendable {
    /// The id of the line at the top of the view.
    public var lineID: Int
    /// Which part of that line is at the top: the number of grapheme clusters of the line's
    /// words (joined by single spaces) before the first one on the top row.
    public var offset: Int
    /// How many lines there were when the user scrolled back (for "N new lines below").
    public var lineCountAtScroll: Int

    public init(lineID: Int, offset: Int, lineCountAtScroll: Int) {
        self.lineID = lineID
        self.offset = offset
        self.lineCountAtScroll = lineCountAtScroll
    }
}
