import Transcript
import SystemSupport

/// A piece of text in one style.
public struct StyledSpan: Equatable, Sendable {
    public var text: String
    public var style: TextStyle
    public init(_ text: String, _ style: TextStyle) {
        self.text = text
        self.style = style
    }
}

/// One screen row of a wrapped caption line.
public struct WrappedRow: Equatable, Sendable {
    public var spans: [StyledSpan]
    /// Grapheme offset (within the line's words joined by spaces) of the row's first word
    /// piece; what a `ScrollAnchor` stores.
    public var startOffset: Int
    /// Columns used.
    public var width: Int

    var lastCharacter: Character? { spans.last?.text.last }

    /// Takes the row's last unit off for the next row to begin with it (kinsoku): its last
    /// character, with those before it that may not begin a row ("す。", "ちょ"). Only characters
    /// of a script written without spaces, in one span, and only when the row keeps text past
    /// `keeping` columns. Nil when it may not be taken.
    mutating func popLastForKinsoku(keeping: Int) -> (text: String, style: TextStyle, columns: Int)? {
        guard let span = spans.last else { return nil }
        var taken: [Character] = []
        for ch in span.text.reversed() {
            guard ch.unicodeScalars.count == 1, let v = ch.unicodeScalars.first?.value, LineLayout.writtenWithoutSpaces(v) else { return nil }
            taken.insert(ch, at: 0)
            if !Kinsoku.neverStarts(ch) { break }
        }
        guard let first = taken.first, !Kinsoku.neverStarts(first) else { return nil }
        let w = taken.reduce(0) { $0 + DisplayWidth.of($1) }
        guard width - w > keeping else { return nil }
        spans[spans.count - 1].text.removeLast(taken.count)
        if spans[spans.count - 1].text.isEmpty { spans.removeLast() }
        width -= w
        return (String(taken), span.style, w)
    }

    mutating func append(_ text: String, _ style: TextStyle, columns: Int) {
        if let last = spans.last, last.style == style {
            spans[spans.count - 1].text += text
        } else {
            spans.append(StyledSpan(text, style))
        }
        width += columns
    }
}

/// Word-wraps caption lines by display width (pure functions).
///
/// Lines break between words; a word wider than the row, or one holding wide (CJK)
/// characters, breaks between grapheme clusters, never inside one. Continuation rows are
/// indented two columns when the area is at least 20 columns wide.
public enum LineLayout {
    struct Token {
        var text: String
        var style: TextStyle
        var width: Int
        var graphemes: Int
        var breakable: Bool
        var isPrefix: Bool
    }

    /// The rows of a committed line; `interim`: a guess that continues it, drawn after its words
    /// in the interim style.
    public static func rows(for line: CaptionLineView, toggles: DisplayToggles, theme: Theme, width: Int,
                            continuedBy interim: String? = nil) -> [WrappedRow] {
        var tokens = prefixTokens(start: line.start, channel: line.channel, speaker: line.speaker, toggles: toggles, theme: theme)
        switch line.content {
        case .text(let text):
            for w in splitWords(text) { tokens.append(token(w, theme.caption)) }
        case .note(let text):
            for w in splitWords(text) { tokens.append(token(w, theme.warning)) }
        case .words(let words):
            for word in words {
                let dim = toggles.confidenceDimming && (word.confidence ?? 1) < toggles.lowConfidenceThreshold
                for w in splitWords(word.text) { tokens.append(token(w, dim ? theme.lowConfidence : theme.caption)) }
            }
        }
        if let interim {
            for w in splitWords(interimTail(interim)) { tokens.append(token(w, theme.interim)) }
        }
        return wrap(tokens, width: width, baseStyle: theme.caption)
    }

    /// The rows of the interim guess (drawn in the interim style throughout). `start`: where it
    /// starts when it begins a line of its own, timestamped as its line will be.
    public static func interimRows(_ text: String, speaker: Int?, channel: Int? = nil, start: Double? = nil, toggles: DisplayToggles,
                                   theme: Theme, width: Int) -> [WrappedRow] {
        var tokens = prefixTokens(start: start, channel: channel, speaker: speaker, toggles: toggles, theme: theme)
        for w in splitWords(interimTail(text)) { tokens.append(token(w, theme.interim)) }
        return wrap(tokens, width: width, baseStyle: theme.interim)
    }

    /// The most of an interim guess that is drawn: its end, more than any screen shows. An
    /// interim is redrawn on every update, so a huge one (a hostile server's) must not cost
    /// its whole length each time; an elided start is marked with "…".
    static let interimLimit = 20_000

    static func interimTail(_ text: String) -> String {
        guard text.utf8.count > interimLimit else { return text }
        var tail = text.suffix(interimLimit)
        if let space = tail.firstIndex(of: " ") { tail = tail[tail.index(after: space)...] }
        return "… " + tail
    }

    /// Timestamp (when shown and `start` is known), channel tag and speaker label.
    static func prefixTokens(start: Double?, channel: Int? = nil, speaker: Int?, toggles: DisplayToggles, theme: Theme) -> [Token] {
        var tokens: [Token] = []
        if toggles.timestamps, let start {
            tokens.append(token("[\(TimeFormat.clock(start))]", theme.timestamp, isPrefix: true))
        }
        if let c = channel { tokens.append(token(ChannelLabel.tag(c), theme.timestamp, isPrefix: true)) }
        if toggles.speakerLabels, let s = speaker {
            tokens.append(token(SpeakerLabel.name(s) + ":", theme.speaker(s), isPrefix: true))
        }
        return tokens
    }

    static func splitWords(_ text: String) -> [Substring] {
        DisplayWidth.sanitizedForTerminal(text).split(whereSeparator: { $0 == " " || $0 == "\u{3000}" })
    }

    static func token(_ text: some StringProtocol, _ style: TextStyle, isPrefix: Bool = false) -> Token {
        var width = 0
        var graphemes = 0
        var breakable = false
        for ch in text {
            let w = DisplayWidth.of(ch)
            width += w
            graphemes += 1
            // Broken anywhere: writing without spaces between words (Chinese, Japanese). Not
            // for any wide character: "héllo👍3" and Korean words (spaced) were split mid-word.
            if w == 2, !breakable, let v = ch.unicodeScalars.first?.value, Self.writtenWithoutSpaces(v) { breakable = true }
        }
        return Token(text: String(text), style: style, width: width, graphemes: graphemes,
                     breakable: breakable, isPrefix: isPrefix)
    }

    /// Han ideographs, kana, CJK punctuation and fullwidth forms: scripts written without spaces
    /// between words, so a line may break between any two characters.
    static func writtenWithoutSpaces(_ v: UInt32) -> Bool {
        (0x3000...0x30FF).contains(v) || (0x31F0...0x31FF).contains(v) || (0x3400...0x4DBF).contains(v)
            || (0x4E00...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFF00...0xFFEF).contains(v)
            || (0x20000...0x3FFFF).contains(v)
    }

    /// See `Kinsoku`.
    static func neverStartsARow(_ ch: Character) -> Bool { Kinsoku.neverStarts(ch) }
    static func neverEndsARow(_ ch: Character) -> Bool { Kinsoku.neverEnds(ch) }

    /// `text`'s graphemes in the runs a row may not break inside: a character with the closing
    /// punctuation and small kana after it, and an opening bracket with what follows it.
    static func kinsokuUnits(_ text: String) -> [[Character]] {
        var units: [[Character]] = []
        for ch in text {
            if let last = units.last?.last, neverStartsARow(ch) || neverEndsARow(last) {
                units[units.count - 1].append(ch)
            } else {
                units.append([ch])
            }
        }
        return units
    }

    static func wrap(_ tokens: [Token], width: Int, baseStyle: TextStyle, hangingIndent: Bool = true) -> [WrappedRow] {
        guard width > 0 else { return [] }
        let indent = hangingIndent && width >= 20 ? 2 : 0
        var rows: [WrappedRow] = []
        var current = WrappedRow(spans: [], startOffset: 0, width: 0)
        var rowStart = 0          // first column of text on this row (0, or the indent)
        var offset = 0            // grapheme offset of the next word
        var firstWord = true

        func newRow(startOffset: Int) {
            rows.append(current)
            current = WrappedRow(spans: [], startOffset: startOffset, width: 0)
            if indent > 0 { current.append(String(repeating: " ", count: indent), baseStyle, columns: indent) }
            rowStart = indent
        }

        for tok in tokens {
            if !tok.isPrefix {
                if !firstWord { offset += 1 }   // the space before this word
                firstWord = false
            }
            let tokenOffset = tok.isPrefix ? 0 : offset
            let hasText = current.width > rowStart
            let space = hasText ? 1 : 0
            if current.width + space + tok.width <= width {
                if hasText { current.append(" ", baseStyle, columns: 1) }
                current.append(tok.text, tok.style, columns: tok.width)
            } else if tok.breakable || tok.width > width - indent {
                // Fill the row grapheme by grapheme (CJK text, or a word longer than a row).
                // Kinsoku: a row does not start with closing punctuation or a small kana ("。"
                // alone at the start of a row), nor end with an opening bracket. Such a character
                // is kept with its neighbour as one unit; a unit wider than a row is still broken.
                var units = Self.kinsokuUnits(tok.text)
                var i = 0
                if hasText, !tok.isPrefix, let lead = units.first {
                    let leadWidth = lead.reduce(0) { $0 + DisplayWidth.of($1) }
                    let nextWidth = leadWidth + 1
                    if Self.neverStartsARow(lead[0]) {
                        // Words are sent apart ("です" "。次"): the punctuation stays with the
                        // word before it, without the space; when the row is full, that word's
                        // last character goes down with it.
                        if current.width + leadWidth > width {
                            let carried = current.popLastForKinsoku(keeping: rowStart)
                            newRow(startOffset: carried.map { tokenOffset - 1 - $0.text.count } ?? tokenOffset)
                            if let carried { current.append(carried.text, carried.style, columns: carried.columns) }
                        }
                        for ch in lead { current.append(String(ch), tok.style, columns: DisplayWidth.of(ch)) }
                        i = lead.count
                        units.removeFirst()
                    } else if current.width + nextWidth > width, let last = current.lastCharacter, Self.neverEndsARow(last),
                              let carried = current.popLastForKinsoku(keeping: rowStart) {
                        // An opening bracket sent as a word of its own does not end the row.
                        newRow(startOffset: tokenOffset - 1 - carried.text.count)
                        current.append(carried.text, carried.style, columns: carried.columns)
                        current.append(" ", baseStyle, columns: 1)
                    } else if current.width + 2 < width {
                        current.append(" ", baseStyle, columns: 1)
                    } else {
                        newRow(startOffset: tokenOffset)
                    }
                }
                for unit in units {
                    let unitWidth = unit.reduce(0) { $0 + DisplayWidth.of($1) }
                    let whole = unitWidth <= width - indent
                    if whole, current.width + unitWidth > width, current.width > rowStart {
                        newRow(startOffset: tok.isPrefix ? 0 : tokenOffset + i)
                    }
                    for ch in unit {
                        let w = DisplayWidth.of(ch)
                        if !whole, current.width + w > width, current.width > rowStart {
                            newRow(startOffset: tok.isPrefix ? 0 : tokenOffset + i)
                        }
                        current.append(String(ch), tok.style, columns: w)
                        i += 1
                    }
                }
            } else {
                newRow(startOffset: tokenOffset)
                current.append(tok.text, tok.style, columns: tok.width)
            }
            if !tok.isPrefix { offset += tok.graphemes }
        }
        rows.append(current)
        return rows
    }
}
