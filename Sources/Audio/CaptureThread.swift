import CPulse
import FoundationEssentials
import SystemSupport

/// The one thread that owns a `pa_simple` record stream and blocks in `pa_simple_read`.
///
/// Control (stop, switch device) goes through locked flags checked between reads, so a
/// request takes effect within one chunk. All libpulse calls happen on this thread.
final class CaptureThread: Sendable {
    private let options: PulseCaptureOptions
    private let format: AudioFormat
    private let continuation: AsyncThrowingStream<AudioChunk, Error>.Continuation
    private let events: Locked<AsyncStream<CaptureEvent>.Continuation?>
    private let stopFlag: Locked<Bool>
    /// A device switch the thread has not yet made.
    private let requested = Locked<(name: String, label: String)?>(nil)
    private let initial: (name: String, label: String)

    init(options: PulseCaptureOptions, format: AudioFormat, device: String, label: String,
         continuation: AsyncThrowingStream<AudioChunk, Error>.Continuation,
         events: Locked<AsyncStream<CaptureEvent>.Continuation?>, stopFlag: Locked<Bool>) {
        self.options = options; self.format = format; self.continuation = continuation
        self.events = events; self.stopFlag = stopFlag
        initial = (device, label)
    }

    func start() {
        if !Threads.detach(name: "captty.pulse", { [self] in run() }) {
            continuation.finish(throwing: AudioError.pulse(operation: "capture", detail: Threads.cannotStart))
        }
    }

    func stop() { stopFlag.withLock { $0 = true } }
    var isStopped: Bool { stopFlag.value }

    func switchDevice(to name: String, label: String) {
        requested.withLock { $0 = (name, label) }
    }

    private func emit(_ e: CaptureEvent) { _ = events.withLock { $0?.yield(e) } }

    /// Opens a record stream on `device`; returns the stream or libpulse's error code.
    private func open(_ device: String, _ pa: PulseLibrary) -> (OpaquePointer?, Int32) {
        var spec = pa_sample_spec(format: PA_SAMPLE_S16LE, rate: UInt32(format.sampleRate), channels: UInt8(format.channels))
        let chunkBytes = chunkFrames * format.bytesPerFrame
        var attr = pa_buffer_attr(maxlength: UInt32.max, tlength: UInt32.max, prebuf: UInt32.max,
                                  minreq: UInt32.max, fragsize: UInt32(chunkBytes))
        var err: Int32 = 0
        let s = pa.simpleNew(options.server, "captty", PA_STREAM_RECORD, device, "captions",
                              &spec, nil, &attr, &err)
        return (s, err)
    }

    private var chunkFrames: Int { max(1, Int((options.chunkDuration * Double(format.sampleRate)).rounded())) }

    private static func message(_ err: Int32, _ pa: PulseLibrary) -> String { pa.errorText(err) }

    private func run() {
        let pa: PulseLibrary
        switch PulseLibrary.shared {
        case .success(let loaded): pa = loaded
        case .failure(let error): continuation.finish(throwing: error); return
        }
        var device = initial
        var (stream, err) = open(device.name, pa)
        guard let first = stream else {
            continuation.finish(throwing: initialError(err, device: device, pa))
            return
        }
        stream = first
        emit(.capturing(device: device.label))
        let frames = chunkFrames
        let bytes = frames * format.bytesPerFrame
        let clock = ContinuousClock()
        var frame: Int64 = 0
        var lastEnd: ContinuousClock.Instant?
        var measureGap = false
        var buf = [UInt8](repeating: 0, count: bytes)
        defer { if let s = stream { pa.simpleFree(s) } }

        while !stopFlag.value {
            if let req = requested.withLock({ r -> (name: String, label: String)? in defer { r = nil }; return r }) {
                if let s = stream { pa.simpleFree(s) }
                (stream, err) = open(req.name, pa)
                device = req
                measureGap = true
                if stream != nil { emit(.capturing(device: device.label)) }
            }
            if let s = stream {
                var e: Int32 = 0
                let rc = buf.withUnsafeMutableBytes { pa.simpleRead(s, $0.baseAddress, bytes, &e) }
                if rc >= 0 {
                    let now = clock.now
                    var gap = 0.0
                    if measureGap, let lastEnd {
                        let lost = (now - .seconds(options.chunkDuration)) - lastEnd
                        let seconds = Double(lost.components.seconds) + Double(lost.components.attoseconds) / 1e18
                        if seconds >= options.minimumReportedGap {
                            let gapFrames = Int64((seconds * Double(format.sampleRate)).rounded())
                            frame += gapFrames
                            gap = Double(gapFrames) / Double(format.sampleRate)
                            emit(.resumed(gap: gap))
                        }
                    }
                    measureGap = false
                    continuation.yield(AudioChunk(format: format, data: buf, startFrame: frame, gapBefore: gap))
                    frame += Int64(frames)
                    lastEnd = now
                    continue
                }
                pa.simpleFree(s)
                stream = nil
                err = e
            }
            // Lost the server (or the device): reconnect with backoff until it works or we stop.
            guard let reopened = reconnect(device: device, reason: Self.message(err, pa), pa) else { return }
            (stream, device) = reopened
            measureGap = true
            emit(.capturing(device: device.label))
        }
        continuation.finish()
    }

    /// Tries to reopen `device` with exponential backoff — or the device the user picked
    /// meanwhile, at once (a device that is gone for good was retried forever, the pick ignored).
    /// Returns the stream and its device; nil when stopped or given up (having finished the stream).
    private func reconnect(device: (name: String, label: String), reason: String,
                           _ pa: PulseLibrary) -> (OpaquePointer, (name: String, label: String))? {
        var device = device
        var delay = options.reconnectDelay
        var attempt = 0
        var lastError = reason
        while true {
            attempt += 1
            if let max = options.maxReconnectAttempts, attempt > max {
                continuation.finish(throwing: AudioError.noServer(
                    server: options.server, detail: "lost the connection and \(max) reconnection attempts failed (last: \(lastError))"))
                return nil
            }
            emit(.reconnecting(attempt: attempt, delay: delay, reason: lastError))
            // Sleep in small steps so stop() and a device switch are honoured promptly.
            let until = Date().addingTimeInterval(delay)
            var picked = false
            while Date() < until {
                if stopFlag.value { continuation.finish(); return nil }
                if let req = requested.withLock({ r -> (name: String, label: String)? in defer { r = nil }; return r }) {
                    device = req
                    picked = true
                    break
                }
                Threads.sleep(seconds: min(0.02, max(0, until.timeIntervalSinceNow)))
            }
            if stopFlag.value { continuation.finish(); return nil }
            let (s, err) = open(device.name, pa)
            if let s { return (s, device) }
            if picked { delay = options.reconnectDelay; continue }
            lastError = Self.message(err, pa)
            delay = min(delay * 2, options.maxReconnectDelay)
        }
    }

    private func initialError(_ err: Int32, device: (name: String, label: String), _ pa: PulseLibrary) -> AudioError {
        if err == Int32(PA_ERR_NOENTITY.rawValue) {
            let devices = (try? PulseQuery.listSources(server: options.server, timeout: 5)) ?? []
            return .unknownDevice(device.label, available: devices)
        }
        if err == Int32(PA_ERR_CONNECTIONREFUSED.rawValue) || err == Int32(PA_ERR_INVALIDSERVER.rawValue)
            || err == Int32(PA_ERR_TIMEOUT.rawValue) || err == Int32(PA_ERR_CONNECTIONTERMINATED.rawValue) {
            return .noServer(server: options.server, detail: Self.message(err, pa))
        }
        return .pulse(operation: "opening a record stream on \(device.label)", detail: Self.message(err, pa))
    }
}
