import Deepgram
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
///
/// When it syncs (and on `flush`/`close`) the writer checks that its path still names the file
/// it writes (`fstat` of the descriptor against `stat` of the path). If the file was deleted,
/// moved away or replaced while captions ran, the journal is written again: the path is
/// created anew (missing directories too), or, when another file now holds that name, a free
/// name next to it (`<stem>-recovered.jsonl`, `<stem>-recovered-2.jsonl`, …); every line
/// written so far is copied from the still-open old file, and writing continues there. That is
/// said once on `recoveries`. Another file is never overwritten (`O_EXCL`). A file emptied or
/// cut short in place cannot be read back: `rewriteRequests` asks the session for every record,
/// and `rewrite` writes the journal anew in the same file.
public actor JournalWriter {
    /// The path the journal was opened at.
    public nonisolated let url: URL
    /// Where the journal is written now: `url`, or the name next to it that it continues at
    /// after another file took `url` (see `recoveries`).
    public private(set) var currentURL: URL
    /// Each time the journal had to be written again because its file was deleted, moved away
    /// or replaced (for the user, once each).
    public nonisolated let recoveries: AsyncStream<JournalRecovery>
    private let recoveryContinuation: AsyncStream<JournalRecovery>.Continuation
    /// The latest time the journal was written again, if it was.
    public private(set) var lastRecovery: JournalRecovery?
    /// Asks for every record again (`rewrite`): the file was emptied or cut short in place
    /// (`: > journal.jsonl`, a log rotation's copytruncate), so the lines written before are
    /// gone from it and cannot be read back from it.
    public nonisolated let rewriteRequests: AsyncStream<Void>
    private let rewriteContinuation: AsyncStream<Void>.Continuation
    /// A rewrite was asked for and has not come yet.
    private var rewriteAsked = false
    /// Why the next `rewrite` is needed (emptied in place, or a deleted file that could not be
    /// read back), and where the journal was.
    private var rewriteCause: JournalRecovery.Cause = .emptied
    private var rewriteLostPath: String?
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
    /// The path no longer names the open file, and the journal is not yet written again.
    private var lost: JournalRecovery.Cause?
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
        currentURL = url
        self.resume = resume
        self.header = header
        self.syncInterval = syncInterval
        self.retryInterval = retryInterval
        (states, stateContinuation) = AsyncStream.makeStream(of: SaveState.self, bufferingPolicy: .bufferingNewest(1))
        (recoveries, recoveryContinuation) = AsyncStream.makeStream(of: JournalRecovery.self)
        (rewriteRequests, rewriteContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
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

    /// Finals given to `append` so far (a journal with none holds no transcript).
    public private(set) var finalCount = 0

    /// Journals the segments a store change committed; returns the resulting state.
    @discardableResult
    public func append(_ segments: [CommittedSegment]) -> SaveState {
        finalCount += segments.count
        return write(segments.map { JournalCodec.encode($0, sessionStartUnixMs: header.startUnixMs) })
    }

    /// Journals a server's Metadata (`captty export --format json` reports its request id).
    @discardableResult
    public func append(metadata: Metadata) -> SaveState { write([JournalCodec.encode(metadata)]) }

    /// Journals new hits of a `--search` query.
    @discardableResult
    public func append(search: ChannelSearchHits) -> SaveState { write([JournalCodec.encode(search)]) }

    /// Journals an entity of a final (`detect_entities`).
    @discardableResult
    public func append(entity: TimedEntity) -> SaveState { write([JournalCodec.encode(entity)]) }

    /// Journals audio lost in the session.
    @discardableResult
    public func append(gap: AudioGap) -> SaveState { write([JournalCodec.encode(gap)]) }

    /// Journals a change of the engine's options mid-session.
    @discardableResult
    public func append(optionsChange: OptionsChange) -> SaveState { write([JournalCodec.encode(optionsChange)]) }

    /// Journals where the session's audio ended (when it finishes): exports end their last cue by it.
    @discardableResult
    public func append(audioEnd seconds: Double) -> SaveState { write([JournalCodec.encode(audioEnd: seconds)]) }

    /// Queues encoded records (one a line) and writes them unless a retry is pending.
    private func write(_ records: [String]) -> SaveState {
        guard !closed else { return state }
        for r in records { queue.append(r + "\n") }
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
        checkPath()
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
        checkPath()
        drain()
        sync()
        stop(removingIfEmpty: false)
        if rewriteAsked, !state.isFailing {
            // Emptied too late to be written again: the transcript is rescued from memory.
            setState(.failing(path: currentURL.path, message: "\(rewriteLostPath ?? currentURL.path) \(rewriteCause.phrase) while captions "
                              + "ran, and the lines written before are gone from it", retrying: false))
        }
        if !state.isFailing { setState(.closed(path: currentURL.path)) }
        finishStreams()
        return state
    }

    /// Gives up a journal that could not be started: closes it without retrying and removes
    /// the file when it holds nothing (not even the header), so that no empty file is left to
    /// block the same path next time.
    public func abandon() {
        stop(removingIfEmpty: true)
        finishStreams()
    }

    /// Stops retrying and syncing and closes the file (for `abandon`, removing it first when
    /// nothing was written to it and its path still names it).
    private func stop(removingIfEmpty: Bool) {
        retryTask?.cancel(); retryTask = nil
        syncTask?.cancel(); syncTask = nil
        closed = true
        guard fd >= 0 else { return }
        var mine = stat()
        if removingIfEmpty, goodOffset == 0, fstat(fd, &mine) == 0, pathLoss(of: mine) == nil { unlink(currentURL.path) }
        Glibc.close(fd)
        fd = -1
    }

    private func finishStreams() {
        stateContinuation.finish()
        recoveryContinuation.finish()
        rewriteContinuation.finish()
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
        setState(.failing(path: currentURL.path, message: message, retrying: retrying && !closed))
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
        // Readable too: if the path is lost, the lines are copied from this descriptor.
        let f = open(path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
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
        let f = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
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
        if let cause = lost, !writeAgain(cause) { return }
        while queueHead < queue.count {
            let line = queue[queueHead]
            let fd = self.fd
            let result = line.utf8.withContiguousStorageIfAvailable { POSIXFile.writeAll(fd, UnsafeRawBufferPointer($0)) }
                ?? Array(line.utf8).withUnsafeBytes { POSIXFile.writeAll(fd, $0) }
            if let e = result.error {
                var message = ErrnoText.message(e, doing: "write the journal", path: currentURL.path)
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
        setState(.saved(path: currentURL.path))
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
        checkPath()
        if let cause = lost, !writeAgain(cause) { return }
        if fsync(fd) != 0 {
            fail(ErrnoText.message(errno, doing: "sync the journal", path: currentURL.path), retrying: true)
            return
        }
        unsynced = false
        syncCount += 1
    }

    // MARK: A lost path

    /// Checks now that the path still names the journal's file, and writes the journal again
    /// if not. The check at each sync needs a write; during a long silence nothing is written,
    /// and a journal deleted then would be lost with the process (the session calls this every
    /// `Session.journalCheckInterval`).
    public func verifyPath() {
        guard !closed, fd >= 0 else { return }
        checkPath()
        if let cause = lost { _ = writeAgain(cause) }
    }

    /// Notes whether the path still names the open file (two `stat` calls; run at most once
    /// per sync, not per line), and whether the file was cut shorter than what was written.
    private func checkPath() {
        guard lost == nil, fd >= 0 else { return }
        var mine = stat()
        guard fstat(fd, &mine) == 0 else {
            // The open file cannot be looked at: on a FUSE file system (sshfs, bindfs, a sync
            // client's) a file deleted underneath answers ENOENT through its descriptor too.
            // Taken as "can't tell", the journal was written into the void until the end, said
            // to be saved, and gone (found in QA). Gone when its path names nothing either.
            var there = stat()
            if stat(currentURL.path, &there) != 0 && (errno == ENOENT || errno == ENOTDIR) { lost = .deleted }
            return
        }
        lost = pathLoss(of: mine)
        guard lost == nil, !rewriteAsked, mine.st_size < goodOffset else { return }
        // What is left is not this journal's (appends go on at the file's new end).
        goodOffset = mine.st_size
        rewriteAsked = true
        rewriteContinuation.yield(())
    }

    /// Writes the journal again from the start, in the same file: the header and `records`
    /// (every record of the session so far, in order, without newlines), after the file was
    /// emptied in place (`rewriteRequests`). Lines queued before are among `records`.
    public func rewrite(_ records: [String]) {
        guard !closed, fd >= 0, rewriteAsked else { return }
        rewriteAsked = false
        let cause = rewriteCause
        rewriteCause = .emptied
        guard ftruncate(fd, 0) == 0 else {
            fail(ErrnoText.message(errno, doing: "write the journal again in", path: currentURL.path), retrying: false)
            return
        }
        goodOffset = 0
        linesWritten = 0
        queue = [JournalCodec.encode(header) + "\n"] + records.map { $0 + "\n" }
        queueHead = 0
        retryTask?.cancel(); retryTask = nil
        drain()
        guard !state.isFailing else { return }
        let recovery = JournalRecovery(cause: cause, lostPath: rewriteLostPath ?? currentURL.path, path: currentURL.path,
                                       lineCount: records.count)
        rewriteLostPath = nil
        lastRecovery = recovery
        recoveryContinuation.yield(recovery)
    }

    /// What became of the open file's path (`mine`: `fstat` of the open file), or nil while it
    /// names the file (or when that cannot be told, e.g. a directory became unreadable: writing
    /// goes on as before).
    private func pathLoss(of mine: stat) -> JournalRecovery.Cause? {
        var there = stat()
        if stat(currentURL.path, &there) == 0 {
            return there.st_dev == mine.st_dev && there.st_ino == mine.st_ino ? nil : .replaced
        }
        guard errno == ENOENT || errno == ENOTDIR else { return nil }
        return mine.st_nlink == 0 ? .deleted : .movedAway
    }

    /// Writes the journal again after its path stopped naming the open file: a new file at
    /// the path (or, when another file holds it, at a free name next to it), created with
    /// `O_EXCL` and mode 0600 in 0700 directories, gets every complete line of the old file
    /// (read back from its descriptor, which keeps it even when unlinked) and is synced; then
    /// it replaces the old descriptor. Returns false, with the state failing and a retry
    /// scheduled, when that cannot be done yet.
    private func writeAgain(_ cause: JournalRecovery.Cause) -> Bool {
        let lostPath = currentURL.path
        let dir = currentURL.deletingLastPathComponent().path
        if let e = JournalLocation.makeDirectories(dir) {
            failAfterLoss(cause, lostPath: lostPath, ErrnoText.message(e, doing: "create the directory", path: dir))
            return false
        }
        var target: URL?
        var newFD: Int32 = -1
        for candidate in [currentURL] + siblingURLs() {
            let f = open(candidate.path, O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o600)
            if f >= 0 {
                newFD = f
                target = candidate
                break
            }
            let e = errno
            if e == EEXIST { continue }   // another file: left alone, the next name is tried
            failAfterLoss(cause, lostPath: lostPath, ErrnoText.message(e, doing: "create the journal", path: candidate.path))
            return false
        }
        guard let target else {
            failAfterLoss(cause, lostPath: lostPath, "every name like \(siblingURLs().last?.lastPathComponent ?? "") next to it is taken — remove some")
            return false
        }
        fchmod(newFD, 0o600)
        let copy = Self.copyComplete(from: fd, to: newFD, bytes: goodOffset)
        // The old file cannot be read back whole: a FUSE file deleted underneath reads as empty
        // (or fails), and a copy of nothing was said to be the journal written again (found in
        // QA). The new file gets every record again from the session, as one emptied in place.
        let unreadable = (copy.error != nil && copy.readFailed) || (copy.error == nil && copy.copied < goodOffset)
        if unreadable && closing {
            Glibc.close(newFD)
            unlink(target.path)
            let why = copy.error.map { String(cString: strerror($0)) } ?? "it reads as \(copy.copied) of the \(goodOffset) bytes written"
            failAfterLoss(cause, lostPath: lostPath, "its lines could not be read back (\(why))")
            return false
        }
        if unreadable {
            Glibc.close(fd)
            fd = newFD
            currentURL = target
            lost = nil
            guard ftruncate(fd, 0) == 0 else {
                fail(ErrnoText.message(errno, doing: "write the journal again in", path: target.path), retrying: true)
                return false
            }
            goodOffset = 0
            rewriteCause = cause
            rewriteLostPath = lostPath
            rewriteAsked = true
            rewriteContinuation.yield(())
            return true
        }
        var error = copy.error
        if error == nil && fsync(newFD) != 0 { error = errno }
        if let error {
            Glibc.close(newFD)
            unlink(target.path)   // a partial copy helps no one; the whole is written on retry
            failAfterLoss(cause, lostPath: lostPath, ErrnoText.message(error, doing: "write the journal", path: target.path))
            return false
        }
        Glibc.close(fd)
        fd = newFD
        goodOffset = copy.copied
        currentURL = target
        lost = nil
        unsynced = false
        lastSync = clock.now
        let recovery = JournalRecovery(cause: cause, lostPath: lostPath, path: target.path,
                                       lineCount: max(0, copy.lines - 1))   // the header is no transcript line
        lastRecovery = recovery
        recoveryContinuation.yield(recovery)
        if pendingLineCount == 0 { setState(.saved(path: target.path)) }   // else drain() says so once they are written
        return true
    }

    private func failAfterLoss(_ cause: JournalRecovery.Cause, lostPath: String, _ detail: String) {
        let what = "the journal \(lostPath) \(cause.phrase) while captions ran and "
        fail(closing ? what + "could not be written again: \(detail)"
                     : what + "cannot be written again yet: \(detail); retrying, the transcript is kept meanwhile",
             retrying: true)
    }

    /// `<stem>-recovered.<ext>`, `<stem>-recovered-2.<ext>`, … next to `url`.
    private func siblingURLs() -> [URL] {
        let dir = currentURL.deletingLastPathComponent()
        let ext = url.pathExtension
        let stem = url.deletingPathExtension().lastPathComponent + "-recovered"
        return (1 ... 99).map { n in
            let name = (n == 1 ? stem : "\(stem)-\(n)") + (ext.isEmpty ? "" : "." + ext)
            return dir.appendingPathComponent(name)
        }
    }

    /// Copies the first `bytes` bytes of `from` (by offset, whatever its file position) to
    /// `to`; returns how many were copied and how many of them end a line.
    private static func copyComplete(from: Int32, to: Int32, bytes: off_t) -> (copied: off_t, lines: Int, error: Int32?, readFailed: Bool) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        var lines = 0
        while offset < bytes {
            let want = Int(min(off_t(buffer.count), bytes - offset))
            let n = buffer.withUnsafeMutableBytes { pread(from, $0.baseAddress, want, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return (offset, lines, errno, true)
            }
            if n == 0 { break }   // cut short by someone else: what is there is copied
            let result = buffer.withUnsafeBytes { POSIXFile.writeAll(to, UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
            if let e = result.error { return (offset, lines, e, false) }
            for i in 0 ..< n where buffer[i] == UInt8(ascii: "\n") { lines += 1 }
            offset += off_t(n)
        }
        return (offset, lines, nil, false)
    }
}
