/// Sample encodings captty reads, converts and sends.
public enum SampleEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    /// Signed 16-bit little-endian PCM (Deepgram `linear16`).
    case linear16
    /// 32-bit little-endian IEEE float: what Deepgram calls `linear32` ("32-bit, little endian,
    /// floating-point PCM"; it was sent as 32-bit integers, which Deepgram reads as noise).
    case float32
    /// G.711 mu-law, 8 bits.
    case mulaw
    /// G.711 A-law, 8 bits.
    case alaw

    /// Bytes per sample of one channel.
    public var bytesPerSample: Int {
        switch self {
        case .linear16: return 2
        case .float32: return 4
        case .mulaw, .alaw: return 1
        }
    }
}

/// The format of a stream of interleaved audio frames.
public struct AudioFormat: Sendable, Hashable, Codable, CustomStringConvertible {
    public var encoding: SampleEncoding
    public var sampleRate: Int
    public var channels: Int

    public init(encoding: SampleEncoding = .linear16, sampleRate: Int = 16_000, channels: Int = 1) {
        self.encoding = encoding; self.sampleRate = sampleRate; self.channels = channels
    }

    /// 16 kHz mono linear16: what captty sends by default.
    public static let speech16k = AudioFormat()

    public var bytesPerFrame: Int { encoding.bytesPerSample * channels }
    public var bytesPerSecond: Int { bytesPerFrame * sampleRate }

    public var description: String { "\(encoding.rawValue) \(sampleRate) Hz \(channels == 1 ? "mono" : "\(channels) ch")" }
}

/// A block of interleaved audio frames.
public struct AudioChunk: Sendable, Equatable {
    public var format: AudioFormat
    /// Interleaved sample bytes in `format`.
    public var data: [UInt8]
    /// Position of the first frame, in frames since the source started (gaps included).
    public var startFrame: Int64
    /// Audio lost just before this chunk (a device restart, say), in seconds; 0 when none.
    public var gapBefore: Double
    /// Whether that gap was the device being suspended (PulseAudio's idle suspend, `pactl
    /// suspend-source`, the machine asleep) rather than lost.
    public var gapWasSuspension: Bool

    public init(format: AudioFormat, data: [UInt8], startFrame: Int64 = 0, gapBefore: Double = 0, gapWasSuspension: Bool = false) {
        self.format = format; self.data = data; self.startFrame = startFrame; self.gapBefore = gapBefore
        self.gapWasSuspension = gapWasSuspension
    }

    public var frameCount: Int { format.bytesPerFrame == 0 ? 0 : data.count / format.bytesPerFrame }
    /// Duration in seconds.
    public var duration: Double { Double(frameCount) / Double(format.sampleRate) }
    /// Start time in seconds since the source started.
    public var startTime: Double { Double(startFrame) / Double(format.sampleRate) }
}

/// Anything that produces audio: PulseAudio capture, a WAV or raw file, stdin.
public protocol AudioSource: Sendable {
    /// The format of every chunk this source yields.
    var format: AudioFormat { get }
    /// A human-readable name ("default source", a device description, a file name).
    var name: String { get }
    /// Starts producing chunks. The stream finishes at end of input or throws an `AudioError`.
    func chunks() -> AsyncThrowingStream<AudioChunk, Error>
    /// Whether the audio can wait for its consumer (an engine that is reconnecting or slow): a
    /// file or a pipe is read only as fast as it is taken; a device keeps producing and cannot.
    var canWait: Bool { get }
}
