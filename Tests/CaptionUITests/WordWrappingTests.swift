import Testing
@testable import CaptionUI
import Transcript
import SystemSupport

@Suite("Word wrapping by display width")
struct WordWrappingTests {
    let theme = Theme(mode: .color)
    let plainToggles = DisplayToggles(speakerLabels: false)

    func texts(_ rows: [WrappedRow]) -> [String] { rows.map { $0.spans.map(\.text).joined() } }

    @Test func wrapsBetweenWordsWithHangingIndent() {
        let line = CaptionLineView(id: 1, start: 0, text: "the quick brown fox jumps over the lazy dog")
        let rows = LineLayout.rows(for: line, toggles: plainToggles, theme: theme, width: 20)
        #expect(texts(rows) == ["the quick brown fox", "  jumps over the", "  lazy dog"])
        #expect(rows.allSatisfy { $0.width <= 20 })
    }

    @Test func noRowIsWiderThanTheAreaWithCJKMixedIn() {
        let line = CaptionLineView(id: 1, start: 0, text: "Meeting notes: 日本語のテキストを表示します and then English again")
        for width in 5...40 {
            let rows = LineLayout.rows(for: line, toggles: plainToggles, theme: theme, width: width)
            for row in rows {
                let w = DisplayWidth.of(row.spans.map(\.text).joined())
                #expect(w == row.width)
                #expect(w <= width, "width \(width): \(row)")
            }
            // Nothing is lost: all the graphemes come back, in order.
            let joined = texts(rows).joined().filter { $0 != " " }
            #expect(joined == line.plainText.filter { $0 != " " })
        }
    }

    /// A word with a wide character in it (an emoji, Korean, which is spaced) moves to the next
    /// row whole when it fits there; only scripts written without spaces break anywhere. It was
    /// split: "hél" / "lo👍3", and every Korean word at a row's end.
    @Test func wordsWithAWideCharacterAreNotSplit() {
        let line = CaptionLineView(id: 1, start: 0, text: "héllo👍0 héllo👍1 héllo👍2 héllo👍3 héllo👍4")
        let rows = LineLayout.rows(for: line, toggles: plainToggles, theme: theme, width: 30)
        #expect(texts(rows) == ["héllo👍0 héllo👍1 héllo👍2", "  héllo👍3 héllo👍4"], "\(texts(rows))")
        let korean = LineLayout.rows(for: CaptionLineView(id: 1, start: 0, text: "안녕하세요 여러분 오늘 회의를 시작하겠습니다"),
                                     toggles: plainToggles, theme: theme, width: 20)
        #expect(texts(korean) == ["안녕하세요 여러분", "  오늘 회의를", "  시작하겠습니다"], "\(texts(korean))")
        // Longer than a row, it is still broken to fit.
        let long = LineLayout.rows(for: CaptionLineView(id: 1, start: 0, text: String(repeating: "👍", count: 12)),
                                   toggles: plainToggles, theme: theme, width: 10)
        #expect(long.allSatisfy { $0.width <= 10 } && texts(long).joined().filter { $0 == "👍" }.count == 12, "\(texts(long))")
    }

    @Test func cjkBreaksBetweenCharactersToFillTheRow() {
        let line = CaptionLineView(id: 1, start: 0, text: "これは日本語のテキストです")
        let rows = LineLayout.rows(for: line, toggles: plainToggles, theme: theme, width: 10)
        #expect(texts(rows) == ["これは日本", "語のテキス", "トです"])
        let indented = LineLayout.rows(for: CaptionLineView(id: 1, start: 0, text: "これは日本語のテキストです、とても長い文章ですね"),
                                       toggles: plainToggles, theme: theme, width: 20)
        #expect(texts(indented) == ["これは日本語のテキス", "  トです、とても長い", "  文章ですね"])
    }

    /// Kinsoku: no row starts with "。", "、", a closing bracket or a small kana, and none ends
    /// with an opening bracket; the character before goes down with it (a lone "。" began a row).
    @Test func japanesePunctuationDoesNotStartARow() {
        func wrap(_ text: String, _ width: Int) -> [String] {
            texts(LineLayout.rows(for: CaptionLineView(id: 1, start: 0, text: text), toggles: plainToggles, theme: theme, width: width))
        }
        #expect(wrap("日本語のテキストです。それから", 10) == ["日本語のテ", "キストで", "す。それか", "ら"])
        #expect(wrap("彼は「こんにちは」と言った", 6) == ["彼は", "「こん", "にち", "は」と", "言った"])
        #expect(wrap("ちょっと待って", 8) == ["ちょっと", "待って"])
        #expect(wrap("ちょっと待って", 6) == ["ちょっ", "と待っ", "て"])
        // Over many widths: no row (but the first) starts with one, none ends with an opening
        // bracket, and nothing is lost. (From 6 columns, which hold its widest unit, "ちょっ".)
        let text = "今日は「会議」です。資料は、ちょっと待ってください！ありがとうございます。"
        for width in 6...30 {
            let rows = wrap(text, width)
            for (n, row) in rows.enumerated() {
                let trimmed = row.drop { $0 == " " }
                if n > 0, let first = trimmed.first { #expect(!LineLayout.neverStartsARow(first), "width \(width): \(rows)") }
                if n < rows.count - 1, let last = row.last { #expect(!LineLayout.neverEndsARow(last), "width \(width): \(rows)") }
            }
            #expect(rows.joined().filter { $0 != " " } == text, "width \(width): \(rows)")
        }
    }

    /// Deepgram sends Japanese as words with spaces between them, and sometimes a word that
    /// begins with the last sentence's "。" ("。次"): the break between two words follows kinsoku
    /// too (rows began with "。次" and "、そして", and one ended with a lone "「"; found in QA).
    @Test func kinsokuHoldsBetweenWordsSentApart() {
        let text = "今日 は 会議 です。 。次 は 東京 です 、そして 「 東京 」 へ 行き ます 。 ちょ っと 待って ください 。"
        for width in 6...44 {
            let rows = texts(LineLayout.rows(for: CaptionLineView(id: 1, start: 0, text: text), toggles: plainToggles, theme: theme, width: width))
            for (n, row) in rows.enumerated() {
                let trimmed = row.drop { $0 == " " }
                if n > 0, let first = trimmed.first { #expect(!Kinsoku.neverStarts(first), "width \(width): \(rows)") }
                let end = row.reversed().drop { $0 == " " }
                if n < rows.count - 1, let last = end.first { #expect(!Kinsoku.neverEnds(last), "width \(width): \(rows)") }
                #expect(DisplayWidth.of(row) <= width, "width \(width): \(rows)")
            }
            #expect(rows.joined().filter { $0 != " " } == text.filter { $0 != " " }, "width \(width): \(rows)")
        }
    }

    @Test func combiningCharactersStayWithTheirBase() {
        let e = "e\u{0301}"                       // decomposed é: two scalars, one cluster
        let words = CaptionLineView(id: 1, start: 0, text: "caf\(e) caf\(e) caf\(e)")
        #expect(texts(LineLayout.rows(for: words, toggles: plainToggles, theme: theme, width: 6))
                == ["caf\(e)", "caf\(e)", "caf\(e)"])
        // A word longer than the row breaks between clusters, never between e and its accent.
        let long = CaptionLineView(id: 2, start: 0, text: "caf\(e)caf\(e)caf\(e)")
        let rows = LineLayout.rows(for: long, toggles: plainToggles, theme: theme, width: 5)
        #expect(texts(rows) == ["caf\(e)c", "af\(e)ca", "f\(e)"])
        for row in rows { #expect(row.spans.first?.text.unicodeScalars.first?.value != 0x0301) }
    }

    @Test func offsetsCountGraphemesAndSpaces() {
        let line = CaptionLineView(id: 1, start: 0, text: "aaaa bbbb cccc dddd")
        let rows = LineLayout.rows(for: line, toggles: plainToggles, theme: theme, width: 11)
        #expect(texts(rows) == ["aaaa bbbb", "cccc dddd"])
        #expect(rows.map(\.startOffset) == [0, 10])
    }

    @Test func prefixesAreStyledAndDoNotCountInOffsets() {
        let line = CaptionLineView(id: 1, start: 3723, speaker: 1, text: "hello")
        let toggles = DisplayToggles(timestamps: true, speakerLabels: true)
        let rows = LineLayout.rows(for: line, toggles: toggles, theme: theme, width: 40)
        #expect(texts(rows) == ["[01:02:03] Speaker 2: hello"])
        #expect(rows[0].spans[0] == StyledSpan("[01:02:03]", theme.timestamp))
        #expect(rows[0].spans.contains(StyledSpan("Speaker 2:", theme.speaker(1))))
        #expect(rows[0].startOffset == 0)
    }

    @Test func lowConfidenceWordsAreDimmedOnlyWhenEnabled() {
        let line = CaptionLineView(id: 1, start: 0, words: [CaptionWord("sure", confidence: 0.9), CaptionWord("maybe", confidence: 0.3)])
        var toggles = DisplayToggles(speakerLabels: false, confidenceDimming: true, lowConfidenceThreshold: 0.5)
        let dimmed = LineLayout.rows(for: line, toggles: toggles, theme: theme, width: 40)
        #expect(dimmed[0].spans.last == StyledSpan("maybe", theme.lowConfidence))
        toggles.confidenceDimming = false
        let plain = LineLayout.rows(for: line, toggles: toggles, theme: theme, width: 40)
        #expect(plain[0].spans == [StyledSpan("sure maybe", theme.caption)])
    }
}
