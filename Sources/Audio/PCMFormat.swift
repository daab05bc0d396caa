/// Sample encodings captty can read from files and stdin (a superset of what it sends).
///
/// `s24le` is packed (3 bytes a sample, ALSA's S24_3LE); `s24in32le` is 24 bits in the low three
/// bytes of a 32-bit word (ALSA's S24_LE, what `arecord -f S24_LE` writes).
public enum InputEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    case u8, s16le, s24le, s24in32le, s32le, f32le, f64le, mulaw, alaw

    /// Bytes per sample of one channel.
    public var bytesPerSample: Int {
        switch self {
        case .u8, .mulaw, .alaw: return 1
        case .s16le: return 2
        case .s24le: return 3
        case .s24in32le, .s32le, .f32le: return 4
        case .f64le: return 8
        }
    }

    /// The wire encoding that carries these bytes unchanged, if any (for pass-through).
    public var sendable: SampleEncoding? {
        switch self {
        case .s16le: return .linear16
        case .f32le: return .float32
        case .mulaw: return .mulaw
        case .alaw: return .alaw
        case .u8, .s24le, .s24in32le, .s32le, .f64le: return nil
        }
    }

    /// An encoding by its name here, or as Deepgram (`linear16`), ALSA (`S16_LE`, `S24_3LE`,
    /// `FLOAT_LE`), ffmpeg (`pcm_s16le`, `pcm_mulaw`) or sox (`ulaw`) spell it; any case.
    /// ALSA's `S24_LE` is 24 bits in 32 (`s24in32le`), its `S24_3LE` packed (`s24le`).
    public init?(name: String) {
        var n = name.lowercased()
        if n.hasPrefix("pcm_") { n.removeFirst(4) }
        if let e = InputEncoding(rawValue: n) { self = e; return }
        let aliases: [String: InputEncoding] = [
            "linear16": .s16le, "linear32": .f32le, "float32": .f32le, "float64": .f64le,
            "s16": .s16le, "s16_le": .s16le, "s32": .s32le, "s32_le": .s32le, "s24": .s24le, "s24_3le": .s24le,
            "s24_le": .s24in32le, "f32": .f32le, "float": .f32le, "float_le": .f32le, "f64": .f64le, "float64_le": .f64le,
            "u8": .u8, "ulaw": .mulaw, "mu_law": .mulaw, "mu-law": .mulaw, "a_law": .alaw, "a-law": .alaw,
        ]
        guard let e = aliases[n] else { return nil }
        self = e
    }

    /// The input encoding of bytes in a wire encoding.
    public init(_ e: SampleEncoding) {
        switch e {
        case .linear16: self = .s16le
        case .float32: self = .f32le
        case .mulaw: self = .mulaw
        case .alaw: self = .alaw
        }
    }
}

/// The format of interleaved input frames: encoding, rate, channels.
public struct PCMFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    public var encoding: InputEncoding
    public var sampleRate: Int
    public var channels: Int

    public init(encoding: InputEncoding, sampleRate: Int, channels: Int) {
        self.encoding = encoding; self.sampleRate = sampleRate; self.channels = channels
    }

    public init(_ f: AudioFormat) {
        self.init(encoding: InputEncoding(f.encoding), sampleRate: f.sampleRate, channels: f.channels)
    }

    /// Parses `ENCODING[:RATE[:CHANNELS]]`, e.g. `s16le:16000:1`, `mulaw:8000`, `f32le:48000:2`.
    /// Rate defaults to 16000, channels to 1. Throws a message listing what is accepted.
    public init(spec: String) throws(AudioError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let names = InputEncoding.allCases.map(\.rawValue).joined(separator: "|")
        guard parts.count <= 3, let enc = InputEncoding(name: parts[0]) else {
            throw .invalidParameter("raw format \"\(spec)\" is not ENCODING[:RATE[:CHANNELS]] with ENCODING one of \(names) "
                + "(or Deepgram's, ALSA's or ffmpeg's name for one, e.g. linear16, S16_LE, pcm_s16le)")
        }
        let rate = parts.count > 1 ? Int(parts[1]) : 16_000
        let ch = parts.count > 2 ? Int(parts[2]) : 1
        // Not below 1000 Hz, as for WAV headers: converting 1 Hz audio to 16 kHz would expand
        // every byte 16000-fold.
        guard let rate, (1_000...1_000_000).contains(rate) else {
            throw .invalidParameter("raw format \"\(spec)\": sample rate must be 1000…1000000 Hz")
        }
        guard let ch, (1...64).contains(ch) else {
            throw .invalidParameter("raw format \"\(spec)\": channels must be 1…64")
        }
        self.init(encoding: enc, sampleRate: rate, channels: ch)
    }

    public var bytesPerFrame: Int { encoding.bytesPerSample * channels }

    /// The same format as a wire `AudioFormat`, when the encoding can be sent as-is.
    public var audioFormat: AudioFormat? {
        encoding.sendable.map { AudioFormat(encoding: $0, sampleRate: sampleRate, channels: channels) }
    }

    public var description: String { "\(encoding.rawValue) \(sampleRate) Hz \(channels == 1 ? "mono" : "\(channels) ch")" }
}
