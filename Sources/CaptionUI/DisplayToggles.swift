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

extension DisplayToggles {
    /// What the screen says after `action` changed these toggles: at 100 columns `i` with no
    /// interim guess on screen, `c` with no unsure word and `w` without diarization changed
    /// nothing visible, so a press read as ignored. nil for actions that are not display toggles.
    /// `diarizing`: whether the engine is telling speakers apart (labels need it).
    public func notice(after action: KeyAction, keys: KeyBindingTable, diarizing: Bool) -> String? {
        func key(_ a: KeyAction) -> String { keys.keys(for: a).first?.displayName ?? a.rawValue }
        switch action {
        case .toggleInterim:
            return showInterim ? "interim guesses shown" : "interim guesses hidden (\(key(.toggleInterim)) shows them)"
        case .toggleTimestamps:
            return timestamps ? "timestamps shown" : "timestamps hidden"
        case .toggleSpeakerLabels:
            guard speakerLabels else { return "speaker labels hidden" }
            return diarizing ? "speaker labels shown"
                             : "speaker labels on (\(key(.toggleDiarize)): tell speakers apart)"
        case .toggleConfidenceDimming:
            let percent = Int((lowConfidenceThreshold * 100).rounded())
            return confidenceDimming ? "dimming words under \(percent)% confidence" : "confidence dimming off"
        default:
            return nil
        }
    }
}
