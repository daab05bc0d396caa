import SystemSupport
/// What the screen is drawn with when the locale is not UTF-8 (`LANG=C`, `LC_ALL=POSIX`):
/// ncurses then cannot write anything outside ASCII and silently leaves it out, which emptied
/// the level meter, the status symbols and every non-ASCII letter of the captions.
///
/// Each character is replaced by ASCII of the same width (the layout is unchanged): the
/// screen's own symbols by a look-alike (`█` → `#`, `┌` → `+`, `…` → `.`), anything else by
/// `?` for each column it takes.
public enum AsciiFallback {
    /// Look-alikes for the symbols the views draw.
    static let lookalikes: [Character: Character] = [
        "…": ".", "·": "-", "—": "-", "–": "-", "“": "\"", "”": "\"", "‘": "'", "’": "'",
        "\u{00A0}": " ", "\u{FFFD}": "?",
        // Level meter: bar edges, blocks, peak marker.
        "▕": "[", "▏": "]", "█": "#", "▉": "#", "▊": "=", "▋": "=", "▌": "=", "▍": "-", "▎": "-",
        // Boxes.
        "│": "|", "─": "-", "┌": "+", "┐": "+", "└": "+", "┘": "+",
        // Status and hints.
        "●": "*", "◌": "o", "↻": "~", "‖": "=", "✖": "x", "■": "#", "⚠": "!",
        "↑": "^", "↓": "v", "←": "<", "→": ">",
    ]

    /// Wider look-alikes for text that is not laid out in columns (plain mode's messages):
    /// "connecting..." reads better than "connecting.".
    static let wideLookalikes: [Character: String] = ["…": "...", "—": "--"]

    /// `text` in ASCII: column for column, or with `keepingColumns: false` a few symbols by
    /// wider look-alikes (`…` → `...`).
    public static func ascii(_ text: String, keepingColumns: Bool = true) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            if ch.isASCII {
                out.append(ch)
            } else if !keepingColumns, let wide = wideLookalikes[ch] {
                out += wide
            } else if let look = lookalikes[ch] {
                out.append(look)
            } else {
                out.append(String(repeating: "?", count: DisplayWidth.of(ch)))
            }
        }
        return out
    }
}
