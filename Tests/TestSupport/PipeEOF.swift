import Foundation

/// A child's output pipe read with `readabilityHandler`: the handler is removed at the end of
/// the output, and before the pipe is closed. Closing a pipe whose dispatch source was still
/// registered let libdispatch's event loop meet the freed source when the descriptor was reused
/// (a crash in `_dispatch_event_loop_drain` on a CI run, in a test that made many peers).
public final class PipeEOF: @unchecked Sendable {
    private let lock = NSLock()
    private var reached = false

    public init() {}

    /// Installs `onData` as `handle`'s readability handler; the handler goes at end of file.
    public func read(_ handle: FileHandle, _ onData: @escaping @Sendable (Data) -> Void) {
        handle.readabilityHandler = { [self] h in
            let d = h.availableData
            if d.isEmpty {
                h.readabilityHandler = nil
                lock.withLock { reached = true }
            }
            onData(d)
        }
    }

    /// Waits (bounded) for the end of the output, then removes the handler if it is still there:
    /// call before the pipe can be closed (after the child exited or was killed).
    public func settle(_ handle: FileHandle, timeout: Double = 2) {
        let deadline = Date().addingTimeInterval(timeout)
        while !lock.withLock({ reached }) && Date() < deadline { usleep(5_000) }
        if !lock.withLock({ reached }) { handle.readabilityHandler = nil }
        usleep(20_000)   // the source's cancellation is processed on libdispatch's own thread
    }
}
