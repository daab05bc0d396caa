import SystemSupport
import Testing

@Suite("FIFOQueue: first in first out, taken elements let go at once, bounded slots")
struct FIFOQueueTests {
    @Test func keepsOrderAndCount() {
        var q = FIFOQueue<Int>()
        #expect(q.popFirst() == nil)
        for i in 0..<10 { q.append(i) }
        #expect(q.count == 10 && q.first == 0 && q[9] == 9)
        #expect(q.popFirst() == 0 && q.popFirst() == 1)
        #expect(q.count == 8 && q[0] == 2 && q.first == 2)
        var out: [Int] = []
        while let x = q.popFirst() { out.append(x) }
        #expect(out == Array(2..<10) && q.isEmpty && q.slotCount == 0)
    }

    final class Token { }

    @Test func letsGoOfATakenElementAtOnce() {
        var q = FIFOQueue<Token>()
        weak var taken: Token?
        do {
            let t = Token()
            taken = t
            q.append(t)
            q.append(Token())
        }
        _ = q.popFirst()
        // One element still waits, so the slot array is not cleared: the slot must be.
        #expect(q.count == 1)
        #expect(taken == nil, "the queue still holds an element it handed out")
    }

    /// A consumer always one element behind never empties the queue.
    @Test func slotsStayBoundedWhenNeverEmpty() {
        var q = FIFOQueue<Int>(compactAfter: 64)
        q.append(0)
        var maxSlots = 0
        for i in 1...10_000 {
            q.append(i)
            #expect(q.popFirst() == i - 1)
            maxSlots = max(maxSlots, q.slotCount)
        }
        #expect(q.count == 1 && q.first == 10_000)
        #expect(maxSlots <= 2 * 64 + 1, "slots grew to \(maxSlots)")
    }

    @Test func changesAnElementInPlace() {
        var q = FIFOQueue<[UInt8]>()
        q.append([1, 2, 3])
        q.append([4])
        _ = q.popFirst()
        q.append([5, 6])
        q[0].append(9)
        q[1].removeFirst()
        #expect(q[0] == [4, 9] && q[1] == [6])
    }
}
