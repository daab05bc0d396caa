/// A first-in first-out queue over one array. Taking from the front moves a head index (O(1))
/// and lets go of the element at once; the vacated slots are dropped when they are at least
/// `compactAfter` and at least half the array, so a queue whose consumer is always a little
/// behind (it never empties) does not grow for the length of a session.
public struct FIFOQueue<Element> {
    private var slots: [Element?] = []
    private var head = 0
    /// Vacated slots are dropped once there are this many and they are half the array or more.
    public let compactAfter: Int

    public init(compactAfter: Int = 64) {
        precondition(compactAfter > 0)
        self.compactAfter = compactAfter
    }

    /// Elements waiting.
    public var count: Int { slots.count - head }
    public var isEmpty: Bool { head == slots.count }
    /// Slots in the array, vacated ones not yet dropped included (for tests of the bound).
    public var slotCount: Int { slots.count }

    /// The `i`-th waiting element, 0 being the oldest.
    public subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "FIFOQueue index out of range")
            return slots[head + i]!
        }
        _modify {
            precondition(i >= 0 && i < count, "FIFOQueue index out of range")
            yield &slots[head + i]!   // in place: a stored array is changed without a copy
        }
    }

    public var first: Element? { isEmpty ? nil : slots[head] }

    public mutating func append(_ e: Element) { slots.append(e) }

    /// Takes the oldest element.
    @discardableResult
    public mutating func popFirst() -> Element? {
        guard head < slots.count else { return nil }
        let e = slots[head]
        slots[head] = nil
        head += 1
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= compactAfter && head * 2 >= slots.count {
            slots.removeFirst(head)
            head = 0
        }
        return e
    }

    public mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        head = 0
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
