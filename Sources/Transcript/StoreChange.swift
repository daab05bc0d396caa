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

    public init() {}

    /// True when nothing visible or persistent changed.
    public var isEmpty: Bool { committed.isEmpty && !interimChanged && closedLineIDs.isEmpty }
}
