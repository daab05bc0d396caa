/// Read access to committed caption lines without copying them into every frame.
///
/// The renderer only asks for the lines it needs to fill the screen (walking back from the
/// bottom, or forward from the scroll anchor), so a frame costs the same with 10 lines or
/// 100,000. Implementations must be immutable values (or behave like them) because a
/// `ScreenSnapshot` holding one may be drawn on another thread.
public protocol CaptionLineSource: Sendable {
    /// How many committed lines there are.
    var count: Int { get }
    /// A number that changes whenever any line changes (added, edited or removed).
    var revision: Int { get }
    /// The line at a position in `0..<count`.
    func line(at index: Int) -> CaptionLineView
    /// The position of the line with an id, or nil if it is not (or no longer) there.
    func index(ofLineID id: Int) -> Int?
}

extension CaptionLineSource {
    /// Binary search by id: ids increase with position (see `CaptionLineView.id`).
    public func index(ofLineID id: Int) -> Int? {
        var lo = 0
        var hi = count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let midID = line(at: mid).id
            if midID == id { return mid }
            if midID < id { lo = mid + 1 } else { hi = mid - 1 }
        }
        return nil
    }
}
