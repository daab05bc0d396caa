#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// Received messages waiting for the consumer, with byte accounting so the I/O thread stops
/// reading (TCP flow control pushes back on the peer) while the consumer is behind.
///
/// Each message counts its payload plus `perMessageCost`: what holding it costs beyond the
/// payload (its slot, an array or string header, the allocator's rounding). Without it a peer
/// flooding empty or one-byte messages (2–7 bytes on the wire each) would be counted as almost
/// nothing and could fill memory while the limit was never reached.
final class Inbox: @unchecked Sendable {
    static let perMessageCost = 64
    private let lock = Lock()
    private let wakePipe: WakePipe
    private let limit: Int
    private var items = FIFOQueue<WebSocketMessage>()
    private var bytes = 0
    private var highWater = 0
    private var ended = false
    private var endError: Error?
    /// Consumers waiting in `next()`, first come first served (normally just one).
    private var readers: [(id: UInt64, cont: CheckedContinuation<WebSocketMessage?, Error>)] = []
    private var cancelled: Set<UInt64> = []
    private var nextID: UInt64 = 0

    init(limit: Int, wakePipe: WakePipe) {
        self.limit = limit
        self.wakePipe = wakePipe
    }

    /// The public stream: each `next()` of the consumer takes one message from here.
    func makeStream() -> AsyncThrowingStream<WebSocketMessage, Error> {
        AsyncThrowingStream(unfolding: { [self] in try await next() })
    }

    /// The bytes `m` counts for while it waits.
    static func cost(of m: WebSocketMessage) -> Int { m.byteCount + perMessageCost }

    /// Messages waiting (tests).
    var bufferedMessageCount: Int { lock.withLock { items.count } }
    /// Slots in the queue, taken ones not yet dropped included (tests).
    var slotCount: Int { lock.withLock { items.slotCount } }

    /// Whether the consumer is behind by more than the limit (the I/O thread pauses reading).
    var isFull: Bool { lock.withLock { bytes > limit } }
    var bufferedBytes: Int { lock.withLock { bytes } }
    var bufferedBytesHighWater: Int { lock.withLock { highWater } }

    /// I/O thread: a complete message arrived.
    func deliver(_ m: WebSocketMessage) {
        let r: CheckedContinuation<WebSocketMessage?, Error>? = lock.withLock {
            if !readers.isEmpty { return readers.removeFirst().cont }
            items.append(m)
            bytes += Self.cost(of: m)
            highWater = max(highWater, bytes)
            return nil
        }
        r?.resume(returning: m)
    }

    /// I/O thread: no more messages; `error` nil = normal end.
    func finish(_ error: Error?) {
        let waiting: [CheckedContinuation<WebSocketMessage?, Error>] = lock.withLock {
            guard !ended else { return [] }
            ended = true
            endError = error
            let w = readers.map(\.cont)
            readers = []
            if !w.isEmpty { endError = nil }
            return w
        }
        for (i, r) in waiting.enumerated() {
            // The error goes to the first waiting consumer; others see the end.
            if i == 0, let error { r.resume(throwing: error) } else { r.resume(returning: nil) }
        }
    }

    private enum Take {
        case message(WebSocketMessage, wake: Bool)
        case end(Error?)
        case wait
    }

    private func next() async throws -> WebSocketMessage? {
        let id: UInt64 = lock.withLock { nextID += 1; return nextID }
        defer { lock.withLock { _ = cancelled.remove(id) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<WebSocketMessage?, Error>) in
                let take: Take = lock.withLock {
                    if let m = items.popFirst() {
                        let wasFull = bytes > limit
                        bytes -= Self.cost(of: m)
                        return .message(m, wake: wasFull && bytes <= limit)
                    }
                    if ended {
                        let e = endError
                        endError = nil  // the error is thrown once; later calls end quietly
                        return .end(e)
                    }
                    if cancelled.remove(id) != nil { return .end(nil) }
                    readers.append((id, cont))
                    return .wait
                }
                switch take {
                case .message(let m, let wake):
                    if wake { wakePipe.wake() }
                    cont.resume(returning: m)
                case .end(let e?): cont.resume(throwing: e)
                case .end(nil): cont.resume(returning: nil)
                case .wait: break
                }
            }
        } onCancel: {
            // Like AsyncThrowingStream: a cancelled consumer sees the end of the sequence.
            let r: CheckedContinuation<WebSocketMessage?, Error>? = lock.withLock {
                if let i = readers.firstIndex(where: { $0.id == id }) { return readers.remove(at: i).cont }
                cancelled.insert(id)
                return nil
            }
            r?.resume(returning: nil)
        }
    }
}
