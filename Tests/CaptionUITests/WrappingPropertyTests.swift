import TestSupport
import Testing
@testable import CaptionUI
import SystemSupport

/// Randomised (seeded, so repeatable) checks of the wrapping invariants over mixed scripts.
@Suite("Wrapping invariants over random mixed-script lines")
struct WrappingPropertyTests {
    static let pieces = ["hello", "world", "e\u{0301}te\u{0301}", "日本語", "のテキスト", "한국어", "Ｆｕｌｌ",
                         "supercalifragilisticexpialidocious", "a", "I", "naïve", "😀", "🇯🇵", "x\u{200B}y",
                         "1,234.5", "—", "ﾊﾝｶｸ", "ก\u{0E31}บ", "שָׁלוֹם"]

    @Test func rowsFitAndNothingIsLostOrReordered() {
        var rng = SeededRandom(seed: 0xC0FFEE)
        let theme = Theme(mode: .color)
        for _ in 0..<300 {
            let count = Int.random(in: 1...25, using: &rng)
            let words = (0..<count).map { _ in Self.pieces.randomElement(using: &rng)! }
            let line = CaptionLineView(id: 1, start: 0, speaker: Bool.random(using: &rng) ? 2 : nil, text: words.joined(separator: " "))
            let toggles = DisplayToggles(timestamps: Bool.random(using: &rng), speakerLabels: true)
            let width = Int.random(in: 2...80, using: &rng)
            let rows = LineLayout.rows(for: line, toggles: toggles, theme: theme, width: width)
            for row in rows {
                let text = row.spans.map(\.text).joined()
                #expect(DisplayWidth.of(text) == row.width)
                #expect(row.width <= width, "width \(width): \(text)")
            }
            // The words come back in order, cluster for cluster (prefixes removed).
            var flat = rows.map { $0.spans.filter { $0.style == theme.caption }.map(\.text).joined() }.joined()
            flat.removeAll { $0 == " " }
            #expect(flat == words.joined().filter { $0 != " " }, "width \(width)")
            // Offsets are non-decreasing, and each row's offset points at its first word piece.
            #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.startOffset <= $1.startOffset })
        }
    }
}
