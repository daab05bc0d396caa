import Foundation

/// Fails the test if `operation` takes longer than `limit` (tests must never hang): on timeout
/// the operation is cancelled and abandoned, and this throws at once.
public func within<T: Sendable>(_ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let once = ResumeOnce<T>()
    return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
        once.set(c)
        let work = Task {
            do { once.resume(.success(try await operation())) } catch { once.resume(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if Task.isCancelled { return }
            work.cancel()
            once.resume(.failure(DeadlineError(description: "\(what) did not finish within \(limit)")))
        }
        once.onResume { timer.cancel() }
    }
}

/// Thrown by `within` when the operation is late.
public struct DeadlineError: Error, CustomStringConvertible {
    public var description: String
}

/// A continuation resumed exactly once, by whichever side comes first.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?
    private var done: (@Sendable () -> Void)?

    func set(_ c: CheckedContinuation<T, Error>) { lock.withLock { continuation = c } }
    func onResume(_ f: @escaping @Sendable () -> Void) {
        let already = lock.withLock { () -> Bool in
            if continuation == nil { return true }
            done = f; return false
        }
        if already { f() }
    }
    func resume(_ r: Result<T, Error>) {
        let (c, f) = lock.withLock { () -> (CheckedContinuation<T, Error>?, (@Sendable () -> Void)?) in
            let c = continuation; continuation = nil
            let f = done; done = nil
            return (c, f)
        }
        c?.resume(with: r)
        f?()
    }
}

/// Reads `value` every `interval` until two reads in a row agree (the producer stopped), or
/// `limit` has passed; returns the last read. For "wait until reading/sending has stopped".
public func steadyValue<T: Equatable & Sendable>(within limit: Duration, every interval: Duration,
                                                 _ value: () async -> T) async throws -> T {
    var last = await value()
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        try await Task.sleep(for: interval)
        let now = await value()
        if now == last { break }
        last = now
    }
    return last
}
