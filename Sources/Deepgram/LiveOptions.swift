import FoundationEssentials
import SystemSupport

/// The query options of Deepgram's live `/v1/listen` endpoint, typed.
///
/// Unset options are omitted from the URL. Open sets (models, languages, encodings, redaction
/// kinds) are `RawRepresentable` structs with well-known constants, so new server values work
/// without a library update. `additional` is the escape hatch for parameters this type does not
/// know yet; they are appended last, in order, and replace a typed option of the same name.
public struct LiveOptions: Sendable, Equatable, Codable {
    public var model: Model?
    public var language: Language?
    public var encoding: Encoding?
    public var sampleRate: Int?
    public var channels: Int?
    public var multichannel: Bool?
    public var interimResults: Bool?
    public var punctuate: Bool?
    public var smartFormat: Bool?
    public var numerals: Bool?
    public var profanityFilter: Bool?
    public var diarize: Bool?
    public var vadEvents: Bool?
    public var dictation: Bool?
    public var fillerWords: Bool?
    public var endpointing: Endpointing?
    public var utteranceEndMs: Int?
    public var redact: [Redact]
    public var keyterm: [String]
    public var keywords: [Keyword]
    public var search: [String]
    public var replace: [Replacement]
    public var tag: [String]
    public var extra: [KeyValue]
    public var version: String?
    public var callback: String?
    public var callbackMethod: CallbackMethod?
    public var mipOptOut: Bool?
    /// `detect_entities`: finals list the names, numbers, addresses… they contain
    /// (`Results.entities`).
    public var detectEntities: Bool?
    /// `diarize_model` (`v1`, `latest`): picks the diarization model and turns diarization on.
    public var diarizeModel: String?
    /// `language_hint` (repeatable): languages to expect, e.g. with `language=multi`.
    /// Nil or empty: not sent.
    public var languageHint: [String]?
    /// Parameters not modelled above, sent verbatim (percent-encoded) after the known ones.
    public var additional: [KeyValue]

    public init(
        model: Model? = nil, language: Language? = nil, encoding: Encoding? = nil,
        sampleRate: Int? = nil, channels: Int? = nil, multichannel: Bool? = nil,
        interimResults: Bool? = nil, punctuate: Bool? = nil, smartFormat: Bool? = nil,
        numerals: Bool? = nil, profanityFilter: Bool? = nil, diarize: Bool? = nil,
        vadEvents: Bool? = nil, dictation: Bool? = nil, fillerWords: Bool? = nil,
        endpointing: Endpointing? = nil, utteranceEndMs: Int? = nil,
        redact: [Redact] = [], keyterm: [String] = [], keywords: [Keyword] = [],
        search: [String] = [], replace: [Replacement] = [], tag: [String] = [],
        extra: [KeyValue] = [], version: String? = nil, callback: String? = nil,
        callbackMethod: CallbackMethod? = nil, mipOptOut: Bool? = nil,
        detectEntities: Bool? = nil, diarizeModel: String? = nil, languageHint: [String]? = nil,
        additional: [KeyValue] = []
    ) {
        self.model = model; self.language = language; self.encoding = encoding
        self.sampleRate = sampleRate; self.channels = channels; self.multichannel = multichannel
        self.interimResults = interimResults; self.punctuate = punctuate; self.smartFormat = smartFormat
        self.numerals = numerals; self.profanityFilter = profanityFilter; self.diarize = diarize
        self.vadEvents = vadEvents; self.dictation = dictation; self.fillerWords = fillerWords
        self.endpointing = endpointing; self.utteranceEndMs = utteranceEndMs
        self.redact = redact; self.keyterm = keyterm; self.keywords = keywords
        self.search = search; self.replace = replace; self.tag = tag; self.extra = extra
        self.version = version; self.callback = callback; self.callbackMethod = callbackMethod
        self.mipOptOut = mipOptOut; self.detectEntities = detectEntities; self.diarizeModel = diarizeModel
        self.languageHint = languageHint; self.additional = additional
    }

    /// captty's defaults for live captioning: nova-3, interim results, punctuation,
    /// smart formatting, utterance ends and VAD events.
    public static var captionDefaults: LiveOptions {
        LiveOptions(model: .nova3, language: .en, interimResults: true, punctuate: true,
                    smartFormat: true, vadEvents: true, utteranceEndMs: 1000)
    }

    /// The query items in wire order: one pair per value, repeated keys for repeatable options,
    /// booleans as `true`/`false`, unset options omitted.
    public var queryItems: [KeyValue] {
        var q: [KeyValue] = []
        func add(_ k: String, _ v: String?) { if let v { q.append(KeyValue(k, v)) } }
        func add(_ k: String, _ v: Bool?) { if let v { q.append(KeyValue(k, v ? "true" : "false")) } }
        func add(_ k: String, _ v: Int?) { if let v { q.append(KeyValue(k, String(v))) } }
        add("model", model?.rawValue)
        add("language", language?.rawValue)
        for l in languageHint ?? [] { add("language_hint", l) }
        add("encoding", encoding?.rawValue)
        add("sample_rate", sampleRate)
        add("channels", channels)
        add("multichannel", multichannel)
        add("interim_results", interimResults)
        add("punctuate", punctuate)
        add("smart_format", smartFormat)
        add("numerals", numerals)
        add("profanity_filter", profanityFilter)
        add("diarize", diarize)
        add("diarize_model", diarizeModel)
        add("vad_events", vadEvents)
        add("dictation", dictation)
        add("filler_words", fillerWords)
        add("detect_entities", detectEntities)
        add("endpointing", endpointing?.queryValue)
        add("utterance_end_ms", utteranceEndMs)
        for r in redact { add("redact", r.rawValue) }
        for k in keyterm { add("keyterm", k) }
        for k in keywords { add("keywords", k.queryValue) }
        for s in search { add("search", s) }
        for r in replace { add("replace", r.queryValue) }
        for t in tag { add("tag", t) }
        for e in extra { add("extra", "\(e.key):\(e.value)") }
        add("version", version)
        add("callback", callback)
        add("callback_method", callbackMethod?.rawValue)
        add("mip_opt_out", mipOptOut)
        // An additional parameter replaces the typed option of the same name (`--param
        // model=nova-2` sent model twice, the server picking one).
        let replaced = Set(additional.map(\.key))
        if !replaced.isEmpty { q.removeAll { replaced.contains($0.key) } }
        q.append(contentsOf: additional)
        return q
    }

    /// The percent-encoded query string, without the leading `?`.
    public var queryString: String {
        queryItems.map { "\(LiveOptions.percentEncode($0.key))=\(LiveOptions.percentEncode($0.value))" }
            .joined(separator: "&")
    }

    /// The full `/v1/listen` URL for a base such as `wss://api.deepgram.com` or a self-hosted
    /// `ws://host:8080`. `http`/`https` bases are mapped to `ws`/`wss`; a base that already ends
    /// in `/v1/listen` is used as is; any path prefix on the base is kept.
    public func url(base: String = LiveOptions.defaultBaseURL) throws(LiveOptionsError) -> URL {
        try validate()
        var b = base.trimmingWhitespace()
        guard let schemeEnd = b.firstRange(of: "://") else { throw .invalidBaseURL(base) }
        let scheme = b[..<schemeEnd.lowerBound].lowercased()
        let rest = String(b[schemeEnd.upperBound...])
        switch scheme {
        case "ws", "wss": b = scheme + "://" + rest
        case "http": b = "ws://" + rest
        case "https": b = "wss://" + rest
        default: throw .invalidBaseURL(base)
        }
        if b.contains("?") || b.contains("#") { throw .invalidBaseURL(base) }
        while b.hasSuffix("/") { b.removeLast() }
        let hostPart = b.dropFirst(b.hasPrefix("wss://") ? 6 : 5)
        if hostPart.isEmpty || hostPart.hasPrefix("/") { throw .invalidBaseURL(base) }
        if !b.hasSuffix("/v1/listen") { b += "/v1/listen" }
        let qs = queryString
        let s = qs.isEmpty ? b : b + "?" + qs
        guard let url = URL(string: s), url.host != nil else { throw .invalidBaseURL(base) }
        if let port = url.port, !(1 ... 65_535).contains(port) { throw .invalidPort(base, port) }
        return url
    }

    public static let defaultBaseURL = "wss://api.deepgram.com"

    /// Refuses values Deepgram cannot take, before any connection (`url(base:)` checks them):
    /// they went out as they were (`sample_rate=-1`, `keywords=x:nan`) and came back as a bare
    /// HTTP 400, or were taken to mean something else (`extra=a:b:c`). Values only the server
    /// can judge (a language or model it may not have) are left to it.
    public func validate() throws(LiveOptionsError) {
        if let r = sampleRate, r <= 0 {
            throw .invalidValue(option: "sample_rate", value: String(r), expected: "a positive number of samples per second (e.g. 16000)")
        }
        if let e = encoding, sampleRate == nil {
            throw .invalidValue(option: "encoding", value: e.rawValue,
                                expected: "a sample_rate with it (Deepgram requires one with every encoding; for audio in a container, such as WAV or Ogg, give neither)")
        }
        if let c = channels, c < 1 {
            throw .invalidValue(option: "channels", value: String(c), expected: "1 or more")
        }
        if case .milliseconds(let ms)? = endpointing, ms < 0 {
            throw .invalidValue(option: "endpointing", value: String(ms), expected: "a pause in milliseconds (0 or more), or false to turn it off")
        }
        if let ms = utteranceEndMs {
            if ms < 0 {
                throw .invalidValue(option: "utterance_end_ms", value: String(ms), expected: "a gap in milliseconds, 0 or more (Deepgram suggests 1000 or more)")
            }
            if interimResults != true {
                throw .invalidValue(option: "utterance_end_ms", value: String(ms), expected: "interim_results=true with it (Deepgram requires it)")
            }
        }
        for k in keywords {
            if let b = k.boost, !b.isFinite {
                throw .invalidValue(option: "keywords", value: k.word + ":" + String(b), expected: "a finite boost (e.g. 2 or -5)")
            }
        }
        if !keywords.isEmpty, let m = model?.rawValue, m.hasPrefix("nova-3") {
            throw .invalidValue(option: "keywords", value: keywords.map(\.queryValue).joined(separator: ", "),
                                expected: "a model other than \(m): \(m) takes keyterm instead of keywords")
        }
        for kv in extra where kv.key.trimmingWhitespace().isEmpty || kv.key.contains(":") {
            throw .invalidValue(option: "extra", value: kv.key + ":" + kv.value, expected: "a key that is not empty and has no ':' (the first ':' separates key and value)")
        }
    }

    /// RFC 3986 percent-encoding: everything but unreserved characters is escaped.
    public static func percentEncode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + NumberText.hex(byte, width: 2)
            }
        }
        return out
    }
}

/// A bad base URL or option value.
public enum LiveOptionsError: Error, Equatable, CustomStringConvertible {
    case invalidBaseURL(String)
    case invalidPort(String, Int)
    case invalidValue(option: String, value: String, expected: String)

    public var description: String {
        switch self {
        case .invalidBaseURL(let b):
            return "invalid Deepgram base URL '\(Self.shown(b))': use ws://HOST[:PORT], wss://HOST[:PORT] (or http/https), without a query string"
        case .invalidPort(let b, let p):
            return "invalid Deepgram base URL '\(Self.shown(b))': port \(p) is out of range (1 to 65535)"
        case .invalidValue(let o, let v, let e):
            return "invalid value '\(v)' for \(o): expected \(e)"
        }
    }

    /// A base URL as said in a message: without a user and password, query or fragment, where
    /// keys and tokens go (`?token=…` was echoed in the error; found in QA).
    static func shown(_ url: String) -> String {
        var s = Substring(url)
        var tail = ""
        if let cut = s.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            tail = String(s[cut]) + "…"
            s = s[..<cut]
        }
        if let scheme = s.firstRange(of: "://") {
            let authority = s[scheme.upperBound...].prefix { $0 != "/" }
            if let at = authority.lastIndex(of: "@") {
                s = Substring(String(s[..<scheme.upperBound]) + s[s.index(after: at)...])
            }
        }
        return String(s) + tail
    }
}

/// One query parameter.
public struct KeyValue: Sendable, Equatable, Hashable, Codable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) { self.key = key; self.value = value }
    /// Parses `key<separator>value` (`extra` takes `key:value`, extra query parameters
    /// `key=value`); nil without the separator or with an empty key.
    public init?(parsing s: String, separator: Character) {
        guard let i = s.firstIndex(of: separator), i != s.startIndex else { return nil }
        self.init(String(s[..<i]), String(s[s.index(after: i)...]))
    }
}

extension LiveOptions {
    /// The `extra` pairs as a response's metadata lists them (a later pair with the same key
    /// wins); nil when there are none.
    public var extraMetadata: [String: String]? {
        extra.isEmpty ? nil : Dictionary(extra.map { ($0.key, $0.value) }, uniquingKeysWith: { _, later in later })
    }
}

extension LiveOptions {
    /// A Deepgram model name (`nova-3`, `nova-2-meeting`, …); any string is accepted.
    public struct Model: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ v: String) { rawValue = v }
        public init(stringLiteral v: String) { rawValue = v }
        public var description: String { rawValue }
        public static let nova3: Model = "nova-3"
        public static let nova3Medical: Model = "nova-3-medical"
        public static let nova2: Model = "nova-2"
        public static let nova2Meeting: Model = "nova-2-meeting"
        public static let nova2Phonecall: Model = "nova-2-phonecall"
        public static let nova: Model = "nova"
        public static let enhanced: Model = "enhanced"
        public static let base: Model = "base"
    }

    /// A BCP-47 language tag (`en`, `en-GB`, `de`) or `multi`.
    public struct Language: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ v: String) { rawValue = v }
        public init(stringLiteral v: String) { rawValue = v }
        public var description: String { rawValue }
        public static let en: Language = "en"
        public static let enUS: Language = "en-US"
        public static let enGB: Language = "en-GB"
        public static let multi: Language = "multi"

        /// Whether the tag has the shape of BCP-47 (letters and digits in 1–8 character subtags
        /// separated by `-`) or is `multi`.
        public var isWellFormed: Bool {
            let parts = rawValue.split(separator: "-", omittingEmptySubsequences: false)
            guard let first = parts.first, (2...3).contains(first.count) || rawValue == "multi",
                  first.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
            return parts.dropFirst().allSatisfy { p in
                (1...8).contains(p.count) && p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            }
        }
    }

    /// Audio encoding of raw audio (required for headerless PCM, with `sampleRate`).
    public struct Encoding: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral v: String) { rawValue = v }
        public var description: String { rawValue }
        /// The uncompressed encodings captty can send (converting any input to them).
        public static let sendable: [Encoding] = [.linear16, .linear32, .mulaw, .alaw]
        public static let linear16: Encoding = "linear16"
        public static let linear32: Encoding = "linear32"
        public static let flac: Encoding = "flac"
        public static let mulaw: Encoding = "mulaw"
        public static let alaw: Encoding = "alaw"
        public static let opus: Encoding = "opus"
        public static let oggOpus: Encoding = "ogg-opus"
        public static let speex: Encoding = "speex"
        public static let g729: Encoding = "g729"
        public static let amrNB: Encoding = "amr-nb"
        public static let amrWB: Encoding = "amr-wb"
    }

    /// A redaction kind; repeatable.
    public struct Redact: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral v: String) { rawValue = v }
        public var description: String { rawValue }
        public static let pci: Redact = "pci"
        public static let numbers: Redact = "numbers"
        public static let ssn: Redact = "ssn"
        public static let all: Redact = "true"
    }

    /// `endpointing`: a pause length in milliseconds, or disabled (`false`).
    public enum Endpointing: Sendable, Hashable, Codable {
        case milliseconds(Int)
        case disabled
        public var queryValue: String {
            switch self {
            case .milliseconds(let ms): return String(ms)
            case .disabled: return "false"
            }
        }
        /// Parses `false`, `off`, `none` or a non-negative integer number of milliseconds.
        public init?(parsing s: String) {
            let t = s.trimmingSpaces().lowercased()
            if ["false", "off", "none", "disabled"].contains(t) { self = .disabled; return }
            guard let ms = Int(t), ms >= 0 else { return nil }
            self = .milliseconds(ms)
        }
    }

    /// `keywords=word:boost` (boost optional).
    public struct Keyword: Sendable, Hashable, Codable {
        public var word: String
        public var boost: Double?
        public init(_ word: String, boost: Double? = nil) { self.word = word; self.boost = boost }
        public var queryValue: String {
            guard let boost else { return word }
            return "\(word):\(Self.boostText(boost))"
        }
        /// A boost as a plain decimal (`0.00001`, not `1e-05`; whole numbers without a point).
        static func boostText(_ boost: Double) -> String {
            guard boost.isFinite else { return String(boost) }
            if boost == boost.rounded() && abs(boost) < 1e15 { return String(Int(boost)) }
            var t = NumberText.fixed(boost, decimals: 9)
            while t.hasSuffix("0") { t.removeLast() }
            if t.hasSuffix(".") { t.removeLast() }
            return t == "-0" || t.isEmpty ? "0" : t
        }
        /// Parses `word` or `word:boost`; nil for an empty word or a boost that is not a number
        /// (`foo:bar` went out as the word `foo:bar`, which Deepgram reads as a bad boost).
        public init?(parsing s: String) {
            if let i = s.lastIndex(of: ":") {
                // A boost too large for a Double (`x:1e400`) parses as infinite: `validate()`
                // refuses it, with a message that says so.
                guard let b = Double(s[s.index(after: i)...]) else { return nil }
                let w = String(s[..<i]); guard !w.trimmingWhitespace().isEmpty else { return nil }
                self.init(w, boost: b)
            } else {
                guard !s.trimmingWhitespace().isEmpty else { return nil }
                self.init(s)
            }
        }
    }

    /// `replace=find:replacement`.
    public struct Replacement: Sendable, Hashable, Codable {
        public var find: String
        public var replacement: String?
        public init(_ find: String, with replacement: String? = nil) { self.find = find; self.replacement = replacement }
        public var queryValue: String { replacement.map { "\(find):\($0)" } ?? find }
        /// Parses `find` or `find:replacement`; nil when there is nothing to find (`:x`).
        public init?(parsing s: String) {
            guard !s.isEmpty, !s.hasPrefix(":"), !s.trimmingWhitespace().isEmpty else { return nil }
            if let i = s.firstIndex(of: ":") {
                self.init(String(s[..<i]), with: String(s[s.index(after: i)...]))
            } else { self.init(s) }
        }
    }

    /// The HTTP method of a callback.
    public enum CallbackMethod: String, Sendable, Hashable, Codable, CaseIterable {
        case post = "POST"
        case put = "PUT"
    }
}

// MARK: Decoding leniently

/// A coding key made from any string (the decoder below accepts two spellings of each option).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension LiveOptions {
    /// Decodes options saved by this type (its own property names) and options written the
    /// way Deepgram names them (`smart_format`, `interim_results`: the query parameters, as the
    /// official SDKs' option objects serialise). Every option may be left out, a repeatable one
    /// may be a single string, and `endpointing` may be `false`, `true` or a number of
    /// milliseconds. A journal header written by an older captty still reads back.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        /// The key actually present for `name` (camelCase, or Deepgram's snake_case).
        func key(_ name: String) -> AnyCodingKey? {
            let camel = AnyCodingKey(name)
            if c.contains(camel) { return camel }
            let snake = AnyCodingKey(Self.snakeCase(name))
            return c.contains(snake) ? snake : nil
        }
        func one<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> T? {
            guard let k = key(name), try !c.decodeNil(forKey: k) else { return nil }
            return try c.decode(T.self, forKey: k)
        }
        func many<T: Decodable>(_ name: String, _ type: T.Type = T.self) throws -> [T] {
            guard let k = key(name), try !c.decodeNil(forKey: k) else { return [] }
            if let list = try? c.decode([T].self, forKey: k) { return list }
            return [try c.decode(T.self, forKey: k)]
        }
        // The SDKs' own serialisations write some values as strings (SDK 3's `to_json()` has
        // `"utterance_end_ms": "1000"`): a number or a bool given as its query text is read too.
        func int(_ name: String) throws -> Int? {
            guard let k = key(name), try !c.decodeNil(forKey: k) else { return nil }
            if let s = try? c.decode(String.self, forKey: k), let v = Int(s.trimmingWhitespace()) { return v }
            return try c.decode(Int.self, forKey: k)
        }
        func bool(_ name: String) throws -> Bool? {
            guard let k = key(name), try !c.decodeNil(forKey: k) else { return nil }
            if let s = try? c.decode(String.self, forKey: k), let v = Bool(s.trimmingWhitespace().lowercased()) { return v }
            return try c.decode(Bool.self, forKey: k)
        }
        self.init()
        model = try one("model"); language = try one("language"); encoding = try one("encoding")
        sampleRate = try int("sampleRate"); channels = try int("channels"); multichannel = try bool("multichannel")
        interimResults = try bool("interimResults"); punctuate = try bool("punctuate"); smartFormat = try bool("smartFormat")
        numerals = try bool("numerals"); profanityFilter = try bool("profanityFilter"); diarize = try bool("diarize")
        vadEvents = try bool("vadEvents"); dictation = try bool("dictation"); fillerWords = try bool("fillerWords")
        endpointing = try one("endpointing"); utteranceEndMs = try int("utteranceEndMs")
        // `redact: true` (Deepgram's older form) is the query value `true`.
        if let k = key("redact"), let on = try? c.decode(Bool.self, forKey: k) { redact = on ? ["true"] : [] } else { redact = try many("redact") }
        keyterm = try many("keyterm"); keywords = try many("keywords")
        search = try many("search"); replace = try many("replace"); tag = try many("tag")
        // `extra` as an object (`{"team": "a"}`), as well as `key:value` strings.
        if let k = key("extra"), let object = try? c.decode([String: String].self, forKey: k) {
            extra = object.sorted { $0.key < $1.key }.map { KeyValue($0.key, $0.value) }
        } else {
            extra = try many("extra")
        }
        version = try one("version"); callback = try one("callback")
        if let k = key("callbackMethod"), let m = try? c.decode(String.self, forKey: k), let method = CallbackMethod(rawValue: m.uppercased()) {
            callbackMethod = method
        } else {
            callbackMethod = try one("callbackMethod")
        }
        mipOptOut = try bool("mipOptOut"); detectEntities = try bool("detectEntities"); diarizeModel = try one("diarizeModel")
        if key("languageHint") != nil { languageHint = try many("languageHint") }
        additional = try many("additional")
        // Options this type does not model (`alternatives`, `no_delay`, a newer server's) are
        // kept, in their query form, rather than dropped.
        let known = Set(Self.decodedNames.flatMap { [$0, Self.snakeCase($0)] })
        for k in c.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where !known.contains(k.stringValue) {
            if try c.decodeNil(forKey: k) { continue }
            if let values = try? c.decode([JSONScalar].self, forKey: k) {
                additional += values.map { KeyValue(k.stringValue, $0.text) }
            } else if let value = try? c.decode(JSONScalar.self, forKey: k) {
                additional.append(KeyValue(k.stringValue, value.text))
            } else {
                throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "option \(k.stringValue) is neither a value nor a list of values")
            }
        }
    }

    /// The option names `init(from:)` reads (camelCase; snake_case is read too).
    static let decodedNames = ["model", "language", "encoding", "sampleRate", "channels", "multichannel", "interimResults",
                               "punctuate", "smartFormat", "numerals", "profanityFilter", "diarize", "vadEvents", "dictation",
                               "fillerWords", "endpointing", "utteranceEndMs", "redact", "keyterm", "keywords", "search",
                               "replace", "tag", "extra", "version", "callback", "callbackMethod", "mipOptOut",
                               "detectEntities", "diarizeModel", "languageHint", "additional"]

    /// `smartFormat` → `smart_format`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for ch in name {
            if ch.isUppercase { out += "_" + ch.lowercased() } else { out.append(ch) }
        }
        return out
    }
}

extension LiveOptions.Endpointing {
    /// Reads what this type writes, and Deepgram's own forms: a number of milliseconds,
    /// `false` (off), `true` (Deepgram's default of 10 ms), or the query value as a string.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer() {
            if let ms = try? single.decode(Int.self), ms >= 0 { self = .milliseconds(ms); return }
            if let on = try? single.decode(Bool.self) { self = on ? .milliseconds(10) : .disabled; return }
            if let s = try? single.decode(String.self), let e = Self(parsing: s) { self = e; return }
        }
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        if c.contains(AnyCodingKey("disabled")) { self = .disabled; return }
        let ms = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: AnyCodingKey("milliseconds"))
        self = .milliseconds(try ms.decode(Int.self, forKey: AnyCodingKey("_0")))
    }
}

/// A JSON string, number or bool, as the text a query parameter carries.
struct JSONScalar: Decodable {
    let text: String
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
        else if let i = try? c.decode(Int.self) { text = String(i) }
        else if let d = try? c.decode(Double.self) { text = String(d) }
        else { text = try c.decode(String.self) }
    }
}

/// A value written in its query form (`word:boost`, `find:replacement`, `key:value`) when the
/// JSON holds a string: parsed by `parse`, an error naming `what` when that fails; nil when the
/// JSON holds something else (the type's own object form, read by the caller).
func decodeQueryForm<T>(_ decoder: any Decoder, what: String, _ parse: (String) -> T?) throws -> T? {
    guard let s = try? decoder.singleValueContainer().decode(String.self) else { return nil }
    guard let v = parse(s) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not \(what): '\(s)'"))
    }
    return v
}

extension LiveOptions.Keyword {
    /// Reads what this type writes, or the query form `word:boost` as a string.
    public init(from decoder: any Decoder) throws {
        if let k = try decodeQueryForm(decoder, what: "a keyword (word or word:boost)", Self.init(parsing:)) { self = k; return }
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        self.init(try c.decode(String.self, forKey: AnyCodingKey("word")),
                  boost: try c.decodeIfPresent(Double.self, forKey: AnyCodingKey("boost")))
    }
}

extension LiveOptions.Replacement {
    /// Reads what this type writes, or the query form `find:replacement` as a string.
    public init(from decoder: any Decoder) throws {
        if let r = try decodeQueryForm(decoder, what: "a replacement (find or find:replacement)", Self.init(parsing:)) { self = r; return }
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        self.init(try c.decode(String.self, forKey: AnyCodingKey("find")),
                  with: try c.decodeIfPresent(String.self, forKey: AnyCodingKey("replacement")))
    }
}

extension KeyValue {
    /// Reads what this type writes, or `key:value` as a string (how `extra` is written).
    public init(from decoder: any Decoder) throws {
        if let kv = try decodeQueryForm(decoder, what: "key:value", { Self(parsing: $0, separator: ":") }) { self = kv; return }
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        self.init(try c.decode(String.self, forKey: AnyCodingKey("key")), try c.decode(String.self, forKey: AnyCodingKey("value")))
    }
}
