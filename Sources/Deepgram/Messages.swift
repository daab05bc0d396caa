import FoundationEssentials

/// Bounds of the numbers a server message may carry. A message outside them is malformed: no
/// real stream is ten million seconds (116 days) long or has a millionth speaker, and such
/// values would overflow the arithmetic that turns times into byte offsets, clocks and labels.
/// JSON has no NaN or infinity, but a huge exponent (`1e400`) must not become one either.
public enum MessageBounds {
    /// Largest magnitude of a time or duration, in seconds.
    public static let maxSeconds: Double = 10_000_000
    /// Largest channel, speaker or word index.
    public static let maxIndex = 1_000_000
    /// Most entries in a `channel_index` or `channel` array (it is a [channel, channels] pair).
    public static let maxChannelEntries = 16

    static func seconds<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Double? {
        guard let v = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard v.isFinite, abs(v) <= maxSeconds else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c,
                debugDescription: "\(v) s is outside ±\(Int(maxSeconds)) s")
        }
        return v
    }

    static func number<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Double? {
        guard let v = try c.decodeIfPresent(Double.self, forKey: key) else { return nil }
        guard v.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a finite number")
        }
        return v
    }

    static func index<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> Int? {
        guard let v = try c.decodeIfPresent(Int.self, forKey: key) else { return nil }
        guard (0...maxIndex).contains(v) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c,
                debugDescription: "\(v) is outside 0…\(maxIndex)")
        }
        return v
    }

    static func channel<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) throws -> [Int]? {
        guard let v = try c.decodeIfPresent([Int].self, forKey: key) else { return nil }
        guard v.count <= maxChannelEntries, v.allSatisfy({ (0...maxIndex).contains($0) }) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: c,
                debugDescription: "\(v.prefix(4)) is not a [channel, channels] pair of small indices")
        }
        return v
    }
}

/// A `Results` message: a transcript for a span of audio, interim or final.
///
/// Times are seconds since the connection opened (a reconnecting client offsets them). Every
/// field the server may omit decodes to a neutral default, and unknown fields are ignored.
public struct Results: Sendable, Equatable, Codable {
    public var channelIndex: [Int]
    public var start: Double
    public var duration: Double
    public var isFinal: Bool
    public var speechFinal: Bool
    public var fromFinalize: Bool
    public var channel: Channel
    public var metadata: ResultsMetadata?
    /// Entities of a final (`detect_entities=true`), where the live API puts them: beside
    /// `channel`, their word indices into the best alternative's `words`. (Pre-recorded
    /// responses list them in each alternative: `Alternative.entities`.)
    public var entities: [Entity]?

    public init(channelIndex: [Int] = [0, 1], start: Double, duration: Double, isFinal: Bool,
                speechFinal: Bool = false, fromFinalize: Bool = false, channel: Channel,
                metadata: ResultsMetadata? = nil, entities: [Entity]? = nil) {
        self.channelIndex = channelIndex; self.start = start; self.duration = duration
        self.isFinal = isFinal; self.speechFinal = speechFinal; self.fromFinalize = fromFinalize
        self.channel = channel; self.metadata = metadata; self.entities = entities
    }

    /// The final's entities wherever the server put them: `entities` beside `channel`, else
    /// the best alternative's.
    public var detectedEntities: [Entity] { entities ?? best.entities ?? [] }

    /// The best alternative, or an empty one.
    public var best: Alternative { channel.alternatives.first ?? Alternative(transcript: "", confidence: 0, words: []) }
    /// The best alternative's transcript.
    public var transcript: String { best.transcript }
    /// End of the span in seconds.
    public var end: Double { start + duration }

    /// A copy with every time shifted by `seconds` (used across reconnects).
    public func offset(by seconds: Double) -> Results {
        guard seconds != 0 else { return self }
        var r = self
        r.start += seconds
        r.channel.alternatives = r.channel.alternatives.map { a in
            var a = a
            a.words = a.words.map { w in var w = w; w.start += seconds; w.end += seconds; return w }
            return a
        }
        // Search hits are timed on the same clock (they stayed on the new connection's).
        r.channel.search = r.channel.search?.map { s in
            var s = s
            s.hits = s.hits.map { h in var h = h; h.start = h.start.map { $0 + seconds }; h.end = h.end.map { $0 + seconds }; return h }
            return s
        }
        return r
    }

    enum CodingKeys: String, CodingKey {
        case type, channelIndex = "channel_index", start, duration, isFinal = "is_final"
        case speechFinal = "speech_final", fromFinalize = "from_finalize", channel, metadata, entities
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channelIndex = try MessageBounds.channel(c, .channelIndex) ?? [0, 1]
        start = try MessageBounds.seconds(c, .start) ?? 0
        duration = try MessageBounds.seconds(c, .duration) ?? 0
        isFinal = try c.decodeIfPresent(Bool.self, forKey: .isFinal) ?? false
        speechFinal = try c.decodeIfPresent(Bool.self, forKey: .speechFinal) ?? false
        fromFinalize = try c.decodeIfPresent(Bool.self, forKey: .fromFinalize) ?? false
        // Required, as in every Deepgram Results and the SDKs' models: a Results without its
        // `channel` was taken for an empty one, and a server's broken result passed unsaid.
        channel = try c.decode(Channel.self, forKey: .channel)
        metadata = try c.decodeIfPresent(ResultsMetadata.self, forKey: .metadata)
        entities = try c.decodeIfPresent([Entity].self, forKey: .entities)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("Results", forKey: .type)
        try c.encode(channelIndex, forKey: .channelIndex)
        try c.encode(duration, forKey: .duration)
        try c.encode(start, forKey: .start)
        try c.encode(isFinal, forKey: .isFinal)
        try c.encode(speechFinal, forKey: .speechFinal)
        try c.encode(fromFinalize, forKey: .fromFinalize)
        try c.encode(channel, forKey: .channel)
        try c.encodeIfPresent(metadata, forKey: .metadata)
        try c.encodeIfPresent(entities, forKey: .entities)
    }
}

/// `Results.channel`.
public struct Channel: Sendable, Equatable, Codable {
    public var alternatives: [Alternative]
    public var search: [SearchHits]?
    public init(alternatives: [Alternative], search: [SearchHits]? = nil) {
        self.alternatives = alternatives; self.search = search
    }
    enum CodingKeys: String, CodingKey { case alternatives, search }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        alternatives = try c.decodeIfPresent([Alternative].self, forKey: .alternatives) ?? []
        search = try c.decodeIfPresent([SearchHits].self, forKey: .search)
    }
}

/// One transcription hypothesis.
public struct Alternative: Sendable, Equatable, Codable {
    public var transcript: String
    public var confidence: Double
    public var words: [Word]
    /// Languages detected (`language=multi`), by word count.
    public var languages: [String]?
    /// The `language_hint` values of the connection as the server normalised them (Nova-3
    /// multilingual streams; empty when none was sent).
    public var languagesHinted: [String]?
    public var entities: [Entity]?
    public init(transcript: String, confidence: Double, words: [Word], languages: [String]? = nil, entities: [Entity]? = nil,
                languagesHinted: [String]? = nil) {
        self.transcript = transcript; self.confidence = confidence; self.words = words
        self.languages = languages; self.entities = entities; self.languagesHinted = languagesHinted
    }
    enum CodingKeys: String, CodingKey {
        case transcript, confidence, words, languages, entities
        case languagesHinted = "languages_hinted"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transcript = try c.decodeIfPresent(String.self, forKey: .transcript) ?? ""
        confidence = try MessageBounds.number(c, .confidence) ?? 0
        words = try c.decodeIfPresent([Word].self, forKey: .words) ?? []
        languages = try c.decodeIfPresent([String].self, forKey: .languages)
        languagesHinted = try c.decodeIfPresent([String].self, forKey: .languagesHinted)
        entities = try c.decodeIfPresent([Entity].self, forKey: .entities)
    }
}

/// One recognised word with its timing.
public struct Word: Sendable, Equatable, Codable {
    public var word: String
    public var start: Double
    public var end: Double
    public var confidence: Double
    public var punctuatedWord: String?
    public var speaker: Int?
    public var speakerConfidence: Double?
    public var language: String?
    public init(word: String, start: Double, end: Double, confidence: Double, punctuatedWord: String? = nil,
                speaker: Int? = nil, speakerConfidence: Double? = nil, language: String? = nil) {
        self.word = word; self.start = start; self.end = end; self.confidence = confidence
        self.punctuatedWord = punctuatedWord; self.speaker = speaker
        self.speakerConfidence = speakerConfidence; self.language = language
    }
    /// The punctuated form when present, else the bare word.
    public var display: String { punctuatedWord ?? word }
    enum CodingKeys: String, CodingKey {
        case word, start, end, confidence, punctuatedWord = "punctuated_word", speaker
        case speakerConfidence = "speaker_confidence", language
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        word = try c.decodeIfPresent(String.self, forKey: .word) ?? ""
        start = try MessageBounds.seconds(c, .start) ?? 0
        end = try MessageBounds.seconds(c, .end) ?? start
        confidence = try MessageBounds.number(c, .confidence) ?? 0
        punctuatedWord = try c.decodeIfPresent(String.self, forKey: .punctuatedWord)
        speaker = try MessageBounds.index(c, .speaker)
        speakerConfidence = try MessageBounds.number(c, .speakerConfidence)
        language = try c.decodeIfPresent(String.self, forKey: .language)
    }
}

/// A detected entity (finals only).
public struct Entity: Sendable, Equatable, Codable {
    /// The kind, e.g. `NAME`, `PHONE_NUMBER`, `ORGANIZATION`, `CARDINAL`.
    public var label: String
    /// As formatted (smart_format); `rawValue` is as spoken.
    public var value: String
    public var rawValue: String?
    public var confidence: Double?
    /// Index of the entity's first word; `endWord` is the index after its last.
    public var startWord: Int?
    public var endWord: Int?
    public init(label: String, value: String, rawValue: String? = nil, confidence: Double? = nil,
                startWord: Int? = nil, endWord: Int? = nil) {
        self.label = label; self.value = value; self.rawValue = rawValue; self.confidence = confidence
        self.startWord = startWord; self.endWord = endWord
    }
    enum CodingKeys: String, CodingKey {
        case label, value, rawValue = "raw_value", confidence, startWord = "start_word", endWord = "end_word"
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        label = try c.decodeIfPresent(String.self, forKey: .label) ?? ""
        value = try c.decodeIfPresent(String.self, forKey: .value) ?? ""
        rawValue = try c.decodeIfPresent(String.self, forKey: .rawValue)
        confidence = try MessageBounds.number(c, .confidence)
        startWord = try MessageBounds.index(c, .startWord)
        endWord = try MessageBounds.index(c, .endWord)
    }
}

/// `channel.search[]`: hits for one search query.
public struct SearchHits: Sendable, Equatable, Codable {
    public struct Hit: Sendable, Equatable, Codable {
        public var confidence: Double?
        public var start: Double?
        public var end: Double?
        public var snippet: String?
        public init(confidence: Double? = nil, start: Double? = nil, end: Double? = nil, snippet: String? = nil) {
            self.confidence = confidence; self.start = start; self.end = end; self.snippet = snippet
        }
    }
    public var query: String
    public var hits: [Hit]
    public init(query: String, hits: [Hit]) { self.query = query; self.hits = hits }
    enum CodingKeys: String, CodingKey { case query, hits }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        query = try c.decodeIfPresent(String.self, forKey: .query) ?? ""
        hits = try c.decodeIfPresent([Hit].self, forKey: .hits) ?? []
    }
}

/// The model that produced a result.
public struct ModelInfo: Sendable, Equatable, Codable {
    public var name: String
    public var version: String
    public var arch: String
    public init(name: String, version: String, arch: String) { self.name = name; self.version = version; self.arch = arch }
    /// The model as users name it: `arch` ("nova-3"; `name` is an internal one such as
    /// "2-general-nova"), else `name`.
    public var displayName: String { arch.isEmpty ? name : arch }
    enum CodingKeys: String, CodingKey { case name, version, arch }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        arch = try c.decodeIfPresent(String.self, forKey: .arch) ?? ""
    }
}

/// The diarizer that labelled a result's speakers (`Results.metadata.diarize_info`, present
/// only when one ran).
public struct DiarizeInfo: Sendable, Equatable, Codable {
    public var modelUUID: String
    /// `v1`, `v2`, …
    public var arch: String
    public init(modelUUID: String, arch: String) { self.modelUUID = modelUUID; self.arch = arch }
    enum CodingKeys: String, CodingKey { case modelUUID = "model_uuid", arch }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        modelUUID = try c.decodeIfPresent(String.self, forKey: .modelUUID) ?? ""
        arch = try c.decodeIfPresent(String.self, forKey: .arch) ?? ""
    }
}

/// The `extra` key-value pairs a request asked for (`extra=KEY:VALUE`), passed back in a
/// response's metadata as a JSON object. Values that are not strings (a server's numbers or
/// booleans) are kept as their JSON text; anything else is not an `extra` and reads as nil.
enum ExtraPairs {
    static func decode<K: CodingKey>(_ c: KeyedDecodingContainer<K>, _ key: K) -> [String: String]? {
        if let plain = try? c.decodeIfPresent([String: String].self, forKey: key) { return plain }
        guard let loose = try? c.decodeIfPresent([String: Scalar].self, forKey: key) else { return nil }
        return loose.mapValues(\.text)
    }

    struct Scalar: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { text = s }
            else if let b = try? c.decode(Bool.self) { text = b ? "true" : "false" }
            else if let i = try? c.decode(Int64.self) { text = String(i) }
            else if let d = try? c.decode(Double.self) { text = "\(d)" }
            else if c.decodeNil() { text = "" }
            else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a scalar") }
        }
    }
}

/// `Results.metadata`.
public struct ResultsMetadata: Sendable, Equatable, Codable {
    public var requestID: String?
    public var modelInfo: ModelInfo?
    public var modelUUID: String?
    /// The diarizer, when `diarize` labelled speakers.
    public var diarizeInfo: DiarizeInfo?
    /// The request's `extra` pairs, when the server passes them back here.
    public var extra: [String: String]?
    public init(requestID: String? = nil, modelInfo: ModelInfo? = nil, modelUUID: String? = nil,
                diarizeInfo: DiarizeInfo? = nil, extra: [String: String]? = nil) {
        self.requestID = requestID; self.modelInfo = modelInfo; self.modelUUID = modelUUID
        self.diarizeInfo = diarizeInfo; self.extra = extra
    }
    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", modelInfo = "model_info", modelUUID = "model_uuid", diarizeInfo = "diarize_info", extra
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        modelInfo = try c.decodeIfPresent(ModelInfo.self, forKey: .modelInfo)
        modelUUID = try c.decodeIfPresent(String.self, forKey: .modelUUID)
        diarizeInfo = try? c.decodeIfPresent(DiarizeInfo.self, forKey: .diarizeInfo)
        extra = ExtraPairs.decode(c, .extra)
    }
}

/// `UtteranceEnd`: a gap of `utterance_end_ms` after the last final word.
public struct UtteranceEnd: Sendable, Equatable, Codable {
    public var channel: [Int]
    public var lastWordEnd: Double
    public init(channel: [Int] = [0, 1], lastWordEnd: Double) { self.channel = channel; self.lastWordEnd = lastWordEnd }
    enum CodingKeys: String, CodingKey { case type, channel, lastWordEnd = "last_word_end" }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try MessageBounds.channel(c, .channel) ?? [0, 1]
        lastWordEnd = try MessageBounds.seconds(c, .lastWordEnd) ?? 0
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("UtteranceEnd", forKey: .type)
        try c.encode(channel, forKey: .channel)
        try c.encode(lastWordEnd, forKey: .lastWordEnd)
    }
}

/// `SpeechStarted` (with `vad_events=true`).
public struct SpeechStarted: Sendable, Equatable, Codable {
    public var channel: [Int]
    public var timestamp: Double
    public init(channel: [Int] = [0, 1], timestamp: Double) { self.channel = channel; self.timestamp = timestamp }
    enum CodingKeys: String, CodingKey { case type, channel, timestamp }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try MessageBounds.channel(c, .channel) ?? [0, 1]
        timestamp = try MessageBounds.seconds(c, .timestamp) ?? 0
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("SpeechStarted", forKey: .type)
        try c.encode(channel, forKey: .channel)
        try c.encode(timestamp, forKey: .timestamp)
    }
}

/// `Metadata`: the summary sent after CloseStream, before the close.
public struct Metadata: Sendable, Equatable, Codable {
    public var transactionKey: String?
    public var requestID: String?
    public var sha256: String?
    public var created: String?
    public var duration: Double?
    public var channels: Int?
    public var models: [String]
    public var modelInfo: [String: ModelInfo]
    /// The request's `extra` pairs (`extra=KEY:VALUE`), passed back.
    public var extra: [String: String]?
    public init(transactionKey: String? = "deprecated", requestID: String? = nil, sha256: String? = nil,
                created: String? = nil, duration: Double? = nil, channels: Int? = nil,
                models: [String] = [], modelInfo: [String: ModelInfo] = [:], extra: [String: String]? = nil) {
        self.transactionKey = transactionKey; self.requestID = requestID; self.sha256 = sha256
        self.created = created; self.duration = duration; self.channels = channels
        self.models = models; self.modelInfo = modelInfo; self.extra = extra
    }
    enum CodingKeys: String, CodingKey {
        case type, transactionKey = "transaction_key", requestID = "request_id", sha256, created
        case duration, channels, models, modelInfo = "model_info", extra
    }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transactionKey = try c.decodeIfPresent(String.self, forKey: .transactionKey)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        sha256 = try c.decodeIfPresent(String.self, forKey: .sha256)
        created = try c.decodeIfPresent(String.self, forKey: .created)
        duration = try MessageBounds.seconds(c, .duration)
        channels = try MessageBounds.index(c, .channels)
        models = try c.decodeIfPresent([String].self, forKey: .models) ?? []
        modelInfo = (try? c.decodeIfPresent([String: ModelInfo].self, forKey: .modelInfo)) ?? [:]
        extra = ExtraPairs.decode(c, .extra)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("Metadata", forKey: .type)
        try c.encodeIfPresent(transactionKey, forKey: .transactionKey)
        try c.encodeIfPresent(requestID, forKey: .requestID)
        try c.encodeIfPresent(sha256, forKey: .sha256)
        try c.encodeIfPresent(created, forKey: .created)
        try c.encodeIfPresent(duration, forKey: .duration)
        try c.encodeIfPresent(channels, forKey: .channels)
        try c.encode(models, forKey: .models)
        try c.encode(modelInfo, forKey: .modelInfo)
        try c.encodeIfPresent(extra, forKey: .extra)
    }
}

/// An `Error` message from newer servers.
public struct ErrorMessage: Sendable, Equatable, Codable {
    public var variant: String?
    public var description: String?
    /// A machine-readable error code, when the server gives one.
    public var code: String?
    public var message: String?
    public init(variant: String? = nil, description: String? = nil, code: String? = nil, message: String? = nil) {
        self.variant = variant; self.description = description; self.code = code; self.message = message
    }
    enum CodingKeys: String, CodingKey { case variant, description, code, message }
    /// Each field read on its own: an error whose `code` is a number (or any field of another
    /// type) is still shown, with what could be read.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) -> String? {
            if let s = try? c.decodeIfPresent(String.self, forKey: key) { return s }
            if let i = try? c.decodeIfPresent(Int64.self, forKey: key) { return String(i) }
            return nil
        }
        variant = text(.variant); description = text(.description); code = text(.code); message = text(.message)
    }
    /// The most useful human-readable text the server gave (the code in brackets when it
    /// says more than the variant).
    public var text: String {
        let said = [variant, description, message].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        guard let code, !code.isEmpty, code != variant else { return said }
        return said.isEmpty ? code : said + " [\(code)]"
    }
}

extension Results {
    /// The result with word times pulled into its own span when a word lies more than a second
    /// outside it. Deepgram's words always lie inside; a word at 50 s in a result spanning
    /// 0.5–0.8 s (a broken or hostile server) moved its line, and every later one, to 50 s.
    public func wordsClampedToSpan() -> Results {
        let lo = start, hi = start + duration
        guard channel.alternatives.contains(where: { $0.words.contains { $0.start < lo - 1 || $0.end > hi + 1 } }) else { return self }
        var r = self
        for a in r.channel.alternatives.indices {
            for w in r.channel.alternatives[a].words.indices {
                var word = r.channel.alternatives[a].words[w]
                word.start = min(max(word.start, lo), hi)
                word.end = min(max(word.end, word.start), hi)
                r.channel.alternatives[a].words[w] = word
            }
        }
        return r
    }
}

extension Results {
    /// The result without what it says before `time` seconds: its span starts there, words whose
    /// middle is before it are left out (with the entities that take them in; the others'
    /// word indices follow). For audio replayed after a reconnect, which one channel of a
    /// multichannel stream had already answered.
    public func dropping(before time: Double) -> Results {
        guard start < time else { return self }
        var r = self
        r.start = min(time, start + duration)
        r.duration = max(0, start + duration - r.start)
        func kept(_ entities: [Entity]?, dropped n: Int) -> [Entity]? {
            entities?.compactMap { e in
                guard (e.startWord ?? 0) >= n else { return nil }
                var e = e
                e.startWord = e.startWord.map { $0 - n }
                e.endWord = e.endWord.map { $0 - n }
                return e
            }
        }
        var firstDropped: Int?
        for a in r.channel.alternatives.indices {
            var alt = r.channel.alternatives[a]
            let n = alt.words.prefix { ($0.start + $0.end) / 2 < time }.count
            if n > 0 {
                alt.words.removeFirst(n)
                alt.transcript = alt.words.map(\.display).joined(separator: " ")
                alt.entities = kept(alt.entities, dropped: n)
            }
            if a == 0 { firstDropped = n }
            r.channel.alternatives[a] = alt
        }
        if let n = firstDropped, n > 0, r.entities != nil { r.entities = kept(r.entities, dropped: n) }
        return r
    }

    /// Whether no alternative has a word.
    var hasNoWords: Bool { channel.alternatives.allSatisfy(\.words.isEmpty) }

    /// The result cut at `end` seconds: its span ends there, words that start at or after it are
    /// left out (with the entities that take them in) and the rest end by it. A result that ran
    /// past the audio sent (a faulty server) keeps the words said inside that audio.
    public func cut(at end: Double) -> Results {
        guard start + duration > end else { return self }
        var r = self
        r.duration = max(0, end - start)
        func kept(_ entities: [Entity]?, words n: Int) -> [Entity]? {
            entities?.filter { e in (e.endWord ?? 0) <= n && (e.startWord ?? 0) < n }
        }
        for a in r.channel.alternatives.indices {
            var alt = r.channel.alternatives[a]
            let n = alt.words.count
            alt.words = alt.words.filter { $0.start < end }.map { w in
                var w = w
                w.end = min(max(w.start, w.end), end)
                return w
            }
            if alt.words.count < n {
                alt.transcript = alt.words.map(\.display).joined(separator: " ")
                alt.entities = kept(alt.entities, words: alt.words.count)
            }
            r.channel.alternatives[a] = alt
        }
        if let first = r.channel.alternatives.first?.words.count, r.entities != nil { r.entities = kept(r.entities, words: first) }
        return r
    }
}

/// The answer to a `Configure` the server applied (`ConfigureSuccess`, newest API).
public struct ConfigureSuccess: Sendable, Equatable, Codable {
    public var requestID: String?
    /// The keyterms now in effect; present only when the `Configure` replaced them.
    public var keyterms: [String]?
    public init(requestID: String? = nil, keyterms: [String]? = nil) { self.requestID = requestID; self.keyterms = keyterms }
    enum CodingKeys: String, CodingKey { case type, requestID = "request_id", keyterms }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        keyterms = try c.decodeIfPresent([String].self, forKey: .keyterms)
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("ConfigureSuccess", forKey: .type)
        try c.encodeIfPresent(requestID, forKey: .requestID)
        try c.encodeIfPresent(keyterms, forKey: .keyterms)
    }
}

/// The answer to a `Configure` the server refused (`ConfigureFailure`): `code` is one of
/// `CONFIGURE_KEYTERMS_NOT_SUPPORTED`, `CONFIGURE_KEYTERM_LIMIT_EXCEEDED`,
/// `CONFIGURE_ALREADY_PENDING`, `CONFIGURE_INTERNAL_ERROR` (or a newer one). The stream goes on.
public struct ConfigureFailure: Sendable, Equatable, Codable {
    public var requestID: String?
    public var code: String
    public var description: String
    public init(requestID: String? = nil, code: String, description: String) {
        self.requestID = requestID; self.code = code; self.description = description
    }
    enum CodingKeys: String, CodingKey { case type, requestID = "request_id", code, description }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestID = try c.decodeIfPresent(String.self, forKey: .requestID)
        code = try c.decodeIfPresent(String.self, forKey: .code) ?? ""
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("ConfigureFailure", forKey: .type)
        try c.encodeIfPresent(requestID, forKey: .requestID)
        try c.encode(code, forKey: .code)
        try c.encode(description, forKey: .description)
    }
}

/// A decoded server → client text frame.
public enum ServerMessage: Sendable, Equatable {
    case results(Results)
    case metadata(Metadata)
    case utteranceEnd(UtteranceEnd)
    case speechStarted(SpeechStarted)
    case error(ErrorMessage)
    /// A `Warning` (same fields as an `Error`): something the user should know that does not
    /// stop the stream (a deprecated option, an option the model ignores).
    case warning(ErrorMessage)
    case configureSuccess(ConfigureSuccess)
    case configureFailure(ConfigureFailure)
    /// Valid JSON with an unknown or missing `type`; the raw text is kept.
    case unhandled(type: String?, raw: String)

    /// One parse of a frame: the `type`, then the message decoded from the same decoder (the JSON
    /// is parsed once, not once to check it is an object, once for the type and once for the body).
    private struct Envelope: Decodable {
        var type: String?
        var message: ServerMessage?
        private enum Key: String, CodingKey { case type, errCode = "err_code", errMsg = "err_msg" }
        struct NotAnObject: Error {}
        struct PayloadFailure: Error { var type: String; var underlying: any Error }

        init(from decoder: any Decoder) throws {
            let c: KeyedDecodingContainer<Key>
            do { c = try decoder.container(keyedBy: Key.self) } catch { throw NotAnObject() }
            type = try c.decodeIfPresent(String.self, forKey: .type)
            do {
                switch type {
                case "Results": message = .results(try Results(from: decoder))
                case "Metadata": message = .metadata(try Metadata(from: decoder))
                case "UtteranceEnd": message = .utteranceEnd(try UtteranceEnd(from: decoder))
                case "SpeechStarted": message = .speechStarted(try SpeechStarted(from: decoder))
                case "Error": message = .error(try ErrorMessage(from: decoder))
                case "Warning": message = .warning(try ErrorMessage(from: decoder))
                case "ConfigureSuccess": message = .configureSuccess(try ConfigureSuccess(from: decoder))
                case "ConfigureFailure": message = .configureFailure(try ConfigureFailure(from: decoder))
                case nil:
                    // The older error shape, with no `type` (as in a refused upgrade's body):
                    // {"err_code": "…", "err_msg": "…", "request_id": "…"}.
                    let code = try? c.decodeIfPresent(String.self, forKey: .errCode)
                    let text = try? c.decodeIfPresent(String.self, forKey: .errMsg)
                    message = code == nil && text == nil ? nil : .error(ErrorMessage(variant: code, description: text))
                default: message = nil
                }
            } catch {
                throw PayloadFailure(type: type ?? "?", underlying: error)
            }
        }
    }

    /// Decodes one text frame. Unknown types become `.unhandled`; only invalid JSON (or a
    /// known type whose fields have the wrong JSON types) throws.
    ///
    /// A `Results` frame of the usual shape is read by `ResultsFastDecoder`; everything else, and
    /// anything it is unsure of, by `JSONDecoder`, which also words the errors.
    public static func decode(_ text: String) throws(MessageDecodingError) -> ServerMessage {
        if let r = ResultsFastDecoder.decode(text) { return .results(r) }
        return try decode(Data(text.utf8), text: text)
    }

    public static func decode(_ data: Data) throws(MessageDecodingError) -> ServerMessage {
        if let r = data.withUnsafeBytes({ ResultsFastDecoder.decode($0) }) { return .results(r) }
        return try decode(data, text: nil)
    }

    /// `JSONDecoder` alone (tests compare the two readers).
    static func decodeWithJSONDecoder(_ data: Data) throws(MessageDecodingError) -> ServerMessage {
        try decode(data, text: nil)
    }

    private static func decode(_ data: Data, text: String?) throws(MessageDecodingError) -> ServerMessage {
        func raw() -> String { text ?? String(decoding: data, as: UTF8.self) }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch let e as Envelope.PayloadFailure {
            throw .invalidMessage(type: e.type, excerpt: MessageDecodingError.excerpt(raw()), underlying: MessageDecodingError.describe(e.underlying))
        } catch is Envelope.NotAnObject {
            throw .notAnObject(excerpt: MessageDecodingError.excerpt(raw()))
        } catch {
            throw .invalidJSON(excerpt: MessageDecodingError.excerpt(raw()), underlying: MessageDecodingError.plain("\(error)"))
        }
        return envelope.message ?? .unhandled(type: envelope.type, raw: raw())
    }

    /// Encodes the message as the JSON text frame a Deepgram server sends.
    public func encoded() -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data?
        switch self {
        case .results(let r): data = try? enc.encode(r)
        case .metadata(let m): data = try? enc.encode(m)
        case .utteranceEnd(let u): data = try? enc.encode(u)
        case .speechStarted(let s): data = try? enc.encode(s)
        case .error(let e), .warning(let e):
            struct E: Encodable { let type: String; let variant: String?; let description: String?; let code: String?; let message: String? }
            let type = if case .warning = self { "Warning" } else { "Error" }
            data = try? enc.encode(E(type: type, variant: e.variant, description: e.description, code: e.code, message: e.message))
        case .configureSuccess(let m): data = try? enc.encode(m)
        case .configureFailure(let m): data = try? enc.encode(m)
        case .unhandled(_, let raw): return raw
        }
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// A server frame that could not be decoded. It carries the offending text, truncated.
public enum MessageDecodingError: Error, Equatable, CustomStringConvertible {
    case invalidJSON(excerpt: String, underlying: String)
    case notAnObject(excerpt: String)
    case invalidMessage(type: String, excerpt: String, underlying: String)

    /// The longest excerpt of offending text kept in an error.
    public static let excerptLimit = 200

    /// A decoding failure in a few words: where in the message and what was wrong.
    static func describe(_ e: any Error) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.hasPrefix(".") ? String(p.dropFirst()) : (p.isEmpty ? "message" : p)
        }
        // Foundation's parser says `numberIsNotRepresentableInSwift(parsed: "1e999")`.
        func plain(_ text: String) -> String { MessageDecodingError.plain(text) }
        switch e as? DecodingError {
        case .typeMismatch(let t, let c)?: return "\(path(c)): expected \(t)"
        case .valueNotFound(let t, let c)?: return "\(path(c)): expected \(t), found null"
        case .keyNotFound(let k, let c)?: return "\(path(c)): missing \"\(k.stringValue)\""
        case .dataCorrupted(let c)?:
            if c.codingPath.isEmpty { return plain(c.underlyingError.map { "\($0)" } ?? c.debugDescription) }
            return "\(path(c)): \(plain(c.debugDescription))"
        default: return plain("\(e)")
        }
    }

    static func excerpt(_ s: String) -> String {
        s.count <= excerptLimit ? s : String(s.prefix(excerptLimit)) + "… (\(s.utf8.count) bytes)"
    }

    /// A JSON parser's error in words. Foundation's says `numberIsNotRepresentableInSwift(parsed:
    /// "1e999")` or `expectedLowSurrogateUTF8SequenceAfterHighSurrogate(location:
    /// FoundationEssentials.JSONError.SourceLocation(line: 1, column: 212, index: 211))`.
    static func plain(_ text: String) -> String {
        if text.hasPrefix("numberIsNotRepresentableInSwift"), let q = text.firstIndex(of: "\"") {
            return "number \(text[q...].dropFirst().prefix { $0 != "\"" }) is out of range"
        }
        guard text.contains("SourceLocation") || text.contains("JSONError") else { return text }
        let name = text.prefix { $0.isLetter || $0.isNumber }
        var words = ""
        for ch in name {
            if ch.isUppercase, !words.isEmpty, words.last?.isUppercase == false { words.append(" ") }
            words.append(ch)
        }
        let column = text.firstRange(of: "column: ").map { text[$0.upperBound...].prefix { $0.isNumber } }
        return "invalid JSON (\(words.lowercased().isEmpty ? "unreadable text" : words.lowercased())"
            + (column.map { $0.isEmpty ? "" : " at column \($0)" } ?? "") + ")"
    }

    public var excerpt: String {
        switch self {
        case .invalidJSON(let e, _), .notAnObject(let e), .invalidMessage(_, let e, _): return e
        }
    }

    public var description: String {
        switch self {
        case .invalidJSON(let e, let u):
            // 1e999 is valid JSON; it only does not fit a number here.
            return u.hasPrefix("number ") ? "server sent JSON that cannot be read (\(u)): \(e)" : "server sent invalid JSON: \(e)"
        case .notAnObject(let e): return "server sent JSON that is not an object: \(e)"
        case .invalidMessage(let t, let e, let u): return "server sent a malformed \(t) message (\(u)): \(e)"
        }
    }
}
