/// Decides when a frame may be drawn: only when something changed, and at most
/// `maxFramesPerSecond` times a second. Times are seconds on a monotonic clock.
public struct FrameLimiter: Equatable, Sendable {
    public let minimumInterval: Double
    public private(set) var lastFrameTime: Double?

    public init(maxFramesPerSecond: Double = 30) {
        minimumInterval = 1 / max(1, maxFramesPerSecond)
    }

    /// Seconds to wait before a changed frame may be drawn (0: draw now).
    public func delay(at now: Double) -> Double {
        guard let last = lastFrameTime else { return 0 }
        return max(0, last + minimumInterval - now)
    }

    /// Records that a frame was drawn.
    public mutating func didRender(at now: Double) { lastFrameTime = now }
}
