import CPulse
import FoundationEssentials

/// Live capture from PulseAudio: the default source, the default sink's monitor, or a named
/// source, as 16-bit little-endian chunks.
///
/// One dedicated thread runs a record stream on its own main loop; chunks arrive through the
/// stream. A named device is pinned: removed, capture says so and retries it (PulseAudio would
/// otherwise move it to another microphone). A move PulseAudio makes to an unpinned stream is
/// said (`CaptureEvent.moved`), and the default output's monitor follows the default output.
/// `switchDevice(to:)` moves the running capture to another source without ending the stream.
/// If the server goes away, the thread reconnects with backoff; the first chunk after it
/// carries the lost time in `gapBefore`, and `startFrame` skips ahead by as much, so time
/// stays continuous.
public actor PulseCapture: AudioSource {
    public nonisolated let format: AudioFormat
    public nonisolated let options: PulseCaptureOptions
    /// The description of the device being recorded ("default source" before start).
    public nonisolated var name: String { deviceName.value }
    /// Whether the source captured is a monitor (what an output plays).
    public nonisolated var isMonitor: Bool { monitor.value }
    private let monitor = Locked(false)
    /// A device keeps producing: audio the engine cannot take yet is held (bounded), not paused.
    public nonisolated var canWait: Bool { false }

    private let deviceName: Locked<String>
    private let eventSink = Locked<AsyncStream<CaptureEvent>.Continuation?>(nil)
    private var running: CaptureThread?

    public init(options: PulseCaptureOptions = PulseCaptureOptions()) throws(AudioError) {
        try validateChunkDuration(options.chunkDuration)
        guard (1...384_000).contains(options.sampleRate) else {
            throw .invalidParameter("sample rate \(options.sampleRate) Hz is outside 1…384000 Hz")
        }
        guard (1...32).contains(options.channels) else {
            throw .invalidParameter("\(options.channels) channels is outside 1…32")
        }
        self.options = options
        format = AudioFormat(encoding: .linear16, sampleRate: options.sampleRate, channels: options.channels)
        deviceName = Locked(options.device.description)
    }

    /// Status changes (capturing, reconnecting, resumed). One subscriber; a new call replaces it.
    public nonisolated func events() -> AsyncStream<CaptureEvent> {
        let (stream, c) = AsyncStream<CaptureEvent>.makeStream(bufferingPolicy: .bufferingNewest(64))
        eventSink.withLock { $0?.finish(); $0 = c }
        return stream
    }

    /// Starts recording. Ends when the consumer stops iterating (not when this object is
    /// released); throws `AudioError` when there is no server or no such device, or when
    /// reconnecting gives up. A new call ends the previous stream: one capture at a time.
    public nonisolated func chunks() -> AsyncThrowingStream<AudioChunk, Error> {
        let (stream, continuation) = AsyncThrowingStream<AudioChunk, Error>.makeStream()
        let stopFlag = Locked(false)
        let waker = PulseRecordStream.Waker()
        let starter = Task { await self.start(continuation, stopFlag: stopFlag, waker: waker) }
        continuation.onTermination = { _ in
            stopFlag.withLock { $0 = true }
            waker.wake()
            starter.cancel()
        }
        return stream
    }

    /// Moves the running capture to `device` (the stream of chunks goes on). Throws, and keeps
    /// recording the current device, when `device` does not resolve to exactly one source.
    public func switchDevice(to device: AudioDeviceSelector) async throws {
        let (pulseName, label, isMonitor) = try await resolve(device)
        guard let running, !running.isStopped else {
            throw AudioError.invalidParameter("capture is not running; start it with chunks() first")
        }
        deviceName.withLock { $0 = label }
        monitor.withLock { $0 = isMonitor }
        running.switchDevice(to: pulseName, label: label)
    }

    /// The PulseAudio name to open, a label for people, and whether it is a monitor.
    private func resolve(_ device: AudioDeviceSelector) async throws -> (String, String, Bool) {
        let devices = try await listAudioDevices(server: options.server)
        if let special = device.pulseSpecialName {
            // Open by special name so a reconnect follows a changed default.
            let d = try? device.resolve(in: devices)
            return (special, d?.description ?? device.description, d?.isMonitor ?? (device == .systemAudio))
        }
        let d = try device.resolve(in: devices)
        return (d.name, d.description, d.isMonitor)
    }

    private func start(_ continuation: AsyncThrowingStream<AudioChunk, Error>.Continuation, stopFlag: Locked<Bool>,
                       waker: PulseRecordStream.Waker) async {
        do {
            let (pulseName, label, isMonitor) = try await resolve(options.device)
            try Task.checkCancellation()
            deviceName.withLock { $0 = label }
            monitor.withLock { $0 = isMonitor }
            let t = CaptureThread(options: options, format: format, device: pulseName, label: label,
                                  continuation: continuation, events: eventSink, stopFlag: stopFlag,
                                  waker: waker, shownLabel: deviceName)
            running?.stop()
            running = t
            t.start()
        } catch is CancellationError {
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
    }
}
