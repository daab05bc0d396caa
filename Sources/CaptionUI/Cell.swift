/// One character cell of a `Surface`.
///
/// A wide (two-column) grapheme sits in its first cell; the cell to its right is a
/// continuation cell that draws nothing of its own.
public struct Cell: Equatable, Sendable {
    public var character: Character
    public var style: TextStyle
    public var isContinuation: Bool

    public init(character: Character = " ", style: TextStyle = .plain, isContinuation: Bool = false) {
        self.character = character
        self.style = style
        self.isContinuation = isContinuation
    }

    /// An empty cell in the default style.
    public static let blank = Cell()
}
