/// The input level as the meter shows it (computed by the audio side, drawn here).
public struct LevelMeterReading: Equatable, Sendable {
    /// Root-mean-square level of the last block, in dBFS (0 is full scale; quieter is negative).
    public var rmsDBFS: Double
    /// The held peak, in dBFS, drawn as a marker on the bar.
    public var peakHoldDBFS: Double
    /// Samples reached full scale recently.
    public var clipping: Bool
    /// No audio (or only digital silence) has arrived for a while.
    public var silent: Bool
    /// The input device's human name, used in the "no audio from …" warning.
    public var deviceName: String
    /// Capture is lost and being retried: why, and from which device (e.g. "audio lost: it was
    /// removed or disabled; retrying — “USB Mic”"). The meter row says so, whole.
    public var outage: String?
    /// The audio comes from a device (a microphone, a monitor), not a file or a pipe: "check
    /// it is on" and the device picker apply.
    public var fromDevice: Bool
    /// The device is a monitor (what an output plays): silence there is nothing playing, not
    /// a muted microphone.
    public var fromMonitor: Bool
    /// With `silent`: nothing arrived at all (a stalled pipe), not audio that is silent.
    public var stalled: Bool

    public init(rmsDBFS: Double = -120, peakHoldDBFS: Double = -120, clipping: Bool = false,
                silent: Bool = false, deviceName: String = "", outage: String? = nil, fromDevice: Bool = true,
                fromMonitor: Bool = false, stalled: Bool = false) {
        self.stalled = stalled
        self.fromDevice = fromDevice
        self.fromMonitor = fromMonitor
        self.rmsDBFS = rmsDBFS
        self.peakHoldDBFS = peakHoldDBFS
        self.clipping = clipping
        self.silent = silent
        self.deviceName = deviceName
        self.outage = outage
    }

    /// The lowest level the bar shows; anything quieter draws an empty bar.
    public static let floorDBFS: Double = -60
}
