import Foundation
import Testing
@testable import WebSocket

/// The wake pipe that interrupts a connection's poll loop never loses a wakeup: whenever a wake
/// is pending a byte is in the pipe (a lost wakeup showed up as 1 s stalls in the benchmark).
@Suite struct WakeupTests {
    @Test("concurrent wakes and drains keep 'pending implies readable'")
    func noLostWakeups() async throws {
        let pipe = try WakePipe()
        // Two real threads race for a bounded number of iterations (not a timing assertion).
        let rounds = 300_000
        let violations = Counter()
        let done = DispatchGroup()
        for role in 0..<2 {
            done.enter()
            Thread.detachNewThread {
                for _ in 0..<rounds {
                    if role == 0 {
                        pipe.wake()
                    } else {
                        pipe.drain()
                        if !pipe.pendingImpliesReadable() { violations.add() }
                    }
                }
                done.leave()
            }
        }
        await withCheckedContinuation { c in done.notify(queue: .global()) { c.resume() } }
        #expect(violations.value == 0)
        #expect(pipe.pendingImpliesReadable())
        pipe.wake()
        var p = pollfd(fd: pipe.readFD, events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 0) == 1, "a wake after the storm must be visible to poll")
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
