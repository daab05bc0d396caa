import FoundationEssentials
import SystemSupport

/// Delivers a client's events to its `events` sequences and to callbacks registered with `on`.
///
/// The first `events` sequence gets every event from the client's creation: it buffers them
/// unless the client is used with callbacks only (handlers registered and `events` never read),
/// so a callback-only session of hours holds no backlog. Each later read of `events` is a
/// sequence of its own with every event from then on: two readers each see all of them, and a
/// reader that stops (its task cancelled, as a SwiftUI `.task` is) leaves the others and later
/// ones working. Callbacks run one at a time, in event order, on one task.
final class EventHub: @unchecked Sendable {
    typealias Handler = @Sendable (LiveEvent) async -> Void

    private let lock = Lock()
    private let stream: AsyncStream<LiveEvent>
    private let continuation: AsyncStream<LiveEvent>.Continuation
    private var streamRead = false
    private var readers: [Int: AsyncStream<LiveEvent>.Continuation] = [:]
    private var nextReader = 0
    private var handlers: [Handler] = []
    private var dispatchContinuation: AsyncStream<LiveEvent>.Continuation?
    private var dispatcher: Task<Void, Never>?
    private var finished = false

    /// The hub whose callbacks the current task is running (finish() from a callback must not
    /// wait for the callbacks to drain: it is one of them).
    @TaskLocal static var dispatching: ObjectIdentifier?

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .unbounded)
    }

    var events: AsyncStream<LiveEvent> {
        lock.lock(); defer { lock.unlock() }
        guard streamRead else {
            streamRead = true
            return stream
        }
        let (s, c) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .unbounded)
        if finished {
            c.finish()
            return s
        }
        let id = nextReader
        nextReader += 1
        readers[id] = c
        c.onTermination = { [weak self] _ in self?.removeReader(id) }
        return s
    }

    private func removeReader(_ id: Int) {
        lock.withLock { _ = readers.removeValue(forKey: id) }
    }

    func add(_ handler: @escaping Handler) {
        lock.lock(); defer { lock.unlock() }
        handlers.append(handler)
        guard dispatchContinuation == nil, !finished else { return }
        let (s, c) = AsyncStream.makeStream(of: LiveEvent.self, bufferingPolicy: .unbounded)
        dispatchContinuation = c
        let me = ObjectIdentifier(self)
        dispatcher = Task { [weak self] in
            await EventHub.$dispatching.withValue(me) {
                for await e in s {
                    guard let hs = self?.currentHandlers() else { continue }
                    for h in hs { await h(e) }
                }
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
        let others = Array(readers.values)
        lock.unlock()
        if toStream { continuation.yield(e) }
        for r in others { r.yield(e) }
        dc?.yield(e)
    }

    func finish() {
        lock.lock()
        finished = true
        let dc = dispatchContinuation
        let others = Array(readers.values)
        readers = [:]
        lock.unlock()
        continuation.finish()
        for r in others { r.finish() }
        dc?.finish()
    }

    /// Waits until every event emitted so far has been through the callbacks; at once when
    /// called from one of them (it would wait for itself).
    func drained() async {
        guard Self.dispatching != ObjectIdentifier(self) else { return }
        await currentDispatcher()?.value
    }

    private func currentDispatcher() -> Task<Void, Never>? {
        lock.withLock { dispatcher }
    }
}
