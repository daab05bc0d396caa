import Deepgram
import FoundationEssentials

/// Word error rate: (substitutions + deletions + insertions) / reference words.
public struct WordErrorRate: Sendable, Equatable, CustomStringConvertible {
    public var substitutions: Int
    public var deletions: Int
    public var insertions: Int
    public var referenceWords: Int

    public var errors: Int { substitutions + deletions + insertions }
    public var rate: Double { referenceWords == 0 ? (errors == 0 ? 0 : 1) : Double(errors) / Double(referenceWords) }

    /// Scores `hypothesis` against `reference`, both normalised by `TextNormalizer`.
    public init(reference: String, hypothesis: String) {
        self.init(reference: TextNormalizer.words(reference), hypothesis: TextNormalizer.words(hypothesis))
    }

    public init(reference r: [String], hypothesis h: [String]) {
        // Levenshtein over words, keeping the operation counts of the best path.
        struct Cell { var cost = 0, s = 0, d = 0, i = 0 }
        var prev = (0...h.count).map { Cell(cost: $0, i: $0) }
        for a in 1...max(r.count, 1) where !r.isEmpty {
            var cur = [Cell(cost: a, d: a)]
            for b in 1...max(h.count, 1) where !h.isEmpty {
                let same = r[a - 1] == h[b - 1]
                var best = prev[b - 1]; best.cost += same ? 0 : 1; if !same { best.s += 1 }
                var del = prev[b]; del.cost += 1; del.d += 1
                var ins = cur[b - 1]; ins.cost += 1; ins.i += 1
                if del.cost < best.cost { best = del }
                if ins.cost < best.cost { best = ins }
                cur.append(best)
            }
            prev = cur
        }
        let last = prev[h.count]
        substitutions = last.s; deletions = last.d; insertions = last.i; referenceWords = r.count
        if r.isEmpty { substitutions = 0; deletions = 0; insertions = h.count }
    }

    public var description: String {
        NumberText.fixed(rate * 100, decimals: 1) + "% (\(substitutions) sub, \(deletions) del, \(insertions) ins / \(referenceWords) words)"
    }
}
