import FoundationEssentials
import Glibc

/// Draws snapshots onto a terminal: only when the snapshot (or the size) changed, at most 30
/// frames a second, sending only the rows that differ from the previous frame.
///
/// The cost of a frame depends on the screen size, not on the transcript length (see
/// `CaptionViewport`). Not thread-safe: use it from the thread that owns the terminal.
///
/// A typical loop (input with a timeout, so it redraws without busy-waiting):
///
///     TerminalSignals.installTerminationHandlers()
///     let term = try CursesTerminal(allowColor: mode.usesColor)
///     defer { term.end() }
///     let renderer = Renderer(terminal: term)
///     while !done && !TerminalSignals.terminationRequested {
///         var wait = 100
///         if case .deferred(let s) = renderer.render(model.snapshot(), now: Renderer.monotonicSeconds()) {
///             wait = Int(s * 1000) + 1
///         }
///         guard let key = term.readKey(timeoutMilliseconds: wait) else { continue }
///         switch ScreenCommand.route(key, overlay: model.overlay, bindings: model.keys) { … }
///     }
public final class Renderer {
    /// What `render` did.
    public enum Outcome: Equatable, Sendable {
        case drawn
        /// Nothing changed since the last frame.
        case unchanged
        /// Changed, but too soon after the last frame: call again after this many seconds.
        case deferred(seconds: Double)
    }

    public let terminal: any Terminal
    public private(set) var limiter: FrameLimiter
    public private(set) var framesDrawn = 0
    private var lastSnapshot: ScreenSnapshot?
    private var lastSurface: Surface?
    private var needsFullRepaint = true

    public init(terminal: any Terminal, maxFramesPerSecond: Double = 30) {
        self.terminal = terminal
        limiter = FrameLimiter(maxFramesPerSecond: maxFramesPerSecond)
    }

    /// Seconds on the monotonic clock, for `render(_:now:)`.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Forces the next frame to clear and repaint everything (Ctrl-L, after a resize).
    public func invalidate() {
        needsFullRepaint = true
        lastSnapshot = nil
    }

    /// Draws the snapshot if it changed and the frame budget allows. `now` is monotonic seconds.
    @discardableResult
    public func render(_ snapshot: ScreenSnapshot, now: Double) -> Outcome {
        let size = terminal.size
        if lastSurface?.size != size { needsFullRepaint = true }
        if !needsFullRepaint, snapshot == lastSnapshot { return .unchanged }
        let wait = limiter.delay(at: now)
        if wait > 0 { return .deferred(seconds: wait) }
        draw(snapshot, size: size)
        limiter.didRender(at: now)
        return .drawn
    }

    /// Draws a frame now, ignoring the frame budget (used for the first and the last frame).
    public func renderNow(_ snapshot: ScreenSnapshot, now: Double) {
        draw(snapshot, size: terminal.size)
        limiter.didRender(at: now)
    }

    private func draw(_ snapshot: ScreenSnapshot, size: TerminalSize) {
        let surface = ScreenView.render(snapshot, size: size)
        let full = needsFullRepaint || lastSurface == nil
        if full { terminal.clear() }
        for row in 0..<surface.height where full || surface.rowDiffers(row, from: lastSurface!) {
            for run in surface.runs(row: row) {
                terminal.put(run.text, row: row, col: run.col, style: run.style)
            }
        }
        terminal.refresh()
        lastSurface = surface
        lastSnapshot = snapshot
        needsFullRepaint = false
        framesDrawn += 1
    }
}
