import Executors
import Foundation
import Testing

/// The session thread: jobs of tasks that prefer it run there, one at a time and in order;
/// its own sleep wakes at the deadline (never early) and ends early on cancellation.
@Suite struct SerialThreadExecutorTests {
    /// A thread id that Swift can compare.
    static func threadID() -> UInt { UInt(bitPattern: Int(pthread_self())) }

    @Test func tasksThatPreferItRunOnItsThreadAndSeeItAsCurrent() async {
        let ex = SerialThreadExecutor()
        let ids = await withTaskGroup(of: (UInt, Bool).self) { group in
            for _ in 0..<8 {
                group.addTask(executorPreference: ex) {
                    (Self.threadID(), SerialThreadExecutor.current === ex)
                }
            }
            var out: [(UInt, Bool)] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(ids.count == 8)
        #expect(Set(ids.map(\.0)).count == 1, "every job ran on one thread")
        #expect(ids.allSatisfy { $0.1 }, "SerialThreadExecutor.current names the executor on its thread")
        #expect(ids[0].0 != Self.threadID(), "not the test's own thread")
        #expect(SerialThreadExecutor.current == nil, "off the thread there is no current executor")
    }

    @Test func jobsRunOneAtATime() async {
        final class Gauge: @unchecked Sendable {
            let lock = NSLock()
            var inside = 0, most = 0, done = 0
            func enter() { lock.lock(); inside += 1; most = max(most, inside); lock.unlock() }
            func leave() { lock.lock(); inside -= 1; done += 1; lock.unlock() }
        }
        let ex = SerialThreadExecutor()
        let g = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask(executorPreference: ex) {
                    for _ in 0..<4 {
                        g.enter()
                        usleep(200)          // long enough for a second thread to overlap
                        g.leave()
                        await Task.yield()
                    }
                }
            }
        }
        #expect(g.done == 200)
        #expect(g.most == 1, "jobs overlapped: \(g.most) ran at once")
    }

    @Test func sleepWakesAtTheDeadlineNeverEarlyAndInDeadlineOrder() async throws {
        let ex = SerialThreadExecutor()
        final class Order: @unchecked Sendable {
            let lock = NSLock()
            var ids: [Int] = []
            func add(_ i: Int) { lock.lock(); ids.append(i); lock.unlock() }
        }
        let order = Order()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Duration.self) { group in
            for (i, ms) in [(0, 120), (1, 40), (2, 80)] {
                group.addTask(executorPreference: ex) {
                    let due = start + .milliseconds(ms)
                    try await SerialThreadExecutor.sleep(until: due)
                    order.add(i)
                    return ContinuousClock.now - due
                }
            }
            for try await late in group {
                #expect(late >= .zero, "woke \(late) before its deadline")
                #expect(late < .seconds(2), "woke far too late: \(late)")
            }
        }
        #expect(order.ids == [1, 2, 0])
    }

    /// A timer with leeway does not wake the thread at its deadline when another wake-up comes
    /// within the leeway: it fires with that one (never before its deadline).
    @Test func aTimerWithLeewayRidesOnTheNextWakeUp() async throws {
        let ex = SerialThreadExecutor()
        let start = ContinuousClock.now
        async let lazy: Duration = Task(executorPreference: ex) {
            try await ex.sleep(until: start + .milliseconds(100), leeway: .seconds(2))
            return ContinuousClock.now - start
        }.value
        async let punctual: Duration = Task(executorPreference: ex) {
            try await ex.sleep(until: start + .milliseconds(300))
            return ContinuousClock.now - start
        }.value
        let (l, p) = try await (lazy, punctual)
        #expect(p >= .milliseconds(300))
        #expect(l >= .milliseconds(300), "the lazy timer woke the thread on its own at \(l)")
        #expect(l <= p + .milliseconds(100), "it fired with the punctual timer's wake-up (\(l) vs \(p))")
    }

    /// Alone, a timer with leeway still fires: at its deadline plus at most the leeway.
    @Test func aTimerWithLeewayAloneFiresWithinItsLeeway() async throws {
        let ex = SerialThreadExecutor()
        let start = ContinuousClock.now
        let woke = try await Task(executorPreference: ex) {
            try await ex.sleep(until: start + .milliseconds(50), leeway: .milliseconds(200))
            return ContinuousClock.now - start
        }.value
        #expect(woke >= .milliseconds(50))
        #expect(woke < .seconds(3), "woke far too late: \(woke)")
    }

    @Test func cancellingASleepingTaskEndsItsSleepWithCancellationError() async throws {
        let ex = SerialThreadExecutor()
        let t = Task(executorPreference: ex) { () -> Bool in
            do {
                try await SerialThreadExecutor.sleep(until: .now + .seconds(600))
                return false
            } catch is CancellationError {
                return true
            } catch {
                return false
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        t.cancel()
        #expect(await t.value, "the sleep threw CancellationError")
    }

    @Test func aSleepCenturiesAheadWaitsUntilCancelled() async throws {
        let ex = SerialThreadExecutor()
        let start = ContinuousClock.now
        let t = Task(executorPreference: ex) { () -> Bool in
            do {
                try await ex.sleep(until: .now + .seconds(1_000_000_000_000))   // ~31,700 years
                return false
            } catch {
                return error is CancellationError
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        t.cancel()
        #expect(await t.value, "the sleep lasted until it was cancelled")
        #expect(ContinuousClock.now - start >= .milliseconds(100))
    }

    @Test func aTaskCancelledBeforeItSleepsDoesNotSleep() async throws {
        let ex = SerialThreadExecutor()
        let t = Task(executorPreference: ex) { () -> Duration in
            withUnsafeCurrentTask { $0?.cancel() }
            let start = ContinuousClock.now
            try? await ex.sleep(until: .now + .seconds(600))
            return ContinuousClock.now - start
        }
        #expect(await t.value < .seconds(5))
    }

    @Test func continuationsResumedFromAnotherThreadComeBackToTheExecutor() async {
        let ex = SerialThreadExecutor()
        let (before, after) = await Task(executorPreference: ex) { () -> (UInt, UInt) in
            let before = Self.threadID()
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread { usleep(20_000); c.resume() }
            }
            return (before, Self.threadID())
        }.value
        #expect(before == after)
    }

    @Test func offTheThreadTheStaticSleepFallsBackToTaskSleep() async throws {
        let start = ContinuousClock.now
        try await SerialThreadExecutor.sleep(until: start + .milliseconds(30))
        #expect(ContinuousClock.now - start >= .milliseconds(30))
    }

    /// Records what a watch handler saw: calls, bytes read, whether on the executor's thread.
    final class WatchLog: @unchecked Sendable {
        let lock = NSLock()
        var calls = 0, bytes = 0, offThread = 0
        var resumedOnThread: [Bool] = []
        func waitFor(calls n: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(5)
            while lock.withLock({ calls < n }) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Writes one byte to a pipe.
    static func poke(_ fd: Int32) { var b: UInt8 = 7; _ = write(fd, &b, 1) }

    @Test func aWatchedDescriptorIsReadOnTheExecutorsThreadUntilUnwatched() async throws {
        let ex = SerialThreadExecutor()
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let log = WatchLog()
        let readFD = fds[0]
        let id = ex.watch(fd: readFD) {
            var buf = [UInt8](repeating: 0, count: 16)
            let n = read(readFD, &buf, 16)
            log.lock.withLock {
                log.calls += 1
                log.bytes += max(0, n)
                if SerialThreadExecutor.current !== ex { log.offThread += 1 }
            }
            return true
        }
        // The executor is asleep (no jobs, no timers): each byte wakes it through the watch.
        for i in 1...3 {
            Self.poke(fds[1])
            try await log.waitFor(calls: i)
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(log.lock.withLock { (log.calls, log.bytes, log.offThread) } == (3, 3, 0))
        ex.unwatch(id)
        Self.poke(fds[1])
        try await Task.sleep(for: .milliseconds(200))
        #expect(log.lock.withLock { log.calls } == 3, "called after unwatch")
        // The executor still runs jobs and timers after the watch is gone.
        let ran = await Task(executorPreference: ex) { () -> Bool in
            try? await ex.sleep(until: .now + .milliseconds(10))
            return SerialThreadExecutor.current === ex
        }.value
        #expect(ran)
    }

    @Test func aHandlerReturningFalseIsNotCalledAgainAndItsResumedTasksRunOnTheThread() async throws {
        let ex = SerialThreadExecutor()
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let log = WatchLog()
        let readFD = fds[0]
        // A task on the executor waits for the handler, which resumes it from the thread's poll.
        final class Waiter: @unchecked Sendable {
            let lock = NSLock()
            var continuation: CheckedContinuation<Bool, Never>?
        }
        let waiter = Waiter()
        let task = Task(executorPreference: ex) { () -> Bool in
            let handlerWasOnThread = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                waiter.lock.withLock { waiter.continuation = c }
            }
            return handlerWasOnThread && SerialThreadExecutor.current === ex
        }
        while waiter.lock.withLock({ waiter.continuation == nil }) { try await Task.sleep(for: .milliseconds(5)) }
        ex.watch(fd: readFD) {
            log.lock.withLock { log.calls += 1 }
            let c = waiter.lock.withLock { () -> CheckedContinuation<Bool, Never>? in
                defer { waiter.continuation = nil }
                return waiter.continuation
            }
            c?.resume(returning: SerialThreadExecutor.current === ex)
            return false   // not read: a level-triggered watch would fire again if kept
        }
        Self.poke(fds[1])
        #expect(await task.value)
        try await Task.sleep(for: .milliseconds(200))
        #expect(log.lock.withLock { log.calls } == 1, "a handler that returned false was called again")
    }
}

