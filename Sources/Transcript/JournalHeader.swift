import Deepgram
import FoundationEssentials
import SystemSupport

/// The first line of a journal: what produced the session and when it started.
public struct JournalHeader: Sendable, Equatable {
    /// The `format` value that marks a captty journal.
    public static let formatName = "captty-journal"
    /// The journal format version this build writes (and the newest it reads).
    public static let formatVersion = 1

    /// `deepgram`, `local`, …
    public var engine: String
    public var model: String?
    public var options: LiveOptions?
    /// Session start, kept to the millisecond.
    public var startTime: Date
    public var capttyVersion: String
    public var formatVersion: Int

    public init(engine: String, model: String? = nil, options: LiveOptions? = nil, startTime: Date = Date(),
                capttyVersion: String, formatVersion: Int = JournalHeader.formatVersion) {
        self.engine = engine; self.model = model; self.options = options
        self.startTime = Date(timeIntervalSince1970: Double(Self.unixMilliseconds(startTime)) / 1000)
        self.capttyVersion = capttyVersion; self.formatVersion = formatVersion
    }

    /// Session start as Unix milliseconds.
    public var startUnixMs: Int64 { Self.unixMilliseconds(startTime) }

    /// Session start as ISO-8601 UTC with milliseconds (`2026-11-25T12:04:13.123Z`).
    public var startISO8601: String { Self.iso8601(startTime) }

    static func unixMilliseconds(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// ISO-8601 UTC with milliseconds, from whole milliseconds (no rounding to `:60`).
    static func iso8601(_ d: Date) -> String {
        ISO8601Timestamp.utc(milliseconds: unixMilliseconds(d))
    }

    /// A file-name-safe start time (`2026-11-25T12-04-13.123Z`) for default journal paths.
    public var fileStem: String { startISO8601.replacingAll(":", with: "-") }
}
