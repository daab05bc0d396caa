import CPulse
import FoundationEssentials
import SystemSupport

/// A PulseAudio record stream on libpulse's asynchronous API, driven by its own `pa_mainloop`
/// on the calling thread (the capture thread): no extra thread, and what `pa_simple` cannot do.
///
/// - A named device is pinned (`PA_STREAM_DONT_MOVE`): when it is removed the stream ends and
///   capture retries that device, instead of PulseAudio moving it to another microphone without
///   a word (the old `pa_simple` stream did).
/// - Moves PulseAudio makes to an unpinned stream (the default source changed or was removed)
///   are seen, so they can be said.
/// - For the default sink's monitor, a change of the default output is seen, so capture can
///   follow it ("caption what my computer plays" after switching to headphones).
///
/// Not thread-safe: every call but `wake` happens on the thread that opened it.
final class PulseRecordStream {
    /// Why `read` returned without a chunk.
    enum Interruption: Equatable {
        /// The server or the stream failed: libpulse's error code, and whether the connection to
        /// the server is still up (then the device itself went away).
        case failed(code: Int32, serverUp: Bool)
        /// `shouldStop` said so (stop or a device switch); the caller decides.
        case asked
        /// The default output changed while recording its monitor: reopen to follow it.
        case defaultOutputChanged
    }

    private let pa: PulseLibrary
    private let mainloop: OpaquePointer
    private let context: OpaquePointer
    private let stream: OpaquePointer
    private let box: Box
    /// Bytes received but not handed out yet (PulseAudio's fragments need not be chunk-sized).
    private var carry: [UInt8] = []
    /// The source the stream records now (PulseAudio's name).
    private(set) var sourceName: String?

    /// What callbacks report; touched only on the owning thread.
    private final class Box {
        let pa: PulseLibrary
        init(_ pa: PulseLibrary) { self.pa = pa }
        var contextState: pa_context_state_t = PA_CONTEXT_UNCONNECTED
        var defaultSink: String?
        var serverInfoPending = false
        var serverChanged = false
        var description: String?
        var descriptionDone = false
    }

    /// The main loop of the stream being opened or read, for `wake` from other threads.
    final class Waker: Sendable {
        private struct Loop: @unchecked Sendable { let pointer: OpaquePointer; let pa: PulseLibrary }
        private let loop = Locked<Loop?>(nil)
        fileprivate func attach(_ ml: OpaquePointer?, _ pa: PulseLibrary) {
            loop.withLock { $0 = ml.map { Loop(pointer: $0, pa: pa) } }
        }
        /// Interrupts a blocking wait in `open` or `read` (stop, device switch).
        func wake() { loop.withLock { if let l = $0 { l.pa.mainloopWakeup(l.pointer) } } }
    }

    private let waker: Waker
    private let followsDefaultOutput: Bool
    private var defaultSinkAtOpen: String?

    private init(pa: PulseLibrary, mainloop: OpaquePointer, context: OpaquePointer, stream: OpaquePointer, box: Box,
                 waker: Waker, device: String) {
        self.pa = pa; self.mainloop = mainloop; self.context = context; self.stream = stream; self.box = box
        self.waker = waker
        followsDefaultOutput = device == AudioDeviceSelector.systemAudio.pulseSpecialName
        defaultSinkAtOpen = box.defaultSink
        sourceName = streamSource
    }

    deinit {
        waker.attach(nil, pa)
        _ = pa.streamDisconnect(stream)
        pa.streamUnref(stream)
        pa.contextDisconnect(context)
        pa.contextUnref(context)
        pa.mainloopFree(mainloop)
    }

    /// Opens a record stream on `device` (a source name or `@DEFAULT_SOURCE@`/`@DEFAULT_MONITOR@`).
    /// Fails with libpulse's error code (`PA_ERR_NOENTITY` for an unknown device,
    /// `PA_ERR_CONNECTIONREFUSED` for no server, `PA_ERR_TIMEOUT` after `timeout` seconds,
    /// `PA_ERR_BADSTATE` when `shouldStop` said so while waiting).
    static func open(_ pa: PulseLibrary, server: String?, device: String, spec: pa_sample_spec, fragmentBytes: Int,
                     waker: Waker, timeout: Double = 10, shouldStop: () -> Bool) -> Result<PulseRecordStream, PulseOpenError> {
        guard let ml = pa.mainloopNew() else { return .failure(PulseOpenError(code: Int32(PA_ERR_INTERNAL.rawValue))) }
        guard let ctx = pa.contextNew(pa.mainloopGetApi(ml), "captty") else {
            pa.mainloopFree(ml)
            return .failure(PulseOpenError(code: Int32(PA_ERR_INTERNAL.rawValue)))
        }
        waker.attach(ml, pa)
        let box = Box(pa)
        var handedOver = false
        var streamPointer: OpaquePointer?
        defer {
            if !handedOver {
                waker.attach(nil, pa)
                if let s = streamPointer { _ = pa.streamDisconnect(s); pa.streamUnref(s) }
                pa.contextDisconnect(ctx)
                pa.contextUnref(ctx)
                pa.mainloopFree(ml)
            }
        }
        let ud = Unmanaged.passUnretained(box).toOpaque()
        pa.contextSetStateCallback(ctx, { ctx, ud in
            let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
            b.contextState = b.pa.contextGetState(ctx)
        }, ud)
        if pa.contextConnect(ctx, server, PA_CONTEXT_NOFLAGS, nil) < 0 {
            return .failure(PulseOpenError(code: pa.contextErrno(ctx)))
        }
        let deadline = Date().addingTimeInterval(timeout)
        /// One turn of the loop; nil to go on, or why to give up.
        func turn() -> PulseOpenError? {
            if shouldStop() { return PulseOpenError(code: Int32(PA_ERR_BADSTATE.rawValue)) }
            if Date() >= deadline { return PulseOpenError(code: Int32(PA_ERR_TIMEOUT.rawValue)) }
            if pa.mainloopPrepare(ml, 200_000) < 0 || pa.mainloopPoll(ml) < 0 || pa.mainloopDispatch(ml) < 0 {
                return PulseOpenError(code: Int32(PA_ERR_INTERNAL.rawValue))
            }
            return nil
        }
        while box.contextState != PA_CONTEXT_READY {
            if box.contextState == PA_CONTEXT_FAILED || box.contextState == PA_CONTEXT_TERMINATED {
                return .failure(PulseOpenError(code: pa.contextErrno(ctx)))
            }
            if let e = turn() { return .failure(e) }
        }
        let special = device.hasPrefix("@")
        // The default output's monitor follows the default output: learn which it is, and
        // hear when it changes.
        if device == AudioDeviceSelector.systemAudio.pulseSpecialName {
            pa.contextSetSubscribeCallback(ctx, { _, type, _, ud in
                let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
                if type.rawValue & PA_SUBSCRIPTION_EVENT_FACILITY_MASK.rawValue == PA_SUBSCRIPTION_EVENT_SERVER.rawValue {
                    b.serverChanged = true
                }
            }, ud)
            if let op = pa.contextSubscribe(ctx, PA_SUBSCRIPTION_MASK_SERVER, nil, nil) { pa.operationUnref(op) }
            requestServerInfo(pa, ctx, box)
            while box.serverInfoPending {
                if box.contextState != PA_CONTEXT_READY { return .failure(PulseOpenError(code: pa.contextErrno(ctx))) }
                if let e = turn() { return .failure(e) }
            }
        }
        var spec = spec
        guard let s = pa.streamNew(ctx, "captions", &spec, nil) else {
            return .failure(PulseOpenError(code: pa.contextErrno(ctx)))
        }
        streamPointer = s
        var attr = pa_buffer_attr(maxlength: UInt32.max, tlength: UInt32.max, prebuf: UInt32.max,
                                  minreq: UInt32.max, fragsize: UInt32(fragmentBytes))
        // A device the user named is pinned: removed, it ends the stream (and capture retries
        // it) rather than PulseAudio moving captty to another microphone.
        let flags = pa_stream_flags_t(rawValue: PA_STREAM_ADJUST_LATENCY.rawValue | (special ? 0 : PA_STREAM_DONT_MOVE.rawValue))
        if pa.streamConnectRecord(s, device, &attr, flags) < 0 {
            return .failure(PulseOpenError(code: pa.contextErrno(ctx)))
        }
        while true {
            let state = pa.streamGetState(s)
            if state == PA_STREAM_READY { break }
            if state == PA_STREAM_FAILED || state == PA_STREAM_TERMINATED || box.contextState != PA_CONTEXT_READY {
                return .failure(PulseOpenError(code: pa.contextErrno(ctx)))
            }
            if let e = turn() { return .failure(e) }
        }
        handedOver = true
        return .success(PulseRecordStream(pa: pa, mainloop: ml, context: ctx, stream: s, box: box, waker: waker, device: device))
    }

    private static func requestServerInfo(_ pa: PulseLibrary, _ ctx: OpaquePointer, _ box: Box) {
        box.serverInfoPending = true
        let op = pa.contextGetServerInfo(ctx, { _, info, ud in
            let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
            if let info {
                b.defaultSink = info.pointee.default_sink_name.map { String(cString: $0) }
            }
            b.serverInfoPending = false
        }, Unmanaged.passUnretained(box).toOpaque())
        if let op { pa.operationUnref(op) } else { box.serverInfoPending = false }
    }

    /// Fills `buffer` (all of it) with audio. Blocks in the main loop until there is enough,
    /// the stream or server fails, `shouldStop` says so (checked on every wake-up; `wake`
    /// interrupts the wait), or the default output changed while recording its monitor.
    func read(into buffer: inout [UInt8], shouldStop: () -> Bool, onSuspended: () -> Void = {}) -> Interruption? {
        let want = buffer.count
        while carry.count < want {
            var data: UnsafeRawPointer?
            var n = 0
            if pa.streamPeek(stream, &data, &n) < 0 { return failure() }
            if n > 0 {
                if let data {
                    carry.append(contentsOf: UnsafeRawBufferPointer(start: data, count: n))
                } else {
                    // A hole in the stream (the server dropped data): silence keeps time.
                    carry.append(contentsOf: repeatElement(0, count: n))
                }
                _ = pa.streamDrop(stream)
                continue
            }
            if pa.streamGetState(stream) != PA_STREAM_READY || box.contextState != PA_CONTEXT_READY { return failure() }
            if pa.streamIsSuspended(stream) == 1, !suspensionSeen {
                suspensionSeen = true
                onSuspended()
            }
            if shouldStop() { return .asked }
            if box.serverChanged, !box.serverInfoPending {
                box.serverChanged = false
                Self.requestServerInfo(pa, context, box)
            }
            if !box.serverInfoPending, followsDefaultOutput, box.defaultSink != defaultSinkAtOpen {
                return .defaultOutputChanged
            }
            if pa.mainloopPrepare(mainloop, 1_000_000) < 0 || pa.mainloopPoll(mainloop) < 0 || pa.mainloopDispatch(mainloop) < 0 {
                return .failed(code: Int32(PA_ERR_INTERNAL.rawValue), serverUp: false)
            }
        }
        buffer.withUnsafeMutableBytes { out in
            carry.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(want))) }
        }
        carry.removeFirst(want)
        return nil
    }

    /// The source was suspended while waiting for audio (`pactl suspend-source`, a power saving
    /// policy): it sends nothing meanwhile, and the time without audio is a gap to measure.
    private var suspensionSeen = false

    /// Whether the source was suspended since the last call.
    func takeSuspension() -> Bool {
        defer { suspensionSeen = false }
        return suspensionSeen
    }

    private func failure() -> Interruption {
        .failed(code: pa.contextErrno(context), serverUp: box.contextState == PA_CONTEXT_READY)
    }

    /// When PulseAudio moved the stream to another source since the last call (the default
    /// source changed, or the device it was on went away): the new source's name and description.
    func movedSource() -> (name: String, description: String)? {
        guard let now = streamSource, now != sourceName else { return nil }
        sourceName = now
        return (now, describe(now) ?? now)
    }

    /// The source the stream is on, as libpulse last heard from the server.
    private var streamSource: String? { pa.streamGetDeviceName(stream).map { String(cString: $0) } }

    /// The description of the source recorded now; nil when the server does not say.
    func sourceDescription() -> String? { sourceName.flatMap(describe) }

    /// The source's description ("Built-in Audio Analog Stereo"), asked on this stream's
    /// connection; nil when the server does not say within two seconds.
    private func describe(_ source: String) -> String? {
        box.description = nil
        box.descriptionDone = false
        guard let op = pa.contextGetSourceInfoByName(context, source, { _, info, eol, ud in
            let b = Unmanaged<Box>.fromOpaque(ud!).takeUnretainedValue()
            if eol != 0 { b.descriptionDone = true; return }
            b.description = info?.pointee.description.map { String(cString: $0) }
        }, Unmanaged.passUnretained(box).toOpaque()) else { return nil }
        defer { pa.operationUnref(op) }
        let deadline = Date().addingTimeInterval(2)
        while !box.descriptionDone, box.contextState == PA_CONTEXT_READY, Date() < deadline {
            if pa.mainloopPrepare(mainloop, 100_000) < 0 || pa.mainloopPoll(mainloop) < 0 || pa.mainloopDispatch(mainloop) < 0 { break }
        }
        return box.description
    }
}

/// Why a record stream could not be opened: libpulse's error code.
struct PulseOpenError: Error {
    let code: Int32
}
