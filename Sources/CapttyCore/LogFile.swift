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
/// The log is kept to about twice `rotateBytes`: a file that has grown past it when a session
/// starts becomes `captty.log.1` (replacing the one before), so months of sessions do not
/// fill the disk with a log nobody asked for.
final class LogSink: @unchecked Sendable {
    /// Size past which the log is set aside at the start of a session.
    static let rotateBytes: Int64 = 4 << 20
    private let lock = Lock()
    private let fd: Int32

    init(path: String, rotateBytes: Int64 = LogSink.rotateBytes) {
        let dir = path.pathDeletingLastComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int64(st.st_size) > rotateBytes {
            // rename(2) is atomic: another session still writing goes on into the old file.
            _ = rename(path, path + ".1")
        }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
    }

    deinit { if fd >= 0 { close(fd) } }

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
