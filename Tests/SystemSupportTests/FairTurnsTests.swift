import Foundation
import SystemSupport
import Testing

/// `FairTurns` serves threads in the order they asked, and one that asks again at once waits
/// behind those already waiting (a plain mutex let it win again and again).
@Suite struct FairTurnsTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var names: [String] = []
        func add(_ n: String) { lock.withLock { names.append(n) } }
        var all: [String] { lock.withLock { names } }
    }

    /// Waits (bounded) until `turns` has `n` threads queued.
    func waitQueued(_ turns: FairTurns, _ n: Int) throws {
        let deadline = Date().addingTimeInterval(10)
        while turns.queued < n {
            guard Date() < deadline else { throw PeerTimeout() }
            usleep(1_000)
        }
    }
    struct PeerTimeout: Error {}

    @Test func turnsGoInArrivalOrderAndAGreedyThreadWaitsItsTurn() throws {
        let turns = FairTurns()
        let log = Log()
        let release = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        // "greedy" holds the first turn, then asks again at once, twice.
        done.enter()
        Thread.detachNewThread {
            turns.withTurn { log.add("greedy"); release.wait() }
            turns.withTurn { log.add("greedy") }
            done.leave()
        }
        try waitQueued(turns, 1)
        for name in ["b", "c"] {
            done.enter()
            Thread.detachNewThread { turns.withTurn { log.add(name) }; done.leave() }
            try waitQueued(turns, name == "b" ? 2 : 3)
        }
        release.signal()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(log.all == ["greedy", "b", "c", "greedy"])
        #expect(turns.queued == 0)
    }

    @Test func aThrowingTurnPassesTheTurnOn() throws {
        struct Boom: Error {}
        let turns = FairTurns()
        #expect(throws: Boom.self) { try turns.withTurn { () throws(Boom) in throw Boom() } }
        #expect(turns.queued == 0)
        #expect(turns.withTurn { 42 } == 42)
    }
}
