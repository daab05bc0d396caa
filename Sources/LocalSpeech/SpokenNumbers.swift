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
    /// or `smart_format`. Moonshine writes digits on its own ("call me at 555 1234"), which a
    /// client that asked for neither got anyway. Up to four digits are read as a number ("1234"
    /// → one thousand two hundred thirty four; a year from 1100 to 1999 as "nineteen ninety
    /// nine"), longer runs and ones with a leading zero digit by digit. Words with anything but
    /// digits and trailing punctuation ("$5", "3.5", "50%") are left as they are.
    public static func spelledOut(_ words: [TimedWord]) -> [TimedWord] {
        guard words.contains(where: { isDigits($0.word) }) else { return words }
        var out: [TimedWord] = []
        for w in words {
            guard isDigits(w.word), w.punctuated.hasPrefix(w.word) else { out.append(w); continue }
            let trailing = String(w.punctuated.dropFirst(w.word.count))
            guard trailing.allSatisfy({ ".,?!;:\"')]…".contains($0) }) else { out.append(w); continue }
            let spoken = say(w.word)
            let step = (w.end - w.start) / Double(spoken.count)
            for (k, text) in spoken.enumerated() {
                let start = w.start + Double(k) * step
                out.append(TimedWord(word: text, punctuated: text + (k == spoken.count - 1 ? trailing : ""),
                                     start: start, end: k == spoken.count - 1 ? w.end : start + step, confidence: w.confidence))
            }
        }
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
