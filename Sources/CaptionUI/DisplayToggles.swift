/// What the caption area shows; each flag has a key (see `KeyAction`).
public struct DisplayToggles: Equatable, Sendable {
    /// Show the engine's pending guess (interim result) under the committed lines.
    public var showInterim: Bool
    /// Prefix lines with `[HH:MM:SS]`.
    public var timestamps: Bool
    /// Prefix lines with "Speaker N: " when the engine diarizes.
    public var speakerLabels: Bool
    /// Dim words whose confidence is below `lowConfidenceThreshold`.
    public var confidenceDimming: Bool
    public var lowConfidenceThreshold: Double
    /// Draw the level bar (config `display.meter`); without it the meter row keeps the device
    /// name, the "no audio" warning and recent problems.
    public var showMeter: Bool = true

    public init(showInterim: Bool = true, timestamps: Bool = false, speakerLabels: Bool = true,
                confidenceDimming: Bool = false, lowConfidenceThreshold: Double = 0.6, showMeter: Bool = true) {
        self.showMeter = showMeter
        self.showInterim = showInterim
        self.timestamps = timestamps
        self.speakerLabels = speakerLabels
        self.confidenceDimming = confidenceDimming
        self.lowConfidenceThreshold = lowConfidenceThreshold
    }
}

extension DisplayToggles {
    /// Applies a display action (interim, timestamps, speaker labels, confidence dimming).
    /// Returns false, changing nothing, for actions that are not about the display.
    @discardableResult
    public mutating func apply(_ action: KeyAction) -> Bool {
        switch action {
        case .toggleInterim: showInterim.toggle()
        case .toggleTimestamps: timestamps.toggle()
        case .toggleSpeakerLabels: speakerLabels.toggle()
        case .toggleConfidenceDimming: confidenceDimming.toggle()
        default: return false
        }
        return true
    }
}
