/// Formats seconds for people: `HH:MM:SS` clocks and short durations.
public enum TimeFormat {
    /// `HH:MM:SS` (hours grow past 99 if they must); negative or non-finite input gives 00:00:00,
    /// and absurdly large input is capped (at about 31 million years) instead of overflowing.
    public static func clock(_ seconds: Double) -> String {
        let total = seconds.isFinite && seconds > 0 ? Int(min(seconds, 1e15)) : 0
        let h = total / 3600, m = (total / 60) % 60, s = total % 60
        return "\(pad2(h)):\(pad2(m)):\(pad2(s))"
    }

    static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
