import Deepgram

/// JSON shaped like a Deepgram pre-recorded response (`metadata`, `results.channels[]
/// .alternatives[]` with transcript, confidence and words, and `results.utterances[]`), so
/// tools that read Deepgram output read captty transcripts too.
public enum DeepgramJSONExporter {
    public static func render(_ lines: some Collection<CaptionLine>, header: JournalHeader? = nil,
                              metadata: Metadata? = nil, search: SearchResults = SearchResults(),
                              entities: EntityResults = EntityResults(), gaps: [AudioGap] = [],
                              unconfirmed: [UnconfirmedSpan] = [], audioEnd: Double? = nil,
                              optionChanges: [OptionsChange] = []) -> String {
        value(lines, header: header, metadata: metadata, search: search, entities: entities, gaps: gaps,
              unconfirmed: unconfirmed, audioEnd: audioEnd, optionChanges: optionChanges).pretty + "\n"
    }

    /// `search`: hits of `--search` queries, listed per channel as Deepgram does
    /// (`results.channels[].search[]`, each `query` with its `hits`). `entities`: listed in
    /// the channel's alternative as a pre-recorded response has them, `start_word`/`end_word`
    /// indexing that alternative's `words` (the word after the last, as Deepgram's).
    /// `gaps`: audio lost in the session, as `metadata.captty.gaps` (`start`, `duration`, `reason`).
    /// `unconfirmed`: words the engine never made final, as `metadata.captty.unconfirmed`
    /// (`channel`, `start`, `end`). `audioEnd`: where the audio ended, when known (the
    /// `duration` is at least that: a recording ending in silence, or a session of several
    /// connections, whose last Metadata has only its own connection's length).
    /// `optionChanges`: engine options changed mid-session, as `metadata.captty.option_changes`
    /// (`start`, `changes` in words, `options_query`).
    public static func value(_ lines: some Collection<CaptionLine>, header: JournalHeader? = nil,
                             metadata: Metadata? = nil, search: SearchResults = SearchResults(),
                             entities: EntityResults = EntityResults(), gaps: [AudioGap] = [],
                             unconfirmed: [UnconfirmedSpan] = [], audioEnd: Double? = nil,
                             optionChanges: [OptionsChange] = []) -> JSONValue {
        // By start time, as Deepgram lists utterances and the other exports list lines (channels
        // commit independently: channel 1's line could come before channel 0's earlier one).
        let lines = ExportOrder.lines(lines)
        // `results.channels` is indexed by channel, so its size is bounded: a channel beyond
        // `JournalCodec.channelLimit` (from a misbehaving server) is listed in `utterances` only.
        let limit = JournalCodec.channelLimit
        let highest = lines.lazy.map(\.channel).filter { (0 ..< limit).contains($0) }.max() ?? 0
        let channelCount = min(limit, max(1, highest + 1, metadata?.channels ?? 0))
        var perChannel = [[CaptionLine]](repeating: [], count: channelCount)
        for l in lines where !l.words.isEmpty && (0 ..< channelCount).contains(l.channel) { perChannel[l.channel].append(l) }
        // Audio lost at the end (a device gone, an engine stopped) is part of the session.
        let duration = max(lines.map(\.end).max() ?? 0, gaps.map(\.end).max() ?? 0, audioEnd.map { $0.isFinite ? $0 : 0 } ?? 0)

        var modelInfo: [(String, JSONValue)] = []
        for (k, m) in (metadata?.modelInfo ?? [:]).sorted(by: { $0.key < $1.key }) {
            modelInfo.append((k, .object([("name", .string(m.name)), ("version", .string(m.version)), ("arch", .string(m.arch))])))
        }
        var meta: [(String, JSONValue)] = [
            ("transaction_key", .string(metadata?.transactionKey ?? "deprecated")),
            ("request_id", .string(metadata?.requestID ?? "")),
            ("sha256", .string(metadata?.sha256 ?? "")),
            ("created", .string(metadata?.created ?? header?.startISO8601 ?? "")),
            ("duration", .seconds(max(duration, metadata?.duration ?? 0))),
            ("channels", .int(Int64(channelCount))),
            ("models", .array((metadata?.models ?? []).map(JSONValue.string))),
            ("model_info", .object(modelInfo)),
        ]
        // The request's `extra=KEY:VALUE` pairs, passed back as Deepgram does (from the server's
        // Metadata, else from the session's options).
        if let extra = metadata?.extra ?? header?.options?.extraMetadata {
            meta.append(("extra", .object(extra.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })))
        }
        var captty: [(String, JSONValue)] = []
        if let h = header {
            captty = [("version", .string(h.capttyVersion)), ("engine", .string(h.engine)),
                      ("model", .opt(h.model, JSONValue.string)), ("session_start", .string(h.startISO8601))]
        }
        if !gaps.isEmpty {
            captty.append(("gaps", .array(gaps.map { g in
                .object([("start", .seconds(g.start)), ("duration", .seconds(g.duration)), ("reason", .string(g.reason))])
            })))
        }
        if !unconfirmed.isEmpty {
            captty.append(("unconfirmed", .array(unconfirmed.map { u in
                .object([("channel", .int(Int64(u.channel))), ("start", .seconds(u.start)), ("end", .seconds(u.end))])
            })))
        }
        if !optionChanges.isEmpty {
            captty.append(("option_changes", .array(optionChanges.sorted { $0.start < $1.start }.map { c in
                .object([("start", .seconds(c.start)), ("changes", .array(c.changes.map(JSONValue.string))),
                         ("options_query", .string(c.options.queryString))])
            })))
        }
        if !captty.isEmpty { meta.append(("captty", .object(captty))) }

        let channels: [JSONValue] = perChannel.enumerated().map { c, ls in
            let words = ls.flatMap(\.words)
            let conf = words.isEmpty ? 0 : words.reduce(0) { $0 + $1.confidence } / Double(words.count)
            var fields: [(String, JSONValue)] = []
            if let queries = search.byChannel[c], !queries.isEmpty {
                fields.append(("search", .array(queries.map { q in
                    .object([("query", .string(q.query)), ("hits", .array(q.hits.map(JournalCodec.hitValue)))])
                })))
            }
            var alternative: [(String, JSONValue)] = [
                ("transcript", .string(ls.map(\.text).joined(separator: " "))),
                ("confidence", .fraction(conf)),
                ("words", .array(words.map { word($0) })),
            ]
            if let found = entities.byChannel[c], !found.isEmpty {
                alternative.append(("entities", .array(found.compactMap { entity($0, in: words) })))
            }
            fields.append(("alternatives", .array([.object(alternative)])))
            return .object(fields)
        }
        let utterances: [JSONValue] = lines.filter { !$0.words.isEmpty }.map { l in
            var u: [(String, JSONValue)] = [
                ("start", .seconds(l.start)), ("end", .seconds(l.end)), ("confidence", .fraction(l.confidence)),
                ("channel", .int(Int64(l.channel))), ("transcript", .string(l.text)),
                ("words", .array(l.words.map { word($0) })),
            ]
            if let s = l.speaker { u.append(("speaker", .int(Int64(s)))) }
            u.append(("id", .string(utteranceID(l.id))))
            return .object(u)
        }
        return .object([
            ("metadata", .object(meta)),
            ("results", .object([("channels", .array(channels)), ("utterances", .array(utterances))])),
        ])
    }

    /// A word as Deepgram writes it. The export rounds times to the millisecond and
    /// confidences to 8 decimals (no `10.350000000000009`); the journal (`exact`) keeps every
    /// bit, so that it reads back as what was committed.
    static func word(_ w: CaptionWord, exact: Bool = false) -> JSONValue {
        func time(_ d: Double) -> JSONValue { exact ? .double(d) : .seconds(d) }
        func fraction(_ d: Double) -> JSONValue { exact ? .double(d) : .fraction(d) }
        var o: [(String, JSONValue)] = [
            ("word", .string(w.word)), ("start", time(w.start)), ("end", time(w.end)),
            ("confidence", fraction(w.confidence)),
        ]
        if let s = w.speaker { o.append(("speaker", .int(Int64(s)))) }
        if let s = w.speakerConfidence { o.append(("speaker_confidence", fraction(s))) }
        if let l = w.language { o.append(("language", .string(l))) }
        o.append(("punctuated_word", .string(w.text)))
        return .object(o)
    }

    /// `e` with the indices of its words in `words` (sorted by time): its count of words from
    /// the first at its start; nil when no word starts there (its words are not in the
    /// transcript).
    static func entity(_ e: TimedEntity, in words: [CaptionWord]) -> JSONValue? {
        // The entity's times are its words' own: the slack is for rounding only.
        let slack = 0.0005
        var lo = 0, hi = words.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if words[mid].start >= e.start - slack { hi = mid } else { lo = mid + 1 }
        }
        guard lo < words.count, words[lo].start <= e.start + slack else { return nil }
        let after = lo + min(max(1, e.words), words.count - lo)
        return .object([
            ("label", .string(e.label)), ("value", .string(e.value)), ("raw_value", .string(e.rawValue ?? e.value)),
            ("confidence", .fraction(e.confidence ?? 0)), ("start_word", .int(Int64(lo))), ("end_word", .int(Int64(after))),
        ])
    }

    /// A stable UUID-shaped id for a caption line.
    static func utteranceID(_ id: Int) -> String {
        let hex = String(UInt64(truncatingIfNeeded: id), radix: 16)
        return "00000000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }
}
