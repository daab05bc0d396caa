/// A note placed among the caption lines of a text or Markdown export at its time: audio lost
/// (`AudioGap.note`) or options changed (`OptionsChange.note`).
struct TimedNote {
    var start: Double
    var text: String

    /// Gaps and option changes in time order (a gap before a change at the same time).
    static func all(_ options: ExportOptions) -> [TimedNote] {
        let gaps = options.gaps.map { TimedNote(start: $0.start, text: $0.note) }
        let changes = options.optionChanges.map { TimedNote(start: $0.start, text: $0.note) }
        guard !changes.isEmpty else { return gaps }
        // (Stable: `sort` alone may reorder notes of the same time.)
        return (gaps + changes).enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
    }
}
