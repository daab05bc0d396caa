/// How many terminal columns text occupies, like `wcwidth(3)` but pure Swift.
///
/// Rules: East Asian Wide and Fullwidth scalars take 2 columns; combining marks, format
/// characters (zero-width space, joiners), variation selectors and Hangul medial/final jamo
/// take 0; C0/C1 control characters are not printable (they are replaced before drawing, see
/// `sanitizedForTerminal`). Where glibc's `wcwidth` differs, glibc wins (tested over every
/// assigned scalar).
///
/// A grapheme cluster takes the sum of its scalars' widths. That is exactly how ncursesw
/// places text (zero-width scalars join the previous cell), so this model and the real screen
/// never disagree about where a character is: "e" + U+0301 is 1 column, a Hangul syllable
/// spelled with jamo is 2, a flag is 2.
///
/// Emoji sequences are the exception terminals disagree on: tmux, kitty or WezTerm draw a ZWJ
/// family or 🏳️‍🌈 in one 2-column cell, a skin-toned hand in 2 and ❤️ (with U+FE0F) in 2, while
/// ncurses places them by `wcwidth` (8, 3, 4 and 1 columns), so the rest of the row lands
/// elsewhere than ncurses believes and redraws leave debris. Such clusters are drawn as their
/// separate emoji (`terminalForm`): without the joiner, the variation selectors and a
/// modifier after the base, which every terminal draws at `wcwidth`'s width.
public enum DisplayWidth {
    /// Columns taken by one Unicode scalar: 0, 1 or 2 (control characters count as 0).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }      // ASCII fast path
        if v < 0xA0 { return 0 }                        // DEL and C1 controls
        if v == 0xAD { return 1 }                       // soft hyphen: shown by terminals
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return 0 } // jamo V/T
        if v == 0x200B { return 0 }
        // Where glibc's wcwidth (which ncurses uses to place the cursor) differs from the plain
        // Unicode 14 rules, follow glibc so the screen model and curses agree.
        switch v {
        case 0x600...0x605, 0x6DD, 0x70F, 0x890, 0x891, 0x8E2, 0x110BD, 0x110CD:
            return 1                                    // prepended concatenation marks
        case 0x1171E:
            return 0
        case 0x3248...0x324F, 0x4DC0...0x4DFF:
            return 2                                    // circled numbers on squares, Yijing hexagrams
        default:
            break
        }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format:
            return 0
        case .control, .lineSeparator, .paragraphSeparator:
            return 0
        default:
            break
        }
        return isWide(v) ? 2 : 1
    }

    /// Columns taken by one grapheme cluster (a `Character`) as it is drawn: the sum over the
    /// scalars of its `terminalForm` (an emoji modifier after the base counts nothing).
    public static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        // Fast path: a single ASCII scalar.
        if first.value < 0x80 && scalars.count == 1 { return of(first) }
        var width = 0
        var isFirst = true
        for s in scalars {
            if !isFirst, isEmojiModifier(s) { continue }
            width += of(s)
            isFirst = false
        }
        return width
    }

    /// Skin-tone modifiers U+1F3FB…U+1F3FF.
    static func isEmojiModifier(_ s: Unicode.Scalar) -> Bool { (0x1F3FB...0x1F3FF).contains(s.value) }

    /// The text a terminal is sent for a cluster when it differs from the cluster itself: an
    /// emoji sequence without its zero-width joiners, variation selectors (U+FE0E, U+FE0F) and
    /// modifiers after the base, so that it is drawn as separate emoji at `wcwidth`'s widths
    /// (see the type's notes). A joiner after a letter or a combining mark (Indic and Arabic
    /// scripts use it to pick a glyph) is kept. Nil when the cluster is sent as it is.
    /// The result has the same width (`of`) as the cluster.
    public static func terminalForm(_ character: Character) -> String? {
        let scalars = character.unicodeScalars
        guard scalars.count > 1, scalars.contains(where: { $0.value == 0x200D || $0.value == 0xFE0E || $0.value == 0xFE0F || isEmojiModifier($0) })
        else { return nil }
        var out = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for s in scalars {
            defer { previous = s }
            guard previous != nil else { out.append(s); continue }
            if s.value == 0xFE0E || s.value == 0xFE0F || isEmojiModifier(s) { continue }
            if s.value == 0x200D, let p = previous, !joinsAGlyph(after: p) { continue }
            out.append(s)
        }
        return out.count == scalars.count ? nil : String(out)
    }

    /// Whether a zero-width joiner after this scalar belongs to a script (a letter or a combining
    /// mark other than a variation selector) rather than to an emoji sequence.
    private static func joinsAGlyph(after p: Unicode.Scalar) -> Bool {
        if (0xFE00...0xFE0F).contains(p.value) || (0xE0100...0xE01EF).contains(p.value) { return false }
        switch p.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark:
            return true
        default:
            return false
        }
    }

    /// Columns taken by a string, summed over its grapheme clusters.
    public static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for ch in text { total += of(ch) }
        return total
    }

    /// Whether a scalar is East Asian Wide or Fullwidth (binary search over a generated table).
    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        let table = WideCharacterTable.ranges
        var lo = 0
        var hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let (a, b) = table[mid]
            if v < a { hi = mid - 1 } else if v > b { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// The string with every control character (which could move the cursor or inject escape
    /// sequences into the terminal, or reorder the line: a bidi override) replaced: tabs and
    /// newlines become spaces, others U+FFFD.
    public static func sanitizedForTerminal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.isControlOrBidiControl || $0.value == 0x2028 || $0.value == 0x2029 })
        else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s.value {
            // Line breaks of every kind part words (U+2028, zero-width, was dropped: "a\u{2028}b"
            // read "ab").
            case 0x09, 0x0A, 0x0D, 0x85, 0x2028, 0x2029: out.append(" ")
            case _ where s.isControlOrBidiControl: out.append("\u{FFFD}")
            default: out.append(s)
            }
        }
        return String(out)
    }

    /// `text` in rows of at most `width` columns, broken between words (a longer word is split).
    public static func wrapWords(_ text: String, toColumns width: Int) -> [String] {
        guard width > 0 else { return [text] }
        var rows: [String] = []
        var row = ""
        for word in text.split(separator: " ") {
            var w = String(word)
            if !row.isEmpty && DisplayWidth.of(row) + 1 + DisplayWidth.of(w) <= width { row += " " + w; continue }
            if !row.isEmpty { rows.append(row); row = "" }
            while DisplayWidth.of(w) > width {
                var head = ""
                for ch in w {
                    if DisplayWidth.of(head) + DisplayWidth.of(ch) > width { break }
                    head.append(ch)
                }
                if head.isEmpty { break }
                rows.append(head)
                w = String(w.dropFirst(head.count))
            }
            row = w
        }
        if !row.isEmpty || rows.isEmpty { rows.append(row) }
        return rows
    }

    /// The longest prefix of `text` that fits in `columns`, never splitting a grapheme cluster,
    /// with `ellipsis` appended when something was cut (the ellipsis counts toward the width).
    public static func truncate(_ text: String, toColumns columns: Int, ellipsis: String = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        let budget = columns - of(ellipsis)
        guard budget >= 0 else { return "" }
        var used = 0
        var out = ""
        for ch in text {
            let w = of(ch)
            if used + w > budget { break }
            used += w
            out.append(ch)
        }
        return out + ellipsis
    }

    /// The longest suffix of `text` that fits in `columns`, with `ellipsis` in front when cut
    /// (keeps the file name of a long path visible).
    public static func truncateLeading(_ text: String, toColumns columns: Int, ellipsis: String = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        let budget = columns - of(ellipsis)
        guard budget >= 0 else { return "" }
        var used = 0
        var kept: [Character] = []
        for ch in text.reversed() {
            let w = of(ch)
            if used + w > budget { break }
            used += w
            kept.append(ch)
        }
        return ellipsis + String(kept.reversed())
    }
}
