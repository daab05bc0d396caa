import Deepgram

/// What one `TranscriptStore.apply(_:)` changed, for the UI and the journal.
public struct StoreChange: Sendable, Equatable {
    /// Words committed by this event, grouped by line; hand these to the journal.
    public var committed: [CommittedSegment] = []
    /// Whether a pending interim was set, replaced or cleared.
    public var interimChanged = false
    /// Lines closed by this event (pause, utterance end or speaker change).
    public var closedLineIDs: [Int] = []
    /// Words dropped because they repeat already committed words (replay after a reconnect).
    public var duplicateWordsDropped = 0
    /// A final for audio this channel had already captioned on the same connection (a server
    /// re-sending an old final, or revising one): its span, left out. Deepgram's finals follow
    /// each other; such a result was shown again and moved to the end of the transcript.
    public var staleFinal: ClosedRange<Double>?
    /// Search hits of a final result not seen before (a replay repeats them), by channel.
    public var searchHits: [ChannelSearchHits] = []
    /// Entities of a final result (`detect_entities`) not seen before, timed.
    public var entities: [TimedEntity] = []

    public init() {}

    /// True when nothing visible or persistent changed.
    public var isEmpty: Bool { committed.isEmpty && !interimChanged && closedLineIDs.isEmpty }
}

/// One query's new hits on one channel (`--search`), for the journal and the JSON export.
public struct ChannelSearchHits: Sendable, Equatable {
    public var channel: Int
    public var hits: SearchHits
    public init(channel: Int, hits: SearchHits) { self.channel = channel; self.hits = hits }
}

/// Search hits gathered over a session: by channel, one entry per query in the order first
/// seen, hits in time order, each hit once (a reconnect's replay repeats them).
public struct SearchResults: Sendable, Equatable {
    public private(set) var byChannel: [Int: [SearchHits]] = [:]
    private var seen: Set<HitKey> = []
    private struct HitKey: Hashable { let channel: Int; let query: String; let startMs: Int64 }

    public init() {}

    public var isEmpty: Bool { byChannel.isEmpty }

    /// A time as whole milliseconds for a key, whatever the value (1e16 s trapped).
    static func keyMilliseconds(_ t: Double) -> Int64 {
        t.isFinite ? Int64((min(max(t, -1e12), 1e12) * 1000).rounded()) : -2
    }

    /// Adds `hits` of `channel`; returns the ones not seen before (nil when none).
    @discardableResult
    public mutating func add(_ hits: SearchHits, channel: Int) -> SearchHits? {
        let fresh = hits.hits.filter { h in
            seen.insert(HitKey(channel: channel, query: hits.query, startMs: h.start.map(Self.keyMilliseconds) ?? -1)).inserted
        }
        guard !fresh.isEmpty else { return nil }
        var list = byChannel[channel] ?? []
        if let i = list.firstIndex(where: { $0.query == hits.query }) {
            list[i].hits = (list[i].hits + fresh).sorted { ($0.start ?? 0) < ($1.start ?? 0) }
        } else {
            list.append(SearchHits(query: hits.query, hits: fresh))
        }
        byChannel[channel] = list
        return SearchHits(query: hits.query, hits: fresh)
    }
}

/// An entity of a final (`detect_entities`), placed on the session clock by its words: the
/// word indices Deepgram gives only make sense within that one result (and a reconnect's
/// replay drops repeated words), so the journal and the exports keep times.
public struct TimedEntity: Sendable, Equatable {
    public var channel: Int
    /// The kind, e.g. `NAME`, `PHONE_NUMBER`.
    public var label: String
    /// As formatted; `rawValue` as spoken.
    public var value: String
    public var rawValue: String?
    public var confidence: Double?
    /// Start of its first word and end of its last, in session seconds.
    public var start: Double
    public var end: Double
    /// How many words it spans in the transcript (its first word is the first at `start`).
    public var words: Int
    public init(channel: Int, label: String, value: String, rawValue: String? = nil, confidence: Double? = nil,
                start: Double, end: Double, words: Int) {
        self.channel = channel; self.label = label; self.value = value; self.rawValue = rawValue
        self.confidence = confidence; self.start = start; self.end = end; self.words = words
    }
}

/// Entities gathered over a session, by channel in time order, each once (a reconnect's
/// replay repeats them).
public struct EntityResults: Sendable, Equatable {
    public private(set) var byChannel: [Int: [TimedEntity]] = [:]
    private var seen: Set<Key> = []
    private struct Key: Hashable { let channel: Int; let label: String; let value: String; let startMs: Int64 }

    public init() {}

    public var isEmpty: Bool { byChannel.isEmpty }

    /// Adds `e`; false when it was there already.
    @discardableResult
    public mutating func add(_ e: TimedEntity) -> Bool {
        guard seen.insert(Key(channel: e.channel, label: e.label, value: e.value, startMs: SearchResults.keyMilliseconds(e.start))).inserted
        else { return false }
        var list = byChannel[e.channel] ?? []
        let i = list.lastIndex { $0.start <= e.start }.map { $0 + 1 } ?? 0
        list.insert(e, at: i)
        byChannel[e.channel] = list
        return true
    }
}
