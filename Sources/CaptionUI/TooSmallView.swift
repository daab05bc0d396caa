/// The message shown instead of the app when the terminal is below `ScreenLayout.minimumSize`.
public enum TooSmallView {
    /// The message text, e.g. "Terminal too small: need at least 30x6 (now 20x5)".
    public static func message(size: TerminalSize) -> String {
        "Terminal too small: need at least \(ScreenLayout.minimumSize) (now \(size))"
    }

    public static func draw(size: TerminalSize, theme: Theme, into surface: inout Surface) {
        guard size.width > 0, size.height > 0 else { return }
        let tokens = message(size: size).split(separator: " ").map { LineLayout.token($0, TextStyle(.bold)) }
        let rows = LineLayout.wrap(tokens, width: size.width, baseStyle: .plain, hangingIndent: false)
        let top = max(0, (size.height - rows.count) / 2)
        for (i, row) in rows.prefix(size.height).enumerated() {
            var col = max(0, (size.width - row.width) / 2)
            for span in row.spans {
                col = surface.put(span.text, row: top + i, col: col, style: span.style)
            }
        }
    }
}
