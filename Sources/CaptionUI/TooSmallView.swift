/// The message shown instead of the app when the terminal is below `ScreenLayout.minimumSize`.
public enum TooSmallView {
    /// The message text, e.g. "Terminal too small: need at least 30x6 (now 20x5)".
    public static func message(size: TerminalSize, quitKey: String = "q") -> String {
        "Terminal too small: need at least \(ScreenLayout.minimumSize) (now \(size)). Other keys are ignored; \(quitKey) quits."
    }

    /// The message in decreasing length: the longest one that fits is shown, so even a
    /// terminal of a few cells says the size it needs.
    static func messages(size: TerminalSize, quitKey: String = "q") -> [String] {
        let need = "\(ScreenLayout.minimumSize)"
        return [message(size: size, quitKey: quitKey), "Terminal too small: need at least \(need) (now \(size))",
                "Too small: need \(need) (now \(size))", "Too small: need \(need)", "Need \(need)", need]
    }

    public static func draw(size: TerminalSize, theme: Theme, quitKey: String = "q", into surface: inout Surface) {
        guard size.width > 0, size.height > 0 else { return }
        let candidates = messages(size: size, quitKey: quitKey).map { text in
            text.split(separator: " ").map { LineLayout.token($0, TextStyle(.bold)) }
        }
        // The first message whose words each fit on a row and whose rows fit on the screen; on a
        // screen too small even for the last one, its start.
        let tokens = candidates.first { tokens in
            tokens.allSatisfy { $0.width <= size.width }
                && LineLayout.wrap(tokens, width: size.width, baseStyle: .plain, hangingIndent: false).count <= size.height
        } ?? candidates[candidates.count - 1]
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
