/// Numbers the recognisers write as words, written as Deepgram's `numerals` / `smart_format`
/// write them: "twenty five" → 25, "one two three" → 123, "nineteen ninety nine" → 1999,
/// "three point five" → 3.5, "fifty percent" → 50%, "twenty five dollars and thirty cents" →
/// $25.30. A lone number below ten stays a word ("one of them"), as style guides and Deepgram
/// keep it; everything else becomes digits. English only, like the offline engine.
///
/// Works on timed words: the words of a number become one word spanning them, with the last
/// word's trailing punctuation ("three," → "123,").
public enum SpokenNumbers {
    static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    ]
    static let teens: [String: Int] = [
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
        "seventeen": 17, "eighteen": 18, "nineteen": 19,
    ]
    static let tens: [String: Int] = [
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]
    static let scales: [String: Int] = ["thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000]

    static func isNumberWord(_ w: String) -> Bool {
        units[w] != nil || teens[w] != nil || tens[w] != nil || scales[w] != nil || w == "hundred"
    }

    /// A number read from `words[i...]`: its digits and how many words it took; nil when none
    /// starts there.
    static func number(_ words: [String], at i: Int) -> (text: String, count: Int)? {
        guard i < words.count, isNumberWord(words[i]), scales[words[i]] == nil, words[i] != "hundred" else { return nil }
        // Single digits in a row (a phone number, "one two three"): the digits side by side.
        var k = i
        while k < words.count, units[words[k]] != nil { k += 1 }
        if k - i >= 2, k == words.count || !isNumberWord(words[k]) {
            return (words[i..<k].map { String(units[$0]!) }.joined(), k - i)
        }
        // A year or a pair of two-digit groups: "nineteen ninety nine", "twenty twenty four".
        if let (first, n1) = twoDigits(words, at: i), first >= 10, let (second, n2) = twoDigits(words, at: i + n1), second >= 10,
           i + n1 + n2 == words.count || !isNumberWord(words[i + n1 + n2]) {
            return (String(first * 100 + second), n1 + n2)
        }
        // A cardinal: a group below a thousand (units, teens, tens, a hundred), then scales in
        // decreasing order, "and" after a hundred or a scale ("one hundred and three").
        var total = 0, current = 0, j = i, used = 0
        var unit = false, teen = false, ten = false, hundred = false
        var lastScale = Int.max
        while j < words.count {
            let w = words[j]
            if let u = units[w], !unit, !teen {
                current += u; unit = true
            } else if let t = teens[w], !unit, !teen, !ten {
                current += t; teen = true
            } else if let t = tens[w], !unit, !teen, !ten {
                current += t; ten = true
            } else if w == "hundred", !hundred, (1...99).contains(current), !ten || unit || teen {
                current *= 100; hundred = true; unit = false; teen = false; ten = false
            } else if let sc = scales[w], current > 0, sc < lastScale {
                total += current * sc; current = 0; lastScale = sc
                unit = false; teen = false; ten = false; hundred = false
            } else if w == "and", hundred || lastScale != .max, !unit, !teen, !ten, j + 1 < words.count,
                      units[words[j + 1]] != nil || teens[words[j + 1]] != nil || tens[words[j + 1]] != nil {
                j += 1
                continue
            } else {
                break
            }
            j += 1
            used = j - i
        }
        guard used > 0 else { return nil }
        return (String(total + current), used)
    }

    /// A group of 10–99 at `i`: "ninety nine", "twenty", "nineteen".
    private static func twoDigits(_ words: [String], at i: Int) -> (Int, Int)? {
        guard i < words.count else { return nil }
        if let t = teens[words[i]] { return (t, 1) }
        if let t = tens[words[i]] {
            if i + 1 < words.count, let u = units[words[i + 1]], u > 0 { return (t + u, 2) }
            return (t, 1)
        }
        return nil
    }

    /// `words` with spoken numbers written in digits.
    public static func format(_ words: [TimedWord]) -> [TimedWord] {
        let bare = words.map { $0.word.lowercased() }
        guard bare.contains(where: isNumberWord) else { return words }
        var out: [TimedWord] = []
        var i = 0
        while i < words.count {
            guard let (digits, n) = number(bare, at: i) else { out.append(words[i]); i += 1; continue }
            var text = digits
            var used = n
            // A decimal part: "point" and single digits.
            if i + used + 1 < words.count, bare[i + used] == "point", units[bare[i + used + 1]] != nil {
                var k = i + used + 1
                var frac = ""
                while k < words.count, let d = units[bare[k]] { frac += String(d); k += 1 }
                text += "." + frac
                used = k - i
            }
            // Units of measure that are written as symbols.
            let plainSmallNumber = used == 1 && digits.count == 1 && !text.contains(".")
            if i + used < words.count {
                switch bare[i + used] {
                case "percent":
                    text += "%"; used += 1
                case "dollars", "dollar":
                    text = "$" + text; used += 1
                    // "and thirty cents"
                    if i + used + 2 < words.count, bare[i + used] == "and", let (c, cn) = number(bare, at: i + used + 1),
                       let cents = Int(c), cents < 100, i + used + 1 + cn < words.count, ["cents", "cent"].contains(bare[i + used + 1 + cn]) {
                        text += "." + (cents < 10 ? "0" : "") + String(cents)
                        used += 2 + cn
                    }
                default: break
                }
            }
            // A lone small number stays a word ("one of them", "two days"); not "5%" or "$3".
            if plainSmallNumber && text == digits { out.append(words[i]); i += 1; continue }
            out.append(merged(words[i..<(i + used)], text: text))
            i += used
        }
        return out
    }

    /// Numbers written in digits, spelled out as words: what Deepgram sends without `numerals`
    /// or `smart_format`. Moonshine writes digits on its own ("call me at 555 1234", "3.5%",
    /// "$42.17", "the 21st", "the 1990s", "at 3:30"), which a client that asked for neither got
    /// anyway, and a `word` of "3.5%" read "35". Up to four digits are read as a number ("1234"
    /// → twelve thirty four, "2500" → two thousand five hundred), longer runs and ones with a
    /// leading zero digit by digit, numbers with thousands separators whole ("1,250,000").
    /// Anything else with digits in it ("mp3", "4k") is read run by run: "mp three".
    public static func spelledOut(_ words: [TimedWord]) -> [TimedWord] {
        guard words.contains(where: { $0.word.utf8.contains(where: { (48...57).contains($0) }) }) else { return words }
        var out: [TimedWord] = []
        for (index, w) in words.enumerated() {
            guard let spoken = spoken(w.word), !spoken.isEmpty else { out.append(w); continue }
            // The punctuation around the number ("(", "\"", ".", ",") stays with its first and last word.
            let shown = Array(w.punctuated), lower = shown.map { Character($0.lowercased()) }
            let leading: String, trailing: String
            if let r = lower.firstRange(of: Array(w.word)) {
                // Not the apostrophe of "'80s": it stood for the digits now spoken.
                leading = String(shown[..<r.lowerBound].reversed().drop { $0 == "'" || $0 == "’" }.reversed())
                trailing = String(shown[r.upperBound...])
            } else {
                leading = ""
                trailing = String(w.punctuated.reversed().prefix { !$0.isLetter && !$0.isNumber }.reversed())
            }
            // A number that starts a sentence starts it with a capital, as the words would (each
            // Moonshine answer starts one). Without punctuation the punctuated form is not sent.
            let startsSentence = index == 0 || words[index - 1].punctuated.last.map { ".?!".contains($0) } ?? false
            let step = (w.end - w.start) / Double(spoken.count)
            for (k, text) in spoken.enumerated() {
                let start = w.start + Double(k) * step
                var written = text
                if k == 0 && startsSentence, let c = written.first { written = c.uppercased() + written.dropFirst() }
                out.append(TimedWord(word: text, punctuated: (k == 0 ? leading : "") + written + (k == spoken.count - 1 ? trailing : ""),
                                     start: start, end: k == spoken.count - 1 ? w.end : start + step, confidence: w.confidence))
            }
        }
        return out
    }

    /// The spoken words of a written number (`TextNormalizer.bare` form: "$42.17", "3.5%",
    /// "1,250", "21st", "1990s", "3:30", "24/7"); nil when `word` has no digits.
    static func spoken(_ word: String) -> [String]? {
        guard word.utf8.contains(where: { (48...57).contains($0) }) else { return nil }
        let parts = word.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 1 {
            // "24/7", "9/11": each part as a number.
            let each = parts.map { spokenNumber(String($0)) }
            if each.allSatisfy({ $0 != nil }) { return each.flatMap { $0! } }
        }
        return spokenNumber(word) ?? runByRun(word)
    }

    /// A number with its currency, decimals, percent, ordinal or plural suffix, or a time.
    static func spokenNumber(_ word: String) -> [String]? {
        var s = Substring(word)
        var currency: (one: String, many: String, cent: String, cents: String)?
        switch s.first {
        case "$": currency = ("dollar", "dollars", "cent", "cents")
        case "£": currency = ("pound", "pounds", "penny", "pence")
        case "€": currency = ("euro", "euros", "cent", "cents")
        default: break
        }
        if currency != nil { s = s.dropFirst() }
        var suffix = ""
        for candidate in ["%", "st", "nd", "rd", "th", "s"] where s.hasSuffix(candidate) {
            suffix = candidate
            s = s.dropLast(candidate.count)
            break
        }
        // A time: "3:30", "10:05", "12:00".
        if currency == nil, suffix.isEmpty, let colon = s.firstIndex(of: ":") {
            let h = s[..<colon], m = s[s.index(after: colon)...]
            guard (1...2).contains(h.count), m.count == 2, isDigits(String(h)), isDigits(String(m)),
                  let hour = Int(h), let minute = Int(m), hour < 24, minute < 60 else { return nil }
            return cardinal(hour) + (minute == 0 ? [] : minute < 10 ? ["oh"] + cardinal(minute) : cardinal(minute))
        }
        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count) else { return nil }
        let integerPart = pieces[0], fraction = pieces.count == 2 ? String(pieces[1]) : nil
        if let fraction, !isDigits(fraction) { return nil }
        // Thousands separators: groups of three after the first.
        let groups = integerPart.split(separator: ",", omittingEmptySubsequences: false)
        guard let firstGroup = groups.first, (groups.count == 1 ? !firstGroup.isEmpty || fraction != nil : (1...3).contains(firstGroup.count)),
              groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        let digits = groups.joined()
        guard digits.isEmpty || isDigits(digits) else { return nil }
        var words: [String]
        if groups.count > 1 || fraction != nil || currency != nil || suffix != "" {
            guard digits.count <= 12 else { return nil }
            let n = Int(digits) ?? 0
            words = digits.isEmpty ? [] : (digits.count <= 4 && currency == nil && fraction == nil && suffix == "s") ? say(digits) : large(n)
        } else {
            words = say(digits)
        }
        if let currency {
            let n = Int(digits) ?? 0
            guard suffix.isEmpty else { return nil }
            let cents = fraction.flatMap { $0.count == 2 ? Int($0) : nil }
            if let fraction, cents == nil {
                // "$1.5": one point five dollars.
                return (words.isEmpty ? ["zero"] : words) + ["point"] + fraction.map { unitNames[Int(String($0))!] } + [currency.many]
            }
            if n == 0, let cents, cents > 0 { return large(cents) + [cents == 1 ? currency.cent : currency.cents] }
            if words.isEmpty { words = ["zero"] }
            words += [n == 1 ? currency.one : currency.many]
            if let cents, cents > 0 { words += large(cents) + [cents == 1 ? currency.cent : currency.cents] }
            return words
        }
        if let fraction { words += ["point"] + fraction.map { unitNames[Int(String($0))!] } }
        switch suffix {
        case "%": words.append("percent")
        case "st", "nd", "rd", "th":
            guard fraction == nil, let last = words.popLast() else { return nil }
            words.append(ordinal(last))
        case "s":
            guard fraction == nil, let last = words.popLast() else { return nil }
            words.append(last.hasSuffix("y") ? last.dropLast() + "ies" : last.hasSuffix("x") ? last + "es" : last + "s")
        default: break
        }
        return words
    }

    /// Letters and digits read run by run ("mp3" → mp three, "4k" → four k); other marks dropped.
    static func runByRun(_ word: String) -> [String] {
        var out: [String] = [], run = "", runIsDigits = false
        func flush() {
            guard !run.isEmpty else { return }
            out += runIsDigits ? say(run) : [run]
            run = ""
        }
        for ch in word {
            let digit = ch.isASCII && ch.isNumber
            guard digit || ch.isLetter || ch == "'" else { flush(); continue }
            if !run.isEmpty && digit != runIsDigits { flush() }
            runIsDigits = digit
            run.append(ch)
        }
        flush()
        return out
    }

    /// The ordinal of a number's last word: one → first, twenty → twentieth, hundred → hundredth.
    static func ordinal(_ word: String) -> String {
        let irregular = ["one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
                         "nine": "ninth", "twelve": "twelfth"]
        if let o = irregular[word] { return o }
        if word.hasSuffix("y") { return word.dropLast() + "ieth" }
        return word + "th"
    }

    /// 0 … 999,999,999,999 in words.
    static func large(_ n: Int) -> [String] {
        guard n >= 10_000 else { return cardinal(n) }
        var out: [String] = []
        var rest = n
        for (size, name) in [(1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand")] where rest >= size {
            out += cardinal(rest / size) + [name]
            rest %= size
        }
        if rest > 0 { out += cardinal(rest) }
        return out
    }

    static func isDigits(_ s: String) -> Bool { !s.isEmpty && s.utf8.allSatisfy { (48...57).contains($0) } }

    static let unitNames = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

    /// The words of a run of digits.
    static func say(_ digits: String) -> [String] {
        guard digits.count <= 4, digits.first != "0" || digits.count == 1, let n = Int(digits) else {
            return digits.map { unitNames[Int(String($0))!] }
        }
        if (1100...1999).contains(n), n % 100 != 0 { return cardinal(n / 100) + (n % 100 < 10 ? ["oh"] : []) + cardinal(n % 100) }
        return cardinal(n)
    }

    /// 0…9999 in words ("two hundred thirty four").
    static func cardinal(_ n: Int) -> [String] {
        let teenNames = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        let tenNames = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        if n < 10 { return [unitNames[n]] }
        if n < 20 { return [teenNames[n - 10]] }
        if n < 100 { return [tenNames[n / 10]] + (n % 10 == 0 ? [] : [unitNames[n % 10]]) }
        if n < 1000 { return [unitNames[n / 100], "hundred"] + (n % 100 == 0 ? [] : cardinal(n % 100)) }
        return cardinal(n / 1000) + ["thousand"] + (n % 1000 == 0 ? [] : cardinal(n % 1000))
    }

    /// One word for `run`, written `text`, with the last word's trailing punctuation.
    private static func merged(_ run: ArraySlice<TimedWord>, text: String) -> TimedWord {
        let first = run.first!, last = run.last!
        let trailing = String(last.punctuated.reversed().prefix { !$0.isLetter && !$0.isNumber }.reversed())
        let leading = String(first.punctuated.prefix { !$0.isLetter && !$0.isNumber && $0 != "$" })
        let confidence = run.map(\.confidence).reduce(0, +) / Double(run.count)
        return TimedWord(word: text, punctuated: leading + text + trailing, start: first.start, end: last.end, confidence: confidence)
    }
}
