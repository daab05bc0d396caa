import Testing
@testable import CaptionUI
import SystemSupport

@Suite("Display width (wcwidth-like, pure Swift)")
struct DisplayWidthTests {
    @Test func asciiIsOneColumnEach() {
        #expect(DisplayWidth.of("hello") == 5)
        #expect(DisplayWidth.of(Character(" ")) == 1)
    }

    @Test func eastAsianWideIsTwoColumns() {
        #expect(DisplayWidth.of("日本語のテキスト") == 16)
        #expect(DisplayWidth.of("한국어") == 6)
        #expect(DisplayWidth.of("ＡＢ") == 4)        // fullwidth Latin
        #expect(DisplayWidth.of("日本 and English") == 16)
    }

    @Test func combiningMarksAndZeroWidthAreZero() {
        let decomposed = "e\u{0301}"               // e + combining acute accent: one cluster
        #expect(decomposed.count == 1)
        #expect(DisplayWidth.of(decomposed) == 1)
        #expect(DisplayWidth.of("caf" + decomposed) == 4)
        #expect(DisplayWidth.of(Unicode.Scalar(0x0301)!) == 0)
        #expect(DisplayWidth.of(Unicode.Scalar(0x200B)!) == 0)  // zero-width space
        #expect(DisplayWidth.of(Unicode.Scalar(0x200D)!) == 0)  // zero-width joiner
        #expect(DisplayWidth.of(Unicode.Scalar(0xFE0F)!) == 0)  // variation selector
    }

    @Test func emojiClustersCountLikeNcursesPlacesThem() {
        #expect(DisplayWidth.of(Character("😀")) == 2)
        #expect(DisplayWidth.of(Character("🇯🇵")) == 2)     // flag: two regional indicators
        #expect(DisplayWidth.of(Character("👩‍👩‍👧")) == 6)  // ZWJ sequence: one cell per emoji
        var surface = Surface(width: 10, height: 1)
        #expect(surface.put("👩‍👩‍👧x", row: 0, col: 0, style: .plain) == 7)
        #expect(surface.rowText(0) == "👩👩👧x")   // drawn as separate emoji (next test)
        #expect([1, 3, 5].allSatisfy { surface[0, $0].isContinuation })
        #expect([0, 2, 4, 6].allSatisfy { !surface[0, $0].isContinuation })
    }

    /// tmux (and kitty, WezTerm) draw a ZWJ family or 🏳️‍🌈 in one 2-column cell while ncurses
    /// places them at wcwidth's 8 and 3 columns: the rest of the row landed elsewhere than
    /// ncurses believed, and a redraw (an overlay closing) left debris. Such sequences are sent
    /// as their separate emoji, which every terminal places at wcwidth's widths.
    @Test func emojiSequencesAreSentAsSeparateEmojiOfTheSameWidth() {
        let cases: [(String, String)] = [
            ("👨\u{200D}👩\u{200D}👧\u{200D}👦", "👨👩👧👦"),   // family (ZWJ)
            ("🏳\u{FE0F}\u{200D}🌈", "🏳🌈"),                  // rainbow flag (VS16 + ZWJ)
            ("❤\u{FE0F}", "❤"),                                // emoji presentation selector
            ("☺\u{FE0E}", "☺"),                                // text presentation selector
            ("👋🏽", "👋"),                                       // skin-tone modifier
            ("1\u{FE0F}\u{20E3}", "1\u{20E3}"),               // keycap
            (" \u{200D}", " "),                                // a stray joiner
        ]
        for (cluster, sent) in cases {
            let ch = Character(cluster)
            #expect(DisplayWidth.terminalForm(ch) == sent, "\(cluster.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(DisplayWidth.of(ch) == DisplayWidth.of(sent), "\(cluster) and what is sent take the same columns")
            var surface = Surface(width: 12, height: 1)
            let end = surface.put(String(ch) + "|", row: 0, col: 0, style: .plain)
            #expect(surface.rowText(0) == sent + "|")
            #expect(end == DisplayWidth.of(sent) + 1)
            let cells = (0..<12).filter { !surface[0, $0].isContinuation }.map { surface[0, $0] }
            #expect(cells.allSatisfy { !$0.character.unicodeScalars.contains { $0.value == 0x200D || $0.value == 0xFE0F || $0.value == 0xFE0E } })
        }
        // Scripts that use the joiner to pick a glyph keep it (Devanagari half form, Arabic).
        for kept in ["\u{0915}\u{094D}\u{200D}", "\u{0644}\u{200D}"] {
            for ch in kept { #expect(DisplayWidth.terminalForm(ch) == nil, "\(kept.unicodeScalars.map { String($0.value, radix: 16) })") }
        }
        #expect(DisplayWidth.terminalForm(Character("é")) == nil)
        #expect(DisplayWidth.terminalForm(Character("🇯🇵")) == nil)
    }

    @Test func hangulJamoSequenceTakesWidthOfLeadingConsonant() {
        let jamo = "\u{1100}\u{1161}\u{11A8}"          // ᄀ + ᅡ + ᆨ = one syllable block
        #expect(jamo.count == 1)
        #expect(DisplayWidth.of(jamo) == 2)
    }

    @Test func controlCharactersAreReplacedBeforeDrawing() {
        #expect(DisplayWidth.of(Character("\u{1B}")) == 0)
        #expect(DisplayWidth.sanitizedForTerminal("a\u{1B}[2Jb\tc\nd") == "a\u{FFFD}[2Jb c d")
        #expect(DisplayWidth.sanitizedForTerminal("plain") == "plain")
        // Every kind of line break parts words ("a\u{2028}b" was drawn "ab").
        #expect(DisplayWidth.sanitizedForTerminal("a\u{2028}b\u{2029}c\u{85}d") == "a b c d")
        // A bidi override from a server reversed how the rest of the caption read.
        #expect(DisplayWidth.sanitizedForTerminal("pay \u{202E}01$ to bob\u{2066}x\u{2069}") == "pay \u{FFFD}01$ to bob\u{FFFD}x\u{FFFD}")
        #expect(DisplayWidth.sanitizedForTerminal("שלום עולם") == "שלום עולם", "right-to-left text itself is kept")
    }

    @Test func truncationNeverSplitsAClusterOrAWideCharacter() {
        #expect(DisplayWidth.truncate("日本語のテキスト", toColumns: 6) == "日本…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("日本語のテキスト", toColumns: 6)) <= 6)
        #expect(DisplayWidth.truncate("cafe\u{0301} au lait", toColumns: 5) == "cafe\u{0301}…")
        #expect(DisplayWidth.truncate("short", toColumns: 10) == "short")
        #expect(DisplayWidth.truncateLeading("/home/ana/captty/file.jsonl", toColumns: 12) == "…/file.jsonl")
    }

    @Test func spotChecksAcrossScripts() {
        // Latin, kana, CJK, Hangul, combining marks (Latin, Hebrew, Thai), fullwidth/halfwidth forms,
        // emoji, dash, ideographic space, CJK Extension B.
        let cases: [(UInt32, Int)] = [(0x41, 1), (0xE9, 1), (0x3042, 2), (0x4E00, 2), (0xAC00, 2),
                                      (0x0300, 0), (0x05B0, 0), (0x0E31, 0), (0xFF21, 2), (0xFF61, 1),
                                      (0x1F600, 2), (0x2014, 1), (0x3000, 2), (0x20000, 2)]
        for (v, w) in cases {
            #expect(DisplayWidth.of(Unicode.Scalar(v)!) == w, "U+\(String(v, radix: 16, uppercase: true))")
        }
    }
}
