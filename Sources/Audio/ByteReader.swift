import FoundationEssentials
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor on one dedicated thread into a small bounded queue of blocks.
///
/// Blocking `read(2)` (a pipe on stdin can block for ever) never runs on Swift's cooperative
/// pool; the consumer awaits blocks, and the thread stops reading while the queue is full,
/// so a fast reader never buffers a whole file ahead of a slow consumer.
final class ByteReader: Sendable {
    private let core: ByteReaderCore

    init(fd: Int32, path: String, closeWhenDone: Bool, blockSize: Int = 64 * 1024, capacity: Int = 4) {
        core = ByteReaderCore(fd: fd, path: path, closeWhenDone: closeWhenDone, blockSize: blockSize, capacity: capacity)
    }

    /// Dropping the reader stops its thread (after the current `read` returns) and closes the fd.
    deinit { core.cancel() }

    /// Stops reading after the current `read` returns.
    func cancel() { core.cancel() }

    /// The next block, or nil at end of input.
    func next() async throws(AudioError) -> [UInt8]? { try await core.next() }

    /// The next block, nil at end of input, or `.timedOut` when none came within `limit`.
    func next(within limit: Duration) async throws(AudioError) -> TimedBlock {
        try await core.next(within: limit)
    }

    enum TimedBlock: Sendable, Equatable {
        case block([UInt8]?)
        case timedOut
    }
}

/// The state the reading thread shares with the consumer (the thread holds only this).
private final class ByteReaderCore: @unchecked Sendable {
    private let fd: Int32
    private let closeWhenDone: Bool
    private let blockSize: Int
    private let capacity: Int
    private let path: String
    private let cond = Condition()
    // Guarded by `cond`:
    private var blocks: [[UInt8]] = []
    private var eof = false
    private var failure: AudioError?
    private var cancelled = false
    private var waiter: CheckedContinuation<Void, Never>?
    /// A timed wait's time ran out before it parked (`poke`).
    private var poked = false

    init(fd: Int32, path: String, closeWhenDone: Bool, blockSize: Int, capacity: Int) {
        self.fd = fd; self.path = path; self.closeWhenDone = closeWhenDone
        self.blockSize = blockSize; self.capacity = capacity
        if !Threads.detach(name: "captty.read", { [self] in self.loop() }) {
            failure = .cannotRead(path: path, detail: "cannot start a thread to read it (the system is out of threads or memory)")
            if closeWhenDone { close(fd) }
        }
    }

    /// Stops reading after the current `read` returns.
    func cancel() {
        cond.lock(); cancelled = true; cond.broadcast(); cond.unlock()
    }

    /// The next block, or nil at end of input.
    func next() async throws(AudioError) -> [UInt8]? {
        while true {
            if let r = poll() { return try r.get() }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in wait(c) }
        }
    }

    /// The next block, nil at the end, or `.timedOut` when none came within `limit`.
    func next(within limit: Duration) async throws(AudioError) -> ByteReader.TimedBlock {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        let timer = Task { [self] in
            try? await Task.sleep(until: deadline, clock: clock)
            self.poke()
        }
        defer { timer.cancel() }
        while true {
            if let r = poll() { return .block(try r.get()) }
            if clock.now >= deadline { return .timedOut }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in wait(c) }
        }
    }

    /// Wakes the consumer waiting in `next(within:)` (its time is up), or the next one to wait.
    private func poke() {
        cond.lock()
        let w = waiter; waiter = nil
        if w == nil { poked = true }
        cond.unlock()
        w?.resume()
    }

    /// A block, the end, or the failure, if one is ready.
    private func poll() -> Result<[UInt8]?, AudioError>? {
        cond.lock(); defer { cond.unlock() }
        if !blocks.isEmpty {
            let b = blocks.removeFirst()
            cond.broadcast()
            return .success(b)
        }
        if let failure { return .failure(failure) }
        if eof || cancelled { return .success(nil) }
        return nil
    }

    /// Parks `c` until the thread has news (resumes at once if it already has).
    private func wait(_ c: CheckedContinuation<Void, Never>) {
        cond.lock()
        if !blocks.isEmpty || failure != nil || eof || cancelled || poked { poked = false; cond.unlock(); c.resume(); return }
        waiter = c
        cond.unlock()
    }

    private func loop() {
        var buf = [UInt8](repeating: 0, count: blockSize)
        while true {
            cond.lock()
            while blocks.count >= capacity && !cancelled { cond.wait() }
            let stop = cancelled
            cond.unlock()
            if stop { break }
            var n: Int
            repeat { n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, blockSize) } } while n < 0 && errno == EINTR
            let err = n < 0 ? String(cString: strerror(errno)) : nil
            cond.lock()
            if n > 0 { blocks.append(Array(buf[0..<n])) } else if n == 0 { eof = true } else {
                failure = .cannotRead(path: path, detail: err ?? "read failed")
            }
            let w = waiter; waiter = nil
            cond.broadcast()
            cond.unlock()
            w?.resume()
            if n <= 0 { break }
        }
        if closeWhenDone { close(fd) }
        cond.lock()
        eof = true
        let w = waiter; waiter = nil
        cond.unlock()
        w?.resume()
    }
}
