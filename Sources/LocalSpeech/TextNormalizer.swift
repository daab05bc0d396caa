/// Turns written text into comparable words: lower case, punctuation dropped.
///
/// Used to split Moonshine's punctuated output into Deepgram `word`s and to score word error rate.
public enum TextNormalizer {
    /// The word as Deepgram's `word` field shows it: lower case, letters, digits and inner
    /// apostrophes only. Empty when nothing is left. A number keeps the marks that make it one
    /// ("3.5%", "$42.17", "1,250", "3:30", "24/7"): dropping them read "3.5%" as 35.
    public static func bare(_ token: Substring) -> String {
        let number = token.contains(where: { $0.isASCII && $0.isNumber })
        var out = ""
        for ch in token.lowercased() {
            if ch.isLetter || ch.isNumber || ch == "'" || ch == "’" {
                out.append(ch == "’" ? "'" : ch)
            } else if number, ".,:/%$£€".contains(ch) {
                out.append(ch)
            }
        }
        guard number else { return out.trimmingEdges { $0 == "'" } }
        // Marks at the edges are punctuation ("42.", "(3:30)"), but for a currency sign before
        // and a percent sign after.
        return out.trimmingEdges { $0 == "'" || ".,:/".contains($0) }
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

private extension String {
    func trimmingEdges(_ drop: (Character) -> Bool) -> String {
        var s = Substring(self)
        while let c = s.first, drop(c) { s.removeFirst() }
        while let c = s.last, drop(c) { s.removeLast() }
        return String(s)
    }
}
