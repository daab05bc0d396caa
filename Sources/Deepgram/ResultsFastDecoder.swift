/// A hand-written reader for the common shape of a `Results` frame, the message a live stream
/// carries several times a second. It reads the bytes once, without `Codable`'s containers, and
/// answers `nil` — "ask `JSONDecoder`" — for anything it is not sure of: another message type,
/// a wrong JSON type, a number out of `MessageBounds`, an escaped key, a duplicate key, a
/// surrogate escape, invalid UTF-8 or invalid JSON.
///
/// Its one promise: when it answers, `JSONDecoder` would have decoded the same `Results`.
/// The fuzz target `deepgram` checks that on every input, and the unit tests on every capture.
enum ResultsFastDecoder {
    /// Nesting deeper than this inside an ignored field is left to `JSONDecoder`.
    static let maxSkipDepth = 64

    static func decode(_ bytes: UnsafeRawBufferPointer) -> Results? {
        var r = Reader(bytes.bindMemory(to: UInt8.self))
        return try? r.message()
    }

    /// `nil` when `text` is not stored contiguously (bridged strings; never on Linux).
    static func decode(_ text: String) -> Results? {
        text.utf8.withContiguousStorageIfAvailable { decode(UnsafeRawBufferPointer($0)) } ?? nil
    }

    /// Not a case for the fast path; the reason does not matter (the slow path says it).
    struct Unsure: Error {}

    struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        /// The raw bytes of the key just read (no escapes, checked).
        var key: UnsafeBufferPointer<UInt8>.SubSequence

        init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b; key = b[0..<0] }

        // MARK: The message

        mutating func message() throws(Unsure) -> Results {
            var r = Results(start: 0, duration: 0, isFinal: false, channel: Channel(alternatives: []))
            var isResults = false
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("type"):
                    try rd.once(0, &seen)
                    isResults = try rd.string() == "Results"
                case rd.keyIs("channel_index"):
                    try rd.once(1, &seen)
                    if !rd.null() { r.channelIndex = try rd.channelIndex() }
                case rd.keyIs("start"): try rd.once(2, &seen); r.start = try rd.seconds() ?? 0
                case rd.keyIs("duration"): try rd.once(3, &seen); r.duration = try rd.seconds() ?? 0
                case rd.keyIs("is_final"): try rd.once(4, &seen); r.isFinal = try rd.bool() ?? false
                case rd.keyIs("speech_final"): try rd.once(5, &seen); r.speechFinal = try rd.bool() ?? false
                case rd.keyIs("from_finalize"): try rd.once(6, &seen); r.fromFinalize = try rd.bool() ?? false
                case rd.keyIs("channel"):
                    try rd.once(7, &seen)
                    if rd.null() { throw Unsure() }   // the slow path words the error
                    r.channel = try rd.channel()
                case rd.keyIs("metadata"):
                    try rd.once(8, &seen)
                    if !rd.null() { r.metadata = try rd.metadata() }
                case rd.keyIs("entities"):
                    try rd.once(9, &seen)
                    if !rd.null() { r.entities = try rd.entities() }
                default: try rd.skipValue(depth: 0)
                }
            }
            skipSpace()
            guard isResults, i == b.count, seen & (1 << 7) != 0 else { throw Unsure() }
            return r
        }

        mutating func channelIndex() throws(Unsure) -> [Int] {
            var v: [Int] = []
            try array { (rd: inout Reader) throws(Unsure) in v.append(try rd.index()) }
            guard v.count <= MessageBounds.maxChannelEntries else { throw Unsure() }
            return v
        }

        mutating func channel() throws(Unsure) -> Channel {
            var c = Channel(alternatives: [])
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                if rd.keyIs("alternatives") {
                    try rd.once(0, &seen)
                    if !rd.null() {
                        try rd.array { (rd: inout Reader) throws(Unsure) in c.alternatives.append(try rd.alternative()) }
                    }
                } else if rd.keyIs("search") {
                    try rd.once(1, &seen)
                    if !rd.null() {
                        var all: [SearchHits] = []
                        try rd.array { (rd: inout Reader) throws(Unsure) in all.append(try rd.searchHits()) }
                        c.search = all
                    }
                } else {
                    try rd.skipValue(depth: 0)
                }
            }
            return c
        }

        mutating func alternative() throws(Unsure) -> Alternative {
            var a = Alternative(transcript: "", confidence: 0, words: [])
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("transcript"): try rd.once(0, &seen); a.transcript = try rd.string() ?? ""
                case rd.keyIs("confidence"): try rd.once(1, &seen); a.confidence = try rd.number() ?? 0
                case rd.keyIs("words"):
                    try rd.once(2, &seen)
                    if !rd.null() {
                        try rd.array { (rd: inout Reader) throws(Unsure) in a.words.append(try rd.word()) }
                    }
                case rd.keyIs("languages"):
                    try rd.once(3, &seen)
                    if !rd.null() { a.languages = try rd.strings() }
                case rd.keyIs("languages_hinted"):
                    try rd.once(5, &seen)
                    if !rd.null() { a.languagesHinted = try rd.strings() }
                case rd.keyIs("entities"):
                    try rd.once(4, &seen)
                    if !rd.null() { a.entities = try rd.entities() }
                default: try rd.skipValue(depth: 0)
                }
            }
            return a
        }

        /// An array of strings (anything else: unsure).
        mutating func strings() throws(Unsure) -> [String] {
            var out: [String] = []
            try array { (rd: inout Reader) throws(Unsure) in
                guard let s = try rd.string() else { throw Unsure() }
                out.append(s)
            }
            return out
        }

        mutating func word() throws(Unsure) -> Word {
            var w = Word(word: "", start: 0, end: 0, confidence: 0)
            var end: Double?
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("word"): try rd.once(0, &seen); w.word = try rd.string() ?? ""
                case rd.keyIs("start"): try rd.once(1, &seen); w.start = try rd.seconds() ?? 0
                case rd.keyIs("end"): try rd.once(2, &seen); end = try rd.seconds()
                case rd.keyIs("confidence"): try rd.once(3, &seen); w.confidence = try rd.number() ?? 0
                case rd.keyIs("punctuated_word"): try rd.once(4, &seen); w.punctuatedWord = try rd.string()
                case rd.keyIs("speaker"):
                    try rd.once(5, &seen)
                    w.speaker = rd.null() ? nil : try rd.index()
                case rd.keyIs("speaker_confidence"): try rd.once(6, &seen); w.speakerConfidence = try rd.number()
                case rd.keyIs("language"): try rd.once(7, &seen); w.language = try rd.string()
                default: try rd.skipValue(depth: 0)
                }
            }
            w.end = end ?? w.start
            return w
        }

        mutating func entities() throws(Unsure) -> [Entity] {
            var all: [Entity] = []
            try array { (rd: inout Reader) throws(Unsure) in all.append(try rd.entity()) }
            return all
        }

        mutating func entity() throws(Unsure) -> Entity {
            var e = Entity(label: "", value: "")
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("label"): try rd.once(0, &seen); e.label = try rd.string() ?? ""
                case rd.keyIs("value"): try rd.once(1, &seen); e.value = try rd.string() ?? ""
                case rd.keyIs("confidence"): try rd.once(2, &seen); e.confidence = try rd.number()
                case rd.keyIs("start_word"): try rd.once(3, &seen); e.startWord = rd.null() ? nil : try rd.index()
                case rd.keyIs("end_word"): try rd.once(4, &seen); e.endWord = rd.null() ? nil : try rd.index()
                case rd.keyIs("raw_value"): try rd.once(5, &seen); e.rawValue = try rd.string()
                default: try rd.skipValue(depth: 0)
                }
            }
            return e
        }

        mutating func searchHits() throws(Unsure) -> SearchHits {
            var query = ""
            var hits: [SearchHits.Hit] = []
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                if rd.keyIs("query") {
                    try rd.once(0, &seen)
                    query = try rd.string() ?? ""
                } else if rd.keyIs("hits") {
                    try rd.once(1, &seen)
                    if !rd.null() {
                        try rd.array { (rd: inout Reader) throws(Unsure) in hits.append(try rd.hit()) }
                    }
                } else {
                    try rd.skipValue(depth: 0)
                }
            }
            return SearchHits(query: query, hits: hits)
        }

        mutating func hit() throws(Unsure) -> SearchHits.Hit {
            var h = SearchHits.Hit()
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("confidence"): try rd.once(0, &seen); h.confidence = try rd.number()
                case rd.keyIs("start"): try rd.once(1, &seen); h.start = try rd.number()
                case rd.keyIs("end"): try rd.once(2, &seen); h.end = try rd.number()
                case rd.keyIs("snippet"): try rd.once(3, &seen); h.snippet = try rd.string()
                default: try rd.skipValue(depth: 0)
                }
            }
            return h
        }

        mutating func metadata() throws(Unsure) -> ResultsMetadata {
            var m = ResultsMetadata()
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("request_id"): try rd.once(0, &seen); m.requestID = try rd.string()
                case rd.keyIs("model_uuid"): try rd.once(1, &seen); m.modelUUID = try rd.string()
                case rd.keyIs("model_info"):
                    try rd.once(2, &seen)
                    if !rd.null() { m.modelInfo = try rd.modelInfo() }
                case rd.keyIs("diarize_info"):
                    try rd.once(3, &seen)
                    if !rd.null() { m.diarizeInfo = try rd.diarizeInfo() }
                // Rare (only when asked for), and its values may be any scalar: left to the
                // full decoder.
                case rd.keyIs("extra"): throw Unsure()
                default: try rd.skipValue(depth: 0)
                }
            }
            return m
        }

        mutating func diarizeInfo() throws(Unsure) -> DiarizeInfo {
            var info = DiarizeInfo(modelUUID: "", arch: "")
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("model_uuid"): try rd.once(0, &seen); info.modelUUID = try rd.string() ?? ""
                case rd.keyIs("arch"): try rd.once(1, &seen); info.arch = try rd.string() ?? ""
                default: try rd.skipValue(depth: 0)
                }
            }
            return info
        }

        mutating func modelInfo() throws(Unsure) -> ModelInfo {
            var info = ModelInfo(name: "", version: "", arch: "")
            var seen: UInt16 = 0
            try object { (rd: inout Reader) throws(Unsure) in
                switch true {
                case rd.keyIs("name"): try rd.once(0, &seen); info.name = try rd.string() ?? ""
                case rd.keyIs("version"): try rd.once(1, &seen); info.version = try rd.string() ?? ""
                case rd.keyIs("arch"): try rd.once(2, &seen); info.arch = try rd.string() ?? ""
                default: try rd.skipValue(depth: 0)
                }
            }
            return info
        }

        // MARK: Values with bounds (as `MessageBounds`)

        /// A time: finite and within ±`MessageBounds.maxSeconds`; `nil` for null.
        mutating func seconds() throws(Unsure) -> Double? {
            guard let v = try number() else { return nil }
            guard abs(v) <= MessageBounds.maxSeconds else { throw Unsure() }
            return v
        }

        /// A channel, speaker or word index: a plain non-negative integer up to `maxIndex`.
        mutating func index() throws(Unsure) -> Int {
            skipSpace()
            var v = 0
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                v = v * 10 + Int(b[i] - 0x30)
                i += 1
                guard v <= MessageBounds.maxIndex else { throw Unsure() }
            }
            // "-1", "1.0", "1e0" and "01" are all left to the slow path.
            guard i > start, !(b[start] == 0x30 && i - start > 1) else { throw Unsure() }
            if i < b.count, b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 { throw Unsure() }
            return v
        }

        // MARK: JSON

        /// `{ "key": value, … }`; `body` reads each value, with `key` set.
        mutating func object(_ body: (inout Reader) throws(Unsure) -> Void) throws(Unsure) {
            try delimited(0x7B, 0x7D) { (rd: inout Reader) throws(Unsure) in
                try rd.rawKey()
                try rd.expect(0x3A)
                try body(&rd)
            }
        }

        mutating func array(_ element: (inout Reader) throws(Unsure) -> Void) throws(Unsure) {
            try delimited(0x5B, 0x5D, element)
        }

        /// `open item, item, … close`, possibly empty.
        mutating func delimited(_ open: UInt8, _ close: UInt8,
                                _ item: (inout Reader) throws(Unsure) -> Void) throws(Unsure) {
            try expect(open)
            skipSpace()
            if peek() == close { i += 1; return }
            while true {
                try item(&self)
                skipSpace()
                guard i < b.count else { throw Unsure() }
                if b[i] == 0x2C { i += 1; continue }
                if b[i] == close { i += 1; return }
                throw Unsure()
            }
        }

        /// Each known key once per object: which one a decoder keeps for a repeat is its business.
        func once(_ bit: Int, _ seen: inout UInt16) throws(Unsure) {
            guard seen & (1 << bit) == 0 else { throw Unsure() }
            seen |= 1 << bit
        }

        func keyIs(_ s: StaticString) -> Bool {
            guard key.count == s.utf8CodeUnitCount else { return false }
            let p = s.utf8Start
            var k = 0
            for byte in key {
                if byte != p[k] { return false }
                k += 1
            }
            return true
        }

        /// A key without escapes or non-ASCII bytes (anything else: the slow path).
        mutating func rawKey() throws(Unsure) {
            skipSpace()
            try expect(0x22)
            let start = i
            while i < b.count, b[i] != 0x22 {
                guard b[i] >= 0x20, b[i] < 0x80, b[i] != 0x5C else { throw Unsure() }
                i += 1
            }
            guard i < b.count else { throw Unsure() }
            key = b[start..<i]
            i += 1
        }

        /// True (and consumed) when the next value is `null`.
        mutating func null() -> Bool { literal("null") }

        mutating func bool() throws(Unsure) -> Bool? {
            if literal("true") { return true }
            if literal("false") { return false }
            if literal("null") { return nil }
            throw Unsure()
        }

        mutating func literal(_ word: StaticString) -> Bool {
            skipSpace()
            let n = word.utf8CodeUnitCount
            guard b.count - i >= n else { return false }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { return false }
            // A literal must end where a value ends ("nullx" is not null).
            if i + n < b.count, !Self.endsValue(b[i + n]) { return false }
            i += n
            return true
        }

        static func endsValue(_ c: UInt8) -> Bool {
            c == 0x2C || c == 0x7D || c == 0x5D || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
        }

        /// A string value, or `nil` for null.
        mutating func string() throws(Unsure) -> String? {
            if null() { return nil }
            try expect(0x22)
            let start = i
            var ascii = true
            while i < b.count {
                let c = b[i]
                if c == 0x22 {
                    let raw = UnsafeBufferPointer(rebasing: b[start..<i])
                    i += 1
                    if ascii { return String(decoding: raw, as: UTF8.self) }
                    guard let s = String(validating: raw, as: UTF8.self) else { throw Unsure() }
                    return s
                }
                if c == 0x5C { i = start; return try escapedString() }
                guard c >= 0x20 else { throw Unsure() }
                if c >= 0x80 { ascii = false }
                i += 1
            }
            throw Unsure()
        }

        /// The rest of a string with escapes, from its first byte.
        mutating func escapedString() throws(Unsure) -> String {
            var out: [UInt8] = []
            while i < b.count {
                let c = b[i]
                i += 1
                switch c {
                case 0x22:
                    guard let s = String(validating: out, as: UTF8.self) else { throw Unsure() }
                    return s
                case 0x5C:
                    guard i < b.count else { throw Unsure() }
                    let e = b[i]
                    i += 1
                    switch e {
                    case 0x22, 0x5C, 0x2F: out.append(e)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    case 0x75:
                        let u = try hex4()
                        // Surrogates (pairs or lone) are left to the slow path.
                        guard !(0xD800...0xDFFF).contains(u), let scalar = Unicode.Scalar(u) else { throw Unsure() }
                        out.append(contentsOf: UTF8.encode(scalar)!)
                    default: throw Unsure()
                    }
                default:
                    guard c >= 0x20 else { throw Unsure() }
                    out.append(c)
                }
            }
            throw Unsure()
        }

        mutating func hex4() throws(Unsure) -> UInt32 {
            guard b.count - i >= 4 else { throw Unsure() }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: throw Unsure()
                }
                v = v << 4 | UInt32(d)
                i += 1
            }
            return v
        }

        /// A finite number (JSON grammar, checked), or `nil` for null.
        mutating func number() throws(Unsure) -> Double? {
            if null() { return nil }
            skipSpace()
            let start = i
            try numberText()
            // Short numbers (all real ones) are small strings: no allocation.
            guard i - start <= 40,
                  let v = Double(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)),
                  v.isFinite else { throw Unsure() }
            // Zero and subnormals: only a plain zero ("0", "-0.00") is read here. JSONDecoder
            // rejects some that underflow (1e-400, even 0e-400) and not others.
            if !v.isNormal, !Self.isPlainZero(b[start..<i]) { throw Unsure() }
            return v
        }

        /// Digits, sign and point only, every digit 0.
        static func isPlainZero(_ text: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
            text.allSatisfy { $0 == 0x30 || $0 == 0x2D || $0 == 0x2E }
        }

        /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
        mutating func numberText() throws(Unsure) {
            if peek() == 0x2D { i += 1 }
            if peek() == 0x30 {
                i += 1
            } else {
                guard digits() > 0 else { throw Unsure() }
            }
            if peek() == 0x2E {
                i += 1
                guard digits() > 0 else { throw Unsure() }
            }
            if peek() == 0x65 || peek() == 0x45 {
                i += 1
                if peek() == 0x2B || peek() == 0x2D { i += 1 }
                guard digits() > 0 else { throw Unsure() }
            }
            if i < b.count, !Self.endsValue(b[i]) { throw Unsure() }
        }

        mutating func digits() -> Int {
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            return i - start
        }

        /// Reads past any value, checking it is JSON (numbers by grammar only).
        mutating func skipValue(depth: Int) throws(Unsure) {
            guard depth < ResultsFastDecoder.maxSkipDepth else { throw Unsure() }
            skipSpace()
            switch peek() {
            case 0x7B: try object { (rd: inout Reader) throws(Unsure) in try rd.skipValue(depth: depth + 1) }
            case 0x5B: try array { (rd: inout Reader) throws(Unsure) in try rd.skipValue(depth: depth + 1) }
            case 0x22: _ = try string()
            case 0x74, 0x66: _ = try bool()
            case 0x6E: guard null() else { throw Unsure() }
            default: try numberText()
            }
        }

        mutating func expect(_ c: UInt8) throws(Unsure) {
            skipSpace()
            guard i < b.count, b[i] == c else { throw Unsure() }
            i += 1
        }

        func peek() -> UInt8? { i < b.count ? b[i] : nil }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }
    }
}
