import FoundationEssentials
import Glibc

/// Appends the session's finals to an append-only JSON Lines journal as they commit.
///
/// Each line reaches the kernel with one `write()` as soon as it is appended, so a killed
/// process loses nothing already appended; `fsync` runs at most `syncInterval` after a write
/// (1 s by default), so a machine crash loses at most that much. The file is created with mode
/// 0600 (missing directories 0700) and never overwritten.
///
/// When writing fails (disk full, file too large, permissions) the lines stay queued in
/// memory, the state becomes `.failing`, and writing is retried every `retryInterval`. A
/// partial line is cut back (`ftruncate`) to the last complete line first, so what is already
/// written stays intact and the journal never holds a torn line in its middle.
public actor JournalWriter {
    public nonisolated let url: URL
    /// Save-state changes, newest first wins (for the UI).
    public nonisolated let states: AsyncStream<SaveState>
    private let stateContinuation: AsyncStream<SaveState>.Continuation
    private let header: JournalHeader
    private let syncInterval: Duration
    private let retryInterval: Duration
    private let clock = ContinuousClock()

    private var fd: Int32 = -1
    private var queue: [String] = []
    private var queueHead = 0
    /// Bytes of complete lines in the file.
    private var goodOffset: off_t = 0
    private var unsynced = false
    private var lastSync: ContinuousClock.Instant
    private var syncTask: Task<Void, Never>?
    private var retryTask: Task<Void, Never>?
    private var closed = false
    private let resume: Bool
    /// Whether a failure cannot be cured by retrying (the path is taken by another file).
    private var permanentFailure = false
    public private(set) var state: SaveState
    /// Lines written since the journal opened (header included).
    public private(set) var linesWritten = 0
    /// Successful fsyncs (for tests).
    private(set) var syncCount = 0

    /// Opens (creates) the journal at `url` and writes the header. Failure to create the file
    /// is not thrown: it shows in `state` and is retried like any write failure.
    ///
    /// With `resume`, an existing captty journal at `url` is continued (a restored session):
    /// its header is kept, a torn last line is cut off, and new finals are appended. Anything
    /// else already at `url` is never touched.
    public init(url: URL, header: JournalHeader, resume: Bool = false, syncInterval: Duration = .seconds(1),
                retryInterval: Duration = .seconds(1)) async {
        self.url = url
        self.resume = resume
        self.header = header
        self.syncInterval = syncInterval
        self.retryInterval = retryInterval
        (states, stateContinuation) = AsyncStream.makeStream(of: SaveState.self, bufferingPolicy: .bufferingNewest(1))
        state = .starting(path: url.path)
        lastSync = clock.now
        queue = [JournalCodec.encode(header) + "\n"]
        drain()
    }

    deinit {
        retryTask?.cancel()
        syncTask?.cancel()
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
        }
    }

    /// Journals the segments a store change committed; returns the resulting state.
    @discardableResult
    public func append(_ segments: [CommittedSegment]) -> SaveState {
        guard !closed else { return state }
        for s in segments { queue.append(JournalCodec.encode(s, sessionStartUnixMs: header.startUnixMs) + "\n") }
        if retryTask == nil { drain() }
        return state
    }

    /// `append(change.committed)`.
    @discardableResult
    public func append(_ change: StoreChange) -> SaveState { append(change.committed) }

    /// Lines waiting to be written (non-zero only while failing).
    public var pendingLineCount: Int { queue.count - queueHead }

    /// Writes what is queued and fsyncs now.
    @discardableResult
    public func flush() -> SaveState {
        drain()
        sync()
        return state
    }

    /// Flushes and closes the file. Lines that still cannot be written stay in
    /// `pendingLineCount` and the state stays `.failing`.
    @discardableResult
    public func close() -> SaveState {
        retryTask?.cancel(); retryTask = nil
        closing = true
        drain()
        sync()
        syncTask?.cancel(); syncTask = nil
        closed = true
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
        if !state.isFailing { setState(.closed(path: url.path)) }
        stateContinuation.finish()
        return state
    }

    // MARK: Internals

    /// `close()` is writing the last lines: a failure now is not retried.
    private var closing = false

    private func setState(_ s: SaveState) {
        guard s != state else { return }
        state = s
        stateContinuation.yield(s)
    }

    private func fail(_ message: String, retrying: Bool) {
        setState(.failing(path: url.path, message: message, retrying: retrying && !closed))
        guard retrying, !closed, retryTask == nil else { return }
        let delay = retryInterval
        retryTask = Task { [weak self] in
            try? await Task.sleep(for: delay)
            await self?.retry()
        }
    }

    private func retry() {
        retryTask = nil
        guard !closed else { return }
        drain()
    }

    private func openFile() -> Bool {
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        if let e = JournalLocation.makeDirectories(dir) {
            fail(ErrnoText.message(e, doing: "create the directory", path: dir), retrying: true)
            return false
        }
        if resume, access(path, F_OK) == 0 { return openExisting() }
        let f = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
        guard f >= 0 else {
            let e = errno
            permanentFailure = e == EEXIST
            fail(ErrnoText.message(e, doing: "create the journal", path: path), retrying: e != EEXIST)
            return false
        }
        fchmod(f, 0o600)
        fd = f
        goodOffset = 0
        return true
    }

    /// Continues an existing journal: checks it is one, cuts a torn last line, skips the header.
    private func openExisting() -> Bool {
        let path = url.path
        let data: [UInt8]
        switch POSIXFile.readAll(path) {
        case .success(let d): data = [UInt8](d)
        case .failure(let e):
            fail(ErrnoText.message(e.code, doing: "read the journal", path: path), retrying: true)
            return false
        }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        do {
            _ = try JournalReader.parse(Data(data[0 ..< keep]), path: path)
        } catch {
            permanentFailure = true
            fail("cannot continue \(path): \(error) — choose another path", retrying: false)
            return false
        }
        let f = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard f >= 0 else {
            fail(ErrnoText.message(errno, doing: "open the journal", path: path), retrying: true)
            return false
        }
        if keep < data.count && ftruncate(f, off_t(keep)) != 0 {
            let e = errno
            Glibc.close(f)
            fail(ErrnoText.message(e, doing: "cut the torn last line of", path: path), retrying: true)
            return false
        }
        fchmod(f, 0o600)
        fd = f
        goodOffset = off_t(keep)
        if queueHead == 0 && !queue.isEmpty && linesWritten == 0 { queueHead = 1 }  // the header is already there
        return true
    }

    private func drain() {
        guard !permanentFailure else { return }
        if fd < 0 && !openFile() { return }
        while queueHead < queue.count {
            let line = queue[queueHead]
            let fd = self.fd
            let result = line.utf8.withContiguousStorageIfAvailable { POSIXFile.writeAll(fd, UnsafeRawBufferPointer($0)) }
                ?? Array(line.utf8).withUnsafeBytes { POSIXFile.writeAll(fd, $0) }
            if let e = result.error {
                var message = ErrnoText.message(e, doing: "write the journal", path: url.path)
                // Cut any partial line so the file ends with a complete line.
                if ftruncate(fd, goodOffset) != 0 {
                    message += "; could not remove a partial line (\(String(cString: strerror(errno))))"
                }
                message += closing ? " — \(pendingLineCount) line(s) could not be saved there"
                                   : " — \(pendingLineCount) line(s) kept in memory, retrying"
                fail(message, retrying: true)
                return
            }
            goodOffset += off_t(result.written)
            queueHead += 1
            linesWritten += 1
            unsynced = true
        }
        queue.removeAll(keepingCapacity: queue.capacity < 1024)
        queueHead = 0
        setState(.saved(path: url.path))
        scheduleSync()
    }

    private func scheduleSync() {
        guard unsynced, fd >= 0 else { return }
        let due = lastSync.advanced(by: syncInterval)
        if clock.now >= due {
            sync()
        } else if syncTask == nil {
            syncTask = Task { [weak self] in
                try? await Task.sleep(until: due, clock: .continuous)
                await self?.syncDue()
            }
        }
    }

    private func syncDue() {
        syncTask = nil
        sync()
    }

    private func sync() {
        guard unsynced, fd >= 0 else { return }
        lastSync = clock.now
        if fsync(fd) != 0 {
            fail(ErrnoText.message(errno, doing: "sync the journal", path: url.path), retrying: true)
            return
        }
        unsynced = false
        syncCount += 1
    }
}
