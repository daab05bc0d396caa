/// Exports list lines and cues by start time: channels commit independently, so a line of
/// channel 1 can be stored before an earlier line of channel 0 (and WebVTT requires cues in
/// order of their start times). Both sorts are stable: equal starts keep their stored order.
enum ExportOrder {
    static func lines(_ lines: some Sequence<CaptionLine>) -> [CaptionLine] {
        stable(Array(lines), by: \.start)
    }

    static func cues(_ cues: [Cue]) -> [Cue] { stable(cues, by: \.startMs) }

    private static func stable<T, K: Comparable>(_ items: [T], by key: (T) -> K) -> [T] {
        // Already ordered (every single-channel transcript): no copy, no sort.
        if zip(items, items.dropFirst()).allSatisfy({ key($0) <= key($1) }) { return items }
        return items.enumerated().sorted { a, b in
            let ka = key(a.element), kb = key(b.element)
            return ka < kb || (ka == kb && a.offset < b.offset)
        }.map(\.element)
    }
}
