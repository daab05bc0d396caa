/// Where each part of the screen goes for a terminal size.
///
/// Captions fill the top; the level meter and the status bar take the last two rows.
public struct ScreenLayout: Equatable, Sendable {
    /// The smallest terminal the app draws in; below it, a message asks for more room.
    public static let minimumSize = TerminalSize(width: 30, height: 6)

    public let size: TerminalSize
    public let captions: Rect
    public let meter: Rect
    public let status: Rect

    public init(size: TerminalSize) {
        self.size = size
        let w = max(0, size.width), h = max(0, size.height)
        captions = Rect(row: 0, col: 0, width: w, height: h - 2)
        meter = Rect(row: max(0, h - 2), col: 0, width: w, height: h >= 2 ? 1 : 0)
        status = Rect(row: max(0, h - 1), col: 0, width: w, height: h >= 1 ? 1 : 0)
    }

    /// Whether the terminal is too small to draw the app.
    public var isTooSmall: Bool {
        size.width < Self.minimumSize.width || size.height < Self.minimumSize.height
    }
}
