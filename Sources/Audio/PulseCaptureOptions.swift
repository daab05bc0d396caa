/// How `PulseCapture` records.
public struct PulseCaptureOptions: Sendable, Hashable {
    /// Which device to record.
    public var device: AudioDeviceSelector
    /// Sample rate in Hz (PulseAudio resamples from the device's rate).
    public var sampleRate: Int
    /// 1 (mono, mixed down by PulseAudio) or more.
    public var channels: Int
    /// Chunk length in seconds, 0.02…0.25.
    public var chunkDuration: Double
    /// The server (`unix:/path`, `tcp:host`); nil uses `PULSE_SERVER` or the user's daemon.
    public var server: String?
    /// First delay before reconnecting after the server went away, seconds (doubles each try).
    public var reconnectDelay: Double
    /// Longest delay between reconnection attempts, seconds.
    public var maxReconnectDelay: Double
    /// Give up (throw `noServer`) after this many failed attempts in a row; nil tries for ever.
    public var maxReconnectAttempts: Int?
    /// Gaps shorter than this (seconds) are treated as scheduling jitter, not lost audio.
    public var minimumReportedGap: Double

    public init(device: AudioDeviceSelector = .defaultSource, sampleRate: Int = 16_000, channels: Int = 1,
                chunkDuration: Double = 0.05, server: String? = nil, reconnectDelay: Double = 0.1,
                maxReconnectDelay: Double = 2, maxReconnectAttempts: Int? = nil, minimumReportedGap: Double = 0.01) {
        self.device = device; self.sampleRate = sampleRate; self.channels = channels
        self.chunkDuration = chunkDuration; self.server = server; self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay; self.maxReconnectAttempts = maxReconnectAttempts
        self.minimumReportedGap = minimumReportedGap
    }
}

/// What happens to a running capture, for the status line.
public enum CaptureEvent: Sendable, Equatable {
    /// Recording from the device (after start, a switch, or a reconnect).
    case capturing(device: String)
    /// The server went away; trying again after `delay` seconds (attempt counts from 1).
    case reconnecting(attempt: Int, delay: Double, reason: String)
    /// Audio resumed after a gap of `seconds`.
    case resumed(gap: Double)
    /// PulseAudio moved capture to another device (the default source changed, or the one in use
    /// went away), or the default output changed while recording its monitor: `device` is the
    /// one recorded now. Captions now come from another microphone or output, so say it.
    case moved(device: String, why: CaptureMove)
    /// The device was suspended (PulseAudio's idle suspend, `pactl suspend-source`): nothing is
    /// recorded until it resumes (then `resumed` says the gap).
    case suspended(device: String)
}

/// Why capture is on another device than before (`CaptureEvent.moved`).
public enum CaptureMove: Sendable, Equatable {
    /// PulseAudio moved the stream (the default source changed, or its device went away).
    case movedByPulseAudio
    /// The default output changed while recording its monitor, and capture followed it.
    case defaultOutputChanged
    /// Capture came back after an outage on the device that is the default now, another one.
    case defaultChangedDuringOutage
}
