import Deepgram
import FoundationEssentials
import Glibc

/// The journal's line format (JSON Lines), both ways.
///
/// ```
/// {"type":"header","format":"captty-journal","version":1,"captty_version":"…","engine":"deepgram",
///  "model":"nova-3","options":{…},"start_time":"2026-11-25T12:04:13.123Z","start_unix_ms":…}
/// {"type":"final","line":0,"channel":0,"speaker":null,"start":0.32,"end":2.1,
///  "start_unix_ms":…,"end_unix_ms":…,"confidence":0.99,"speech_final":false,
///  "from_finalize":false,"transcript":"…","words":[{"word":"we","start":0.32,…}]}
/// {"type":"Metadata","request_id":"…","sha256":"…","created":"…","duration":12.5,…}
/// {"type":"search","channel":0,"query":"budget","hits":[{"confidence":0.9,"start":3.2,…}]}
/// {"type":"entity","channel":0,"label":"NAME","value":"John Smith","raw_value":"john smith",
///  "confidence":0.93,"start":0.4,"end":1.1,"word_count":2}
/// {"type":"gap","start":5.0,"duration":19.2,"reason":"the engine was disconnected"}
/// {"type":"end","audio_seconds":61.3}
/// {"type":"options","start":95.2,"changes":["language es"],"options":{…},"options_query":"…"}
/// ```
/// `options` is written when a key changed the engine's options mid-session: from `start` on.
/// `changes` says what changed, in words.
/// `end` is written when a session finishes: where its audio ended (a killed session has none).
/// Times are seconds on the session clock (absolute across reconnects); `*_unix_ms` add the
/// session start. Unknown record types are skipped by readers (forward compatibility).
public enum JournalCodec {
    /// Channels the JSON export's per-channel table holds: 0 ..< 256 (a WAV file carries at most
    /// 64); lines on higher channels (from a misbehaving server) are listed in its utterances.
    public static let channelLimit = 256
    /// The highest channel a journal line may have: the live decoder's bound for an index.
    public static let maxChannel = 1_000_000

    /// The most words an entity may span (a count near Int.max overflowed the JSON export).
    static let maxEntityWords = 100_000
    /// The highest line id a final may have: sessions number lines from 0, one per caption line
    /// (Int.max overflowed when a joined session's ids were moved on; found in QA).
    static let maxLineID = 1_000_000_000

    /// The times a record may hold, in seconds from the session's start.
    static let sessionTimes = -1 ... MessageBounds.maxSeconds

    /// The header line, without the newline.
    public static func encode(_ h: JournalHeader) -> String {
        var o: [(String, JSONValue)] = [
            ("type", .string("header")), ("format", .string(JournalHeader.formatName)),
            ("version", .int(Int64(h.formatVersion))), ("captty_version", .string(h.capttyVersion)),
            ("engine", .string(h.engine)), ("model", .opt(h.model, JSONValue.string)),
        ]
        if let opts = h.options, let data = try? JSONEncoder.sorted.encode(opts),
           let s = String(data: data, encoding: .utf8) {
            o.append(("options", .raw(s)))
            o.append(("options_query", .string(opts.queryString)))
        }
        o.append(("start_time", .string(h.startISO8601)))
        o.append(("start_unix_ms", .int(h.startUnixMs)))
        return JSONValue.object(o).rendered
    }

    /// A final's line, without the newline.
    public static func encode(_ s: CommittedSegment, sessionStartUnixMs: Int64) -> String {
        var o: [(String, JSONValue)] = [
            ("type", .string("final")), ("line", .int(Int64(s.lineID))), ("channel", .int(Int64(s.channel))),
            ("speaker", .opt(s.speaker) { .int(Int64($0)) }),
            ("start", .double(s.start)), ("end", .double(s.end)),
            ("start_unix_ms", .int(sessionStartUnixMs + Timecode.milliseconds(s.start))),
            ("end_unix_ms", .int(sessionStartUnixMs + Timecode.milliseconds(s.end))),
            ("confidence", .double(s.confidence)), ("speech_final", .bool(s.speechFinal)),
            ("from_finalize", .bool(s.fromFinalize)), ("transcript", .string(s.text)),
            ("words", .array(s.words.map { DeepgramJSONExporter.word($0, exact: true) })),
        ]
        if s.unconfirmed { o.append(("unconfirmed", .bool(true))) }
        return JSONValue.object(o).rendered
    }

    /// A server's Metadata (its request id, the models that ran) as a line: the message as the
    /// server sends it, `"type":"Metadata"` included.
    public static func encode(_ m: Metadata) -> String { ServerMessage.metadata(m).encoded() }

    /// A `--search` query's new hits on a channel, as a line.
    public static func encode(_ s: ChannelSearchHits) -> String {
        JSONValue.object([
            ("type", .string("search")), ("channel", .int(Int64(s.channel))), ("query", .string(s.hits.query)),
            ("hits", .array(s.hits.hits.map(hitValue))),
        ]).rendered
    }

    /// An entity of a final (`detect_entities`), as a line.
    public static func encode(_ e: TimedEntity) -> String {
        JSONValue.object([
            ("type", .string("entity")), ("channel", .int(Int64(e.channel))), ("label", .string(e.label)),
            ("value", .string(e.value)), ("raw_value", .opt(e.rawValue, JSONValue.string)),
            ("confidence", .opt(e.confidence, JSONValue.double)), ("start", .double(e.start)), ("end", .double(e.end)),
            ("word_count", .int(Int64(e.words))),
        ]).rendered
    }

    /// Audio lost in the session, as a line.
    public static func encode(_ g: AudioGap) -> String {
        JSONValue.object([("type", .string("gap")), ("start", .double(g.start)), ("duration", .double(g.duration)),
                          ("reason", .string(g.reason))]).rendered
    }

    /// Where the session's audio ended, as a line (written when it finishes).
    public static func encode(audioEnd seconds: Double) -> String {
        JSONValue.object([("type", .string("end")), ("audio_seconds", .double(seconds))]).rendered
    }

    /// Engine options changed mid-session, as a line.
    public static func encode(_ c: OptionsChange) -> String {
        var o: [(String, JSONValue)] = [("type", .string("options")), ("start", .double(c.start)),
                                        ("changes", .array(c.changes.map { .string($0) }))]
        if let data = try? JSONEncoder.sorted.encode(c.options), let s = String(data: data, encoding: .utf8) {
            o.append(("options", .raw(s)))
        }
        o.append(("options_query", .string(c.options.queryString)))
        return JSONValue.object(o).rendered
    }

    /// A search hit as Deepgram writes it (`confidence`, `start`, `end`, `snippet`).
    static func hitValue(_ h: SearchHits.Hit) -> JSONValue {
        .object([("confidence", .opt(h.confidence, JSONValue.double)), ("start", .opt(h.start, JSONValue.double)),
                 ("end", .opt(h.end, JSONValue.double)), ("snippet", .opt(h.snippet, JSONValue.string))])
    }

    /// A decoded journal line.
    public enum Record: Sendable, Equatable {
        case header(JournalHeader)
        case final(CommittedSegment)
        /// A connection's Metadata (one per connection that finished).
        case metadata(Metadata)
        /// New hits of a `--search` query.
        case search(ChannelSearchHits)
        /// An entity of a final (`detect_entities`).
        case entity(TimedEntity)
        /// Audio lost in the session (no captions for it).
        case gap(AudioGap)
        /// Where the session's audio ended, in seconds (the session finished).
        case end(audioSeconds: Double)
        /// Engine options changed mid-session.
        case options(OptionsChange)
        /// A record type this version does not know.
        case other(type: String)
    }

    /// Why a line could not be decoded.
    public struct DecodingFailure: Error, Sendable, Equatable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Every field of every record type, so a line is decoded once.
    private struct AnyRecord: Decodable {
        var type: String?
        // header
        var format: String?
        var version: Int?
        var captty_version: String?
        var engine: String?
        var model: String?
        var start_time: String?
        var start_unix_ms: Int64?
        // final
        var line: Int?
        var channel: Int?
        var speaker: Int?
        var start: Double?
        var end: Double?
        var confidence: Double?
        var speech_final: Bool?
        var from_finalize: Bool?
        var unconfirmed: Bool?
        var words: [CaptionWord]?
        var transcript: String?
    }

    private struct OptionsRecord: Decodable { var options: LiveOptions? }
    private struct GapRecord: Decodable { var start: Double; var duration: Double; var reason: String? }
    private struct EndRecord: Decodable { var audio_seconds: Double }
    private struct OptionsChangeRecord: Decodable { var start: Double; var changes: [String]?; var options: LiveOptions? }
    private struct SearchRecord: Decodable { var channel: Int?; var query: String; var hits: [SearchHits.Hit] }
    private struct EntityRecord: Decodable {
        var channel: Int?; var label: String; var value: String; var raw_value: String?; var confidence: Double?
        var start: Double; var end: Double; var word_count: Int
    }

    /// Decodes from any JSON object (and from nothing else), whatever its keys.
    private struct AnyJSONObject: Decodable {
        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        init(from decoder: any Decoder) throws { _ = try decoder.container(keyedBy: Key.self) }
    }

    public static func decode(_ line: Substring) throws(DecodingFailure) -> Record {
        let data = Data(line.utf8)
        let dec = JSONDecoder()
        let r: AnyRecord
        do { r = try dec.decode(AnyRecord.self, from: data) } catch {
            if (try? dec.decode(AnyJSONObject.self, from: data)) != nil {
                throw DecodingFailure(reason: "malformed record: \(Self.describe(error))")
            }
            throw DecodingFailure(reason: "not a JSON object")
        }
        switch r.type {
        case "header":
            guard r.format == JournalHeader.formatName else {
                throw DecodingFailure(reason: "header is not a \(JournalHeader.formatName) header")
            }
            guard let ms = r.start_unix_ms else { throw DecodingFailure(reason: "header has no start_unix_ms") }
            // Between 1970 and 9999: a start ±9e18 ms moved a joined session's times past what
            // an export can count.
            guard (0 ... 253_402_300_799_999).contains(ms) else {
                throw DecodingFailure(reason: "header start_unix_ms \(ms) is not a date between 1970 and 9999")
            }
            if let v = r.version, v < 1 { throw DecodingFailure(reason: "header version \(v) is not a journal format version (1 or later)") }
            let opts = (try? dec.decode(OptionsRecord.self, from: data))?.options
            return .header(JournalHeader(engine: r.engine ?? "unknown", model: r.model, options: opts,
                                         startTime: Date(timeIntervalSince1970: Double(ms) / 1000),
                                         capttyVersion: r.captty_version ?? "unknown",
                                         formatVersion: r.version ?? 1))
        case "final":
            guard let line = r.line, let start = r.start, let end = r.end, let words = r.words else {
                let missing = [("line", r.line == nil), ("start", r.start == nil), ("end", r.end == nil), ("words", r.words == nil)]
                    .filter(\.1).map { "\"\($0.0)\"" }.joined(separator: ", ")
                throw DecodingFailure(reason: "final record without \(missing)")
            }
            // Times captty could have written: a negative or huge time (1e300 s) put its line
            // first, or at hour 1281023894007, without a word.
            let times = [start, end] + words.flatMap { [$0.start, $0.end] }
            if let bad = times.first(where: { !Self.sessionTimes.contains($0) }) {
                throw DecodingFailure(reason: "a time of \(bad) s is outside the session (0 to \(Int(MessageBounds.maxSeconds)) s)")
            }
            guard (0 ... Self.maxLineID).contains(line) else {
                throw DecodingFailure(reason: "line id \(line) is outside 0…\(Self.maxLineID)")
            }
            let channel = r.channel ?? 0
            // The bound the live decoder applies (a line it accepted is journaled and must be
            // read back: 256 made `captty export` call captty's own journal corrupt).
            guard (0 ... maxChannel).contains(channel) else {
                throw DecodingFailure(reason: "channel \(channel) is outside 0…\(maxChannel)")
            }
            // A final with a transcript but no words (a journal another tool wrote, or edited by
            // hand) gets its words spread over its span, as a live final without word timings
            // does: its text vanished from every export.
            var kept = words
            if kept.isEmpty, let text = r.transcript {
                let tokens = text.split(whereSeparator: \.isWhitespace)
                let step = tokens.isEmpty ? 0 : max(end - start, 0) / Double(tokens.count)
                kept = tokens.enumerated().map { i, t in
                    CaptionWord(word: String(t).lowercased(), text: String(t), start: start + Double(i) * step,
                                end: start + Double(i + 1) * step, confidence: r.confidence ?? 0, speaker: r.speaker)
                }
            }
            return .final(CommittedSegment(lineID: line, channel: channel, speaker: r.speaker,
                                           start: start, end: end, confidence: r.confidence ?? 0,
                                           words: kept, speechFinal: r.speech_final ?? false,
                                           fromFinalize: r.from_finalize ?? false, unconfirmed: r.unconfirmed ?? false))
        case "search":
            guard let r = try? dec.decode(SearchRecord.self, from: data) else { throw DecodingFailure(reason: "malformed search record") }
            // The bounds of a final's times (a hit at 1e16 s crashed every export; found in QA).
            if let bad = r.hits.flatMap({ [$0.start, $0.end].compactMap { $0 } }).first(where: { !Self.sessionTimes.contains($0) }) {
                throw DecodingFailure(reason: "a search hit time of \(bad) s is outside the session (0 to \(Int(MessageBounds.maxSeconds)) s)")
            }
            let channel = r.channel ?? 0
            guard (0 ... maxChannel).contains(channel) else { throw DecodingFailure(reason: "channel \(channel) is outside 0…\(maxChannel)") }
            return .search(ChannelSearchHits(channel: channel, hits: SearchHits(query: r.query, hits: r.hits)))
        case "entity":
            guard let r = try? dec.decode(EntityRecord.self, from: data), Self.sessionTimes.contains(r.start),
                  Self.sessionTimes.contains(r.end), (1 ... Self.maxEntityWords).contains(r.word_count) else {
                throw DecodingFailure(reason: "malformed entity record")
            }
            let channel = r.channel ?? 0
            guard (0 ... maxChannel).contains(channel) else { throw DecodingFailure(reason: "channel \(channel) is outside 0…\(maxChannel)") }
            return .entity(TimedEntity(channel: channel, label: r.label, value: r.value, rawValue: r.raw_value,
                                       confidence: r.confidence, start: r.start, end: r.end, words: r.word_count))
        case "gap":
            guard let g = try? dec.decode(GapRecord.self, from: data), g.start.isFinite, g.duration.isFinite, g.duration >= 0 else {
                throw DecodingFailure(reason: "malformed gap record")
            }
            // The bounds of a final's times: a gap at 1e16 s crashed every export (found in QA).
            if let bad = [g.start, g.start + g.duration].first(where: { !Self.sessionTimes.contains($0) }) {
                throw DecodingFailure(reason: "a gap time of \(bad) s is outside the session (0 to \(Int(MessageBounds.maxSeconds)) s)")
            }
            // One line, no control characters, as caption text: a reason with blank lines in it
            // broke the SRT and WebVTT structure around its note (found in QA).
            let reason = CaptionText.oneLine(g.reason ?? "audio lost")
            return .gap(AudioGap(start: g.start, duration: g.duration, reason: String(reason.prefix(200))))
        case "end":
            guard let e = try? dec.decode(EndRecord.self, from: data), Self.sessionTimes.contains(e.audio_seconds) else {
                throw DecodingFailure(reason: "malformed end record")
            }
            return .end(audioSeconds: max(0, e.audio_seconds))
        case "options":
            guard let r = try? dec.decode(OptionsChangeRecord.self, from: data), Self.sessionTimes.contains(r.start) else {
                throw DecodingFailure(reason: "malformed options record")
            }
            // Words for one short note each: a hand-edited record's text is not a page.
            let changes = (r.changes ?? []).prefix(20).map { String(CaptionText.oneLine($0).prefix(200)) }.filter { !$0.isEmpty }
            return .options(OptionsChange(start: max(0, r.start), options: r.options ?? LiveOptions(), changes: Array(changes)))
        case "Metadata":
            guard case .metadata(let m) = (try? ServerMessage.decode(String(line))) ?? .unhandled(type: "Metadata", raw: "") else {
                throw DecodingFailure(reason: "malformed Metadata record")
            }
            return .metadata(m)
        case let t?:
            return .other(type: t)
        case nil:
            throw DecodingFailure(reason: "record has no \"type\"")
        }
    }

    static func describe(_ e: any Error) -> String {
        switch e as? DecodingError {
        case .keyNotFound(let k, _)?: return "missing \"\(k.stringValue)\""
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?:
            return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case .dataCorrupted(let c)?:
            // The JSON itself was read (`decode` checked): a number that does not fit its field
            // ("line": 1.5 or 1e30) is reported by JSONDecoder as "not valid JSON".
            let at = c.codingPath.map(\.stringValue).joined(separator: ".")
            return at.isEmpty ? "a value of the wrong type or out of range (e.g. a line number that is not a whole number)"
                              : "a value of the wrong type or out of range at \(at)"
        default: return "\(e)"
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
