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
    /// Search hits of a final result not seen before (a replay repeats them), by channel.
    public var searchHits: [ChannelSearchHits] = []

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

    /// Adds `hits` of `channel`; returns the ones not seen before (nil when none).
    @discardableResult
    public mutating func add(_ hits: SearchHits, channel: Int) -> SearchHits? {
        let fresh = hits.hits.filter { h in
            seen.insert(HitKey(channel: channel, query: hits.query, startMs: Int64(((h.start ?? -1) * 1000).rounded()))).inserted
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
