/// Where live audio comes from.
public enum AudioInput: Sendable, Equatable, CustomStringConvertible {
    /// The default PulseAudio source (a microphone).
    case defaultDevice
    /// A PulseAudio source chosen by name, index or unique substring.
    case device(String)
    /// The monitor of the default sink: what this computer plays.
    case systemAudio
    /// A WAV or raw file, paced in real time.
    case file(String)
    /// Raw PCM or WAV on standard input.
    case stdin

    public var description: String {
        switch self {
        case .defaultDevice: return "default audio source"
        case .device(let d): return "device \(d)"
        case .systemAudio: return "system audio (monitor of the default sink)"
        case .file(let p): return p
        case .stdin: return "standard input"
        }
    }
}
