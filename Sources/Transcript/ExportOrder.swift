/// Exports list lines and cues by start time: channels commit independently, so a line of
/// channel 1 can be stored before an earlier line of channel 0 (and WebVTT requires cues in
/// order of their start times). Equal starts go in channel order (two channels speaking at
/// once came out in whichever order their engines finished, different from run to run), then
/// in their stored order.
enum ExportOrder {
    static func lines(_ lines: some Sequence<CaptionLine>) -> [CaptionLine] {
        stable(Array(lines), by: { ($0.start, $0.channel) })
    }

    static func cues(_ cues: [Cue]) -> [Cue] { stable(cues, by: { ($0.startMs, $0.channel) }) }

    private static func stable<T, K: Comparable, C: Comparable>(_ items: [T], by key: (T) -> (K, C)) -> [T] {
        func before(_ a: (K, C), _ b: (K, C)) -> Bool { a.0 < b.0 || (a.0 == b.0 && a.1 < b.1) }
        // Already ordered (every single-channel transcript): no copy, no sort.
        if zip(items, items.dropFirst()).allSatisfy({ !before(key($1), key($0)) }) { return items }
        return items.enumerated().sorted { a, b in
            let ka = key(a.element), kb = key(b.element)
            return before(ka, kb) || (!before(kb, ka) && a.offset < b.offset)
        }.map(\.element)
    }
}
