import FoundationEssentials
import SystemSupport

/// Where caption text may be broken: after punctuation preferably, never after an article,
/// determiner, preposition or conjunction (which would split it from what it introduces).
enum LineBreaking {
    /// Words a line or cue must not end with.
    static let noBreakAfter: Set<String> = [
        "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our",
        "their", "some", "any", "each", "every", "no", "of", "to", "in", "on", "at", "by", "for",
        "with", "from", "into", "onto", "upon", "and", "or", "but", "nor", "if", "as", "than",
        "very", "not",
    ]
    /// Conjunctions a new line may well start with (breaking before them reads naturally).
    static let goodLineStart: Set<String> = [
        "and", "but", "or", "so", "because", "which", "who", "when", "while", "where", "if",
    ]
    static let abbreviations: Set<String> = ["mr.", "mrs.", "ms.", "dr.", "st.", "prof."]

    /// Lower-cased with leading and trailing punctuation removed (`"The,"` → `"the"`).
    static func bare(_ s: String) -> String {
        let core = s.trimming(\.isPunctuation)
        return core.allSatisfy { $0.isASCII && !$0.isUppercase } ? core : core.lowercased()
    }

    /// Whether a line or cue may end after `word`.
    static func isForbiddenEnd(_ word: String) -> Bool {
        if word.hasSuffix("."), abbreviations.contains(word.lowercased()) { return true }
        if endsWithPunctuation(word) { return false }
        return noBreakAfter.contains(bare(word))
    }

    /// How good a break is after `word` with `next` following (higher is better; negative is
    /// forbidden).
    static func score(after word: String, next: String?, gap: Double) -> Int {
        guard next != nil else { return 10 }
        if isForbiddenEnd(word) { return -100 }
        // Kinsoku: no line starts with closing punctuation or a small kana ("。次", a word
        // Deepgram sends), none ends with an opening bracket.
        if let first = next?.first, Kinsoku.neverStarts(first) { return -100 }
        if let last = word.last, Kinsoku.neverEnds(last) { return -100 }
        var s = 1
        if let last = word.last {
            if ".?!…".contains(last) || (word.hasSuffix(".\"") || word.hasSuffix("?\"") || word.hasSuffix("!\"")) { s = 6 }
            else if ",;:—–".contains(last) { s = 4 }
        }
        if s == 1, let next, goodLineStart.contains(bare(next)) { s = 2 }
        if gap >= 0.5 { s += 2 }
        return s
    }

    static func endsWithPunctuation(_ word: String) -> Bool {
        guard let last = word.last else { return false }
        return ".?!…,;:—–\"".contains(last)
    }
}

