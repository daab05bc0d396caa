import FoundationEssentials
import Glibc

/// ISO-8601 timestamps written without `ISO8601DateFormatter`, whose ICU calendar, time-zone and
/// locale data cost megabytes of resident memory the first time it runs (issue #8). Output is
/// byte-identical to the formatter's: the date is first rounded to the millisecond.
public enum ISO8601Timestamp {
    /// UTC with milliseconds from whole Unix milliseconds: `2026-11-25T12:04:13.123Z`.
    public static func utc(milliseconds ms: Int64) -> String {
        let (secs, frac) = split(ms)
        var t = time_t(secs)
        var parts = tm()
        gmtime_r(&t, &parts)
        return dateTime(parts) + "." + pad(frac, 3) + "Z"
    }

    /// UTC to the second, as `ISO8601DateFormatter().string(from:)` writes it: `2026-11-25T12:04:13Z`.
    public static func utcSeconds(_ date: Date) -> String {
        let (secs, _) = split(milliseconds(date))
        var t = time_t(secs)
        var parts = tm()
        gmtime_r(&t, &parts)
        return dateTime(parts) + "Z"
    }

    /// Local time with milliseconds and the UTC offset (`Z` when it is zero), as
    /// `ISO8601DateFormatter` with `.withInternetDateTime, .withFractionalSeconds` and the current
    /// time zone writes it: `2026-11-25T13:04:13.123+01:00`.
    public static func local(_ date: Date) -> String {
        let (secs, frac) = split(milliseconds(date))
        var t = time_t(secs)
        var parts = tm()
        localtime_r(&t, &parts)
        let offset = Int64(parts.tm_gmtoff)
        var zone = "Z"
        if offset != 0 {
            let minutes = abs(offset) / 60
            zone = (offset < 0 ? "-" : "+") + pad(minutes / 60, 2) + ":" + pad(minutes % 60, 2)
        }
        return dateTime(parts) + "." + pad(frac, 3) + zone
    }

    /// A date rounded to the nearest whole Unix millisecond.
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// Whole seconds (floored) and the millisecond remainder (0...999).
    static func split(_ ms: Int64) -> (Int64, Int64) {
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        return (secs, ms - secs * 1000)
    }

    static func dateTime(_ p: tm) -> String {
        pad(Int64(p.tm_year) + 1900, 4) + "-" + pad(Int64(p.tm_mon) + 1, 2) + "-" + pad(Int64(p.tm_mday), 2)
            + "T" + pad(Int64(p.tm_hour), 2) + ":" + pad(Int64(p.tm_min), 2) + ":" + pad(Int64(p.tm_sec), 2)
    }

    /// Decimal digits, zero-padded on the left to `width`.
    static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
