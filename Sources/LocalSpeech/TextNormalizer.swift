/// Turns written text into comparable words: lower case, punctuation dropped.
///
/// Used to split Moonshine's punctuated output into Deepgram `word`s and to score word error rate.
public enum TextNormalizer {
    /// The word as Deepgram's `word` field shows it: lower case, letters, digits and inner
    /// apostrophes only. Empty when nothing is left.
    public static func bare(_ token: Substring) -> String {
        var out = ""
        for ch in token.lowercased() where ch.isLetter || ch.isNumber || ch == "'" || ch == "’" {
            out.append(ch == "’" ? "'" : ch)
        }
        while out.hasPrefix("'") { out.removeFirst() }
        while out.hasSuffix("'") { out.removeLast() }
        return out
    }

    /// Splits text at white space and hyphens into (punctuated, bare) pairs, dropping tokens with
    /// no letters or digits.
    public static func tokens(_ text: String) -> [(punctuated: String, bare: String)] {
        text.split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "—" || $0 == "–" })
            .compactMap { t in
                let b = bare(t)
                return b.isEmpty ? nil : (String(t), b)
            }
    }

    /// The bare words of `text`.
    public static func words(_ text: String) -> [String] { tokens(text).map(\.bare) }
}
