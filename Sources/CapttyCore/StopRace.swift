import SystemSupport

/// Runs work that may block for a long time (opening a FIFO no one writes to, reading a pipe
/// that has stalled) so that a stop does not wait for it: once `stop` holds (polled every
/// `pollInterval`), `run` returns nil at once and the work goes on unobserved, its result
/// dropped. Ctrl-C was ignored while `captty transcribe` waited for the first byte of a pipe,
/// and at a stall the first Ctrl-C waited 20 s for audio that was not coming.
final class StopRace<T: Sendable>: @unchecked Sendable {
    private let lock = Lock()
    private var waiting: CheckedContinuation<T?, Error>?
    private var stopped = false
    private var finished = false
    private let stop: @Sendable () -> Bool
    static var pollInterval: Duration { .milliseconds(100) }

    /// Starts polling `stop` until it holds or `finish()` is called.
    init(stop: @escaping @Sendable () -> Bool) {
        self.stop = stop
        Task { [weak self] in
            while let race = self, !race.isFinished {
                if race.stop() { race.stopNow(); return }
                try? await Task.sleep(for: Self.pollInterval)
            }
        }
    }

    private var isFinished: Bool { lock.withLock { finished || stopped } }

    /// Ends the polling (the work is done for good).
    func finish() { lock.withLock { finished = true } }

    private func stopNow() {
        let w: CheckedContinuation<T?, Error>? = lock.withLock {
            stopped = true
            defer { waiting = nil }
            return waiting
        }
        w?.resume(returning: nil)
    }

    /// `work`'s result, or nil when stopped first (or already).
    func run(_ work: @escaping @Sendable () async throws -> T) async throws -> T? {
        if stop() { stopNow() }
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T?, Error>) in
            let go: Bool = lock.withLock {
                if stopped { return false }
                waiting = c
                return true
            }
            guard go else { c.resume(returning: nil); return }
            Task {
                let result: Result<T?, Error>
                do { result = .success(try await work()) } catch { result = .failure(error) }
                let w: CheckedContinuation<T?, Error>? = lock.withLock {
                    defer { waiting = nil }
                    return waiting
                }
                w?.resume(with: result)
            }
        }
    }
}
