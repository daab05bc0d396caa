import FoundationEssentials
import Glibc
import SystemSupport
import Logging

/// captty's log: a private file, never the screen (a full-screen app cannot log to its own
/// terminal). `$CAPTTY_LOG` names the file; the default is
/// `$XDG_STATE_HOME/captty/captty.log` (`~/.local/state/captty/captty.log`).
public enum CapttyLogging {
    /// Routes every `Logger` to the log file. Call once, first thing in `main`.
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = logPath(environment: environment)
        let level = environment["CAPTTY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let sink = LogSink(path: path)
        LoggingSystem.bootstrap { label in
            var h = FileLogHandler(label: label, sink: sink)
            h.logLevel = level
            return h
        }
    }

    public static func logPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["CAPTTY_LOG"], !p.isEmpty { return p }
        return xdgDirectory("XDG_STATE_HOME", fallback: ".local/state", environment: environment) + "/captty/captty.log"
    }
}

/// An append-only, 0600 log file shared by every handler. Unwritable → logging is dropped.
final class LogSink: @unchecked Sendable {
    private let lock = Lock()
    private let fd: Int32

    init(path: String) {
        let dir = path.pathDeletingLastComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    }

    func write(_ line: String) {
        guard fd >= 0 else { return }
        lock.withLock {
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
    }
}

/// A swift-log handler writing one line per message to the shared log file.
struct FileLogHandler: LogHandler {
    let label: String
    let sink: LogSink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let ts = ISO8601Timestamp.local(Date())
        var all = metadata
        if let m = event.metadata { all.merge(m) { $1 } }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(ts) \(event.level) \(label):\(meta) \(event.message)")
    }
}
