import SystemSupport

/// Converts between byte offsets of a raw PCM stream and seconds of audio.
///
/// Known only for uncompressed encodings (linear16, linear32, mulaw, alaw) with a sample rate;
/// for anything else (`flac`, `opus`, containers) `init(options:)` returns nil and the client
/// cannot replay by time.
public struct AudioTimeline: Sendable, Equatable {
    public let sampleRate: Int
    public let bytesPerFrame: Int

    public init(sampleRate: Int, bytesPerFrame: Int) {
        precondition(sampleRate > 0 && bytesPerFrame > 0)
        self.sampleRate = sampleRate; self.bytesPerFrame = bytesPerFrame
    }

    /// The timeline of the audio described by `options`, when it is raw PCM.
    public init?(options: LiveOptions) {
        guard let enc = options.encoding, let rate = options.sampleRate, rate > 0 else { return nil }
        let bytesPerSample: Int
        switch enc {
        case .linear16: bytesPerSample = 2
        case .linear32: bytesPerSample = 4
        case .mulaw, .alaw: bytesPerSample = 1
        default: return nil
        }
        let ch = max(1, options.channels ?? 1)
        self.init(sampleRate: rate, bytesPerFrame: bytesPerSample * ch)
    }

    public var bytesPerSecond: Int { sampleRate * bytesPerFrame }

    public func seconds(forBytes n: Int64) -> Double { Double(n) / Double(bytesPerSecond) }

    /// Whole frames' worth of bytes in `seconds`, rounded to the nearest frame (timestamps are
    /// decimals such as 2.9999999).
    /// Saturates (at about 2^61 bytes) for times no stream reaches, including infinity; never traps.
    public func bytes(forSeconds seconds: Double) -> Int64 {
        guard seconds > 0 else { return 0 }
        let limit = Double(Int64.max / 4 / Int64(bytesPerFrame))
        let frames = min((seconds * Double(sampleRate)).rounded(), limit)
        return Int64(frames) * Int64(bytesPerFrame)
    }

    /// Bytes in a duration of audio.
    public func bytes(for duration: Duration) -> Int64 {
        bytes(forSeconds: duration.seconds)
    }
}
