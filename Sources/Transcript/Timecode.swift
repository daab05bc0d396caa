/// Timestamps for exports, computed from whole milliseconds so that rounding can never yield
/// `00:00:60.000` or `,1000`. Hours are not wrapped at 24 and grow beyond two digits.
public enum Timecode {
    /// Rounds seconds to the nearest millisecond; negative, NaN and infinite values clamp.
    public static func milliseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        let ms = (seconds * 1000).rounded()
        return ms >= Double(Int64.max / 2) ? Int64.max / 2 : Int64(ms)
    }

    /// `HH:MM:SS,mmm` (SubRip).
    public static func srt(_ seconds: Double) -> String { format(milliseconds(seconds), separator: ",") }
    /// `HH:MM:SS.mmm` (WebVTT).
    public static func vtt(_ seconds: Double) -> String { format(milliseconds(seconds), separator: ".") }
    /// `HH:MM:SS`, truncated to the second (plain text and Markdown stamps).
    public static func clock(_ seconds: Double) -> String {
        let ms = milliseconds(seconds)
        let s = ms / 1000
        return "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2))"
    }

    /// `HH:MM:SS<sep>mmm` from whole milliseconds.
    public static func format(_ ms: Int64, separator: Character) -> String {
        let ms = max(0, ms)
        let s = ms / 1000
        return "\(pad(s / 3600, 2)):\(pad(s / 60 % 60, 2)):\(pad(s % 60, 2))\(separator)\(pad(ms % 1000, 3))"
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
