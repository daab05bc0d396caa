import CPulse
import FoundationEssentials
import SystemSupport

/// The one thread that owns a PulseAudio record stream (`PulseRecordStream`, on its own main
/// loop) and blocks in it until a chunk is full.
///
/// Control (stop, switch device) goes through locked flags, and `waker` interrupts the wait,
/// so a request takes effect at once. All libpulse calls happen on this thread.
final class CaptureThread: Sendable {
    private let options: PulseCaptureOptions
    private let format: AudioFormat
    private let continuation: AsyncThrowingStream<AudioChunk, Error>.Continuation
    private let events: Locked<AsyncStream<CaptureEvent>.Continuation?>
    private let stopFlag: Locked<Bool>
    /// A device switch the thread has not yet made.
    private let requested = Locked<(name: String, label: String)?>(nil)
    private let initial: (name: String, label: String)
    /// Interrupts the thread's wait for audio.
    private let waker: PulseRecordStream.Waker
    /// The description of the device being recorded, as `PulseCapture.name` shows it.
    private let label: Locked<String>

    init(options: PulseCaptureOptions, format: AudioFormat, device: String, label: String,
         continuation: AsyncThrowingStream<AudioChunk, Error>.Continuation,
         events: Locked<AsyncStream<CaptureEvent>.Continuation?>, stopFlag: Locked<Bool>,
         waker: PulseRecordStream.Waker, shownLabel: Locked<String>) {
        self.options = options; self.format = format; self.continuation = continuation
        self.events = events; self.stopFlag = stopFlag; self.waker = waker; self.label = shownLabel
        initial = (device, label)
    }

    func start() {
        if !Threads.detach(name: "captty.pulse", { [self] in run() }) {
            continuation.finish(throwing: AudioError.pulse(operation: "capture", detail: Threads.cannotStart))
        }
    }

    func stop() {
        stopFlag.withLock { $0 = true }
        waker.wake()
    }
    var isStopped: Bool { stopFlag.value }

    func switchDevice(to name: String, label: String) {
        requested.withLock { $0 = (name, label) }
        waker.wake()
    }

    private func emit(_ e: CaptureEvent) { _ = events.withLock { $0?.yield(e) } }

    /// The device being recorded is now known as `description` (here and in `PulseCapture.name`).
    private func relabel(_ device: inout (name: String, label: String), _ description: String) {
        device.label = description
        label.withLock { $0 = description }
    }

    /// Opens a record stream on `device`; returns the stream or libpulse's error code.
    private func open(_ device: String, _ pa: PulseLibrary) -> (PulseRecordStream?, Int32) {
        let spec = pa_sample_spec(format: PA_SAMPLE_S16LE, rate: UInt32(format.sampleRate), channels: UInt8(format.channels))
        let result = PulseRecordStream.open(pa, server: options.server, device: device, spec: spec,
                                            fragmentBytes: chunkFrames * format.bytesPerFrame, waker: waker,
                                            shouldStop: { [self] in stopFlag.value })
        switch result {
        case .success(let s): return (s, 0)
        case .failure(let e): return (nil, e.code)
        }
    }

    private var chunkFrames: Int { max(1, Int((options.chunkDuration * Double(format.sampleRate)).rounded())) }

    private static func message(_ err: Int32, _ pa: PulseLibrary) -> String { pa.errorText(err) }

    /// What is wrong while capture retries, for people, and the same words for the same cause
    /// whichever call saw it: libpulse says "Entity killed" for a device that went away and
    /// "No such entity" while it stays away, "Connection terminated" as the server dies and
    /// "Connection refused" while it stays down.
    static func outageReason(_ err: Int32, _ pa: PulseLibrary) -> String {
        switch err {
        case Int32(PA_ERR_NOENTITY.rawValue), Int32(PA_ERR_KILLED.rawValue):
            return "it was removed or disabled"
        case Int32(PA_ERR_CONNECTIONREFUSED.rawValue), Int32(PA_ERR_CONNECTIONTERMINATED.rawValue),
             Int32(PA_ERR_INVALIDSERVER.rawValue):
            return "the PulseAudio server is not running"
        case Int32(PA_ERR_TIMEOUT.rawValue):
            return "the PulseAudio server is not answering"
        default:
            return message(err, pa)
        }
    }

    /// Why the stream ended, for people: a device that went away is said as such.
    private static func reason(_ why: PulseRecordStream.Interruption, _ pa: PulseLibrary) -> String {
        guard case .failed(let code, let serverUp) = why else { return "" }
        if serverUp { return "it was removed or disabled" }
        return outageReason(code, pa)
    }

    private func run() {
        let pa: PulseLibrary
        switch PulseLibrary.shared {
        case .success(let loaded): pa = loaded
        case .failure(let error): continuation.finish(throwing: error); return
        }
        var device = initial
        var (stream, err) = open(device.name, pa)
        guard stream != nil else {
            if stopFlag.value { continuation.finish(); return }
            continuation.finish(throwing: initialError(err, device: device, pa))
            return
        }
        emit(.capturing(device: device.label))
        let frames = chunkFrames
        let bytes = frames * format.bytesPerFrame
        let clock = ContinuousClock()
        var frame: Int64 = 0
        var lastEnd: ContinuousClock.Instant?
        var measureGap = false
        /// When a stream opened in place of another (a device switch, the default output
        /// changed): audio from then on comes, if late (a monitor whose sink plays with a long
        /// buffer delivers it in a burst), so the gap ends there, not at the first data (it was
        /// counted 1.5 s too long at each change of output).
        var tookOver: ContinuousClock.Instant?
        var buf = [UInt8](repeating: 0, count: bytes)
        let shouldStop: () -> Bool = { [self] in stopFlag.value || requested.value != nil }

        while !stopFlag.value {
            if let req = requested.withLock({ r -> (name: String, label: String)? in defer { r = nil }; return r }) {
                stream = nil
                (stream, err) = open(req.name, pa)
                device = req
                measureGap = true
                tookOver = stream == nil ? nil : clock.now
                if stream != nil { emit(.capturing(device: device.label)) }
            }
            var reason = ""
            if let s = stream {
                // Said while it lasts: the screen said "live" through a 10 s suspension (found in QA).
                let label = device.label
                let why = s.read(into: &buf, shouldStop: shouldStop, onSuspended: { emit(.suspended(device: label)) })
                if why == nil {
                    let now = clock.now
                    var gap = 0.0
                    // A suspended source sent nothing for a while and then goes on: the time
                    // between is a gap, or every later caption was stamped that much early
                    // (20 s after a 20 s suspension, found in QA).
                    let suspended = s.takeSuspension()
                    if suspended { measureGap = true }
                    if measureGap, let lastEnd {
                        let lost = (tookOver ?? (now - .seconds(options.chunkDuration))) - lastEnd
                        let seconds = lost.seconds
                        if seconds >= options.minimumReportedGap {
                            let gapFrames = Int64((seconds * Double(format.sampleRate)).rounded())
                            frame += gapFrames
                            gap = Double(gapFrames) / Double(format.sampleRate)
                            emit(.resumed(gap: gap))
                        }
                    }
                    measureGap = false
                    tookOver = nil
                    continuation.yield(AudioChunk(format: format, data: buf, startFrame: frame, gapBefore: gap,
                                                  gapWasSuspension: suspended && gap > 0))
                    frame += Int64(frames)
                    lastEnd = now
                    if let moved = s.movedSource() {
                        // PulseAudio moved the stream (the default source changed or its device
                        // went away): say so, it is another microphone now.
                        relabel(&device, moved.description)
                        emit(.moved(device: moved.description, why: .movedByPulseAudio))
                    }
                    continue
                }
                switch why {
                case .asked?: continue
                case .defaultOutputChanged?:
                    // The default output changed while recording its monitor: follow it (the
                    // new stream opened before the old one closes, not to add to the gap).
                    let (next, e) = open(device.name, pa)
                    (stream, err) = (next, e)
                    measureGap = true
                    tookOver = next == nil ? nil : clock.now
                    if let s = stream {
                        relabel(&device, s.sourceDescription() ?? device.label)
                        emit(.moved(device: device.label, why: .defaultOutputChanged))
                        continue
                    }
                default:
                    reason = Self.reason(why!, pa)
                    stream = nil
                }
            }
            // Lost the server (or the device): reconnect with backoff until it works or we stop.
            guard let reopened = reconnect(device: device, reason: reason.isEmpty ? Self.outageReason(err, pa) : reason, pa) else { return }
            (stream, device) = reopened
            measureGap = true
            let before = device.label
            // A default (source, or output's monitor) may be another device after an outage:
            // name the one recording now (the old name stayed).
            if device.name.hasPrefix("@"), let now = stream?.sourceDescription() { relabel(&device, now) }
            emit(.capturing(device: device.label))
            if device.label != before { emit(.moved(device: device.label, why: .defaultChangedDuringOutage)) }
        }
        continuation.finish()
    }

    /// Tries to reopen `device` with exponential backoff — or the device the user picked
    /// meanwhile, at once (a device that is gone for good was retried forever, the pick ignored).
    /// Returns the stream and its device; nil when stopped or given up (having finished the stream).
    private func reconnect(device: (name: String, label: String), reason: String,
                           _ pa: PulseLibrary) -> (PulseRecordStream, (name: String, label: String))? {
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
            if stopFlag.value { continuation.finish(); return nil }
            if picked { delay = options.reconnectDelay; continue }
            lastError = Self.outageReason(err, pa)
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
