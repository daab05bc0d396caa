/// A PulseAudio capture device (a source: a microphone, or the monitor of a sink).
public struct AudioDevice: Sendable, Hashable, Codable {
    /// PulseAudio's source name (`alsa_input.…`, `captty_null.monitor`).
    public var name: String
    /// The human-readable description ("Built-in Audio Analog Stereo").
    public var description: String
    /// PulseAudio's source index.
    public var index: Int
    /// The server's default source.
    public var isDefault: Bool
    /// The monitor of a sink ("what the computer plays").
    public var isMonitor: Bool
    /// The monitor of the default sink (what `--system-audio` captures).
    public var isDefaultSinkMonitor: Bool
    /// The device's native sample spec, e.g. "s16le 2ch 44100Hz" (informational).
    public var sampleSpec: String

    public init(name: String, description: String, index: Int, isDefault: Bool = false,
                isMonitor: Bool = false, isDefaultSinkMonitor: Bool = false, sampleSpec: String = "") {
        self.name = name; self.description = description; self.index = index
        self.isDefault = isDefault; self.isMonitor = isMonitor
        self.isDefaultSinkMonitor = isDefaultSinkMonitor; self.sampleSpec = sampleSpec
    }

    /// `#3 captty_null.monitor (Monitor of Null Output)`, for error messages.
    public var shortLabel: String { "#\(index) \(name) (\(description))" }
}
