import FoundationEssentials
import SystemSupport

/// Delivers a client's events to its `events` sequence and to callbacks registered with `on`.
///
/// The sequence buffers every event unless the client is used with callbacks only (handlers
/// registered and `events` never read), so a callback-only session of hours holds no backlog.
/// Callbacks run one at a time, in event order, on one task.
final class EventHub: @unchecked Sendable {
    typealias Handler = @Sendable (LiveEvent) async -> Void

    private let lock = Lock()
    private let stream: AsyncStream<LiveEvent>
    private let continuation: AsyncStream<LiveEvent>.Continuation
    private var streamRead = false
    private var handlers: [Handler] = []
    private var dispatchContinuation: AsyncStream<LiveEvent>.Continuation?
    private var dispatcher: Task<Void, Never>?
    private var finished = false

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .unbounded)
    }

    var events: AsyncStream<LiveEvent> {
        lock.lock(); streamRead = true; lock.unlock()
        return stream
    }

    func add(_ handler: @escaping Handler) {
        lock.lock(); defer { lock.unlock() }
        handlers.append(handler)
        guard dispatchContinuation == nil, !finished else { return }
        let (s, c) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .unbounded)
        dispatchContinuation = c
        dispatcher = Task { [weak self] in
            for await e in s {
                guard let hs = self?.currentHandlers() else { continue }
                for h in hs { await h(e) }
            }
        }
    }

    private func currentHandlers() -> [Handler] {
        lock.lock(); defer { lock.unlock() }
        return handlers
    }

    func emit(_ e: LiveEvent) {
        lock.lock()
        let toStream = streamRead || handlers.isEmpty
        let dc = dispatchContinuation
        lock.unlock()
        if toStream { continuation.yield(e) }
        dc?.yield(e)
    }

    func finish() {
        lock.lock()
        finished = true
        let dc = dispatchContinuation
        lock.unlock()
        continuation.finish()
        dc?.finish()
    }

    /// Waits until every event emitted so far has been through the callbacks.
    func drained() async {
        await currentDispatcher()?.value
    }

    private func currentDispatcher() -> Task<Void, Never>? {
        lock.withLock { dispatcher }
    }
}
