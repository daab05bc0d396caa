import LocalSpeech
import Testing

/// Spoken numbers in digits, as Deepgram's `numerals` and `smart_format` write them (its real
/// answer to "testing one two three" is "Testing. 123." with the word "123").
struct SpokenNumbersTests {
    /// `text`'s words, each 0.5 s long from 0, formatted; the punctuated words joined.
    static func formatted(_ text: String) -> String {
        let words = text.split(separator: " ").enumerated().map { k, w in
            TimedWord(word: TextNormalizer.bare(w), punctuated: String(w),
                      start: Double(k) * 0.5, end: Double(k) * 0.5 + 0.4, confidence: 0.9)
        }
        return SpokenNumbers.format(words).map(\.punctuated).joined(separator: " ")
    }

    @Test(arguments: [
        ("Testing one two three, testing one two three.", "Testing 123, testing 123."),
        ("We have twenty five people.", "We have 25 people."),
        ("one hundred and three", "103"),
        ("two thousand twenty four", "2024"),
        ("In nineteen ninety nine we met.", "In 1999 we met."),
        ("three point five liters", "3.5 liters"),
        ("fifty percent of them", "50% of them"),
        ("It costs twenty five dollars and thirty cents.", "It costs $25.30."),
        ("one of them came two days later", "one of them came two days later"),
        ("twelve", "12"),
        ("five million three hundred thousand", "5300000"),
        ("Call me at five five five one two three four.", "Call me at 5551234."),
        ("a hundred things", "a hundred things"),
        ("no numbers here", "no numbers here"),
    ])
    func numbersAreWrittenInDigits(_ spoken: String, _ written: String) {
        #expect(Self.formatted(spoken) == written)
    }

    @Test func aNumberSpansTheWordsItReplaces() {
        let words = ["we", "have", "twenty", "five", "people"].enumerated().map { k, w in
            TimedWord(word: w, punctuated: w, start: Double(k), end: Double(k) + 0.5, confidence: k == 2 ? 0.8 : 0.6)
        }
        let out = SpokenNumbers.format(words)
        #expect(out.map(\.word) == ["we", "have", "25", "people"])
        #expect(out[2].start == 2 && out[2].end == 3.5)
        #expect(abs(out[2].confidence - 0.7) < 1e-9)
    }
}

/// Without `numerals` or `smart_format`, numbers are words, as Deepgram writes them: Moonshine's
/// own digits ("call me at 555 1234") reached clients that asked for neither.
struct SpelledOutNumbersTests {
    static func spelled(_ text: String) -> [TimedWord] {
        let words = text.split(separator: " ").enumerated().map { k, w in
            TimedWord(word: TextNormalizer.bare(w), punctuated: String(w),
                      start: Double(k), end: Double(k) + 0.8, confidence: 0.9)
        }
        return SpokenNumbers.spelledOut(words)
    }

    @Test(arguments: [
        ("Please call me at 555 1234.", "Please call me at five hundred fifty five twelve thirty four."),
        ("2500 people", "Two thousand five hundred people"),
        ("at 5551234", "at five five five one two three four"),
        ("In 1999 we met", "In nineteen ninety nine we met"),
        ("In 1905 and 2024", "In nineteen oh five and two thousand twenty four"),
        ("room 007, floor 12", "room zero zero seven, floor twelve"),
        ("it costs $5 or 3.5 or 50%", "it costs five dollars or three point five or fifty percent"),
        ("rates rose 3.5%.", "rates rose three point five percent."),
        ("it was $42.17, not $1.50 or $0.99", "it was forty two dollars seventeen cents, not one dollar fifty cents or ninety nine cents"),
        ("£20 and €1", "Twenty pounds and one euro"),
        ("about 1,250,000 people", "about one million two hundred fifty thousand people"),
        ("the 21st and the 3rd and the 100th", "the twenty first and the third and the one hundredth"),
        ("back in the 1990s and '80s", "back in the nineteen nineties and eighties"),
        ("meet at 3:30 or 10:05 or 12:00.", "meet at three thirty or ten oh five or twelve."),
        ("open 24/7 (mp3 or 4k)", "open twenty four seven (mp three or four k)"),
        ("0.5 of it", "Zero point five of it"),
        ("Done. 50% left", "Done. Fifty percent left"),
        ("no numbers here", "no numbers here"),
        ("0 and 100 and 1000", "Zero and one hundred and one thousand"),
    ])
    func digitsBecomeWords(_ input: String, _ expected: String) {
        #expect(Self.spelled(input).map(\.punctuated).joined(separator: " ") == expected)
    }

    /// The words of a number share its time span, in order, and are each a word of their own.
    @Test func theWordsOfANumberShareItsTime() {
        let out = Self.spelled("at 42.")
        #expect(out.map(\.word) == ["at", "forty", "two"] && out.map(\.punctuated) == ["at", "forty", "two."])
        #expect(out[1].start == 1 && abs(out[1].end - 1.4) < 1e-9 && abs(out[2].start - 1.4) < 1e-9 && out[2].end == 1.8)
    }

    /// The `word` of a written number keeps its marks (it read "35" for "3.5%"): with
    /// `smart_format` it is sent as it is, without it is spelled from them.
    @Test(arguments: [
        ("3.5%.", "3.5%"), ("$42.17,", "$42.17"), ("(3:30)", "3:30"), ("1,250", "1,250"), ("'80s", "80s"),
        ("24/7", "24/7"), ("Hello,", "hello"), ("don't", "don't"), ("'quoted'", "quoted"),
    ])
    func aWrittenNumberKeepsItsMarks(_ token: String, _ bare: String) {
        #expect(TextNormalizer.bare(token[...]) == bare)
    }
}
