/// Steadies streaming partial hypotheses, which rewrite earlier words often.
///
/// A word becomes fixed once two consecutive hypotheses agree on it and on everything before
/// it (and it is not the newest word). Fixed words are never rewritten within the utterance;
/// only the tail after them follows the newest hypothesis.
public struct PartialSmoother: Sendable {
    private(set) var fixed: [TimedWord] = []
    private var previous: [String] = []

    public init() {}

    /// The words to show for a new hypothesis.
    public mutating func update(_ hyp: [TimedWord]) -> [TimedWord] {
        let words = hyp.map(\.word)
        var agree = 0
        while agree < min(words.count - 1, previous.count), words[agree] == previous[agree] { agree += 1 }
        previous = words
        // Extend the fixed prefix only where the hypothesis still matches it.
        if agree > fixed.count, Array(words.prefix(fixed.count)) == fixed.map(\.word) {
            fixed += hyp[fixed.count..<agree]
        }
        var shown = fixed
        if hyp.count > fixed.count {
            let tail = hyp[fixed.count...].filter { $0.start >= (fixed.last?.end ?? -1) - 0.05 }
            shown += tail
        }
        return shown
    }

    /// Starts a new utterance.
    public mutating func reset() { fixed = []; previous = [] }
}
