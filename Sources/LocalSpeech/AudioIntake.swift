import Audio

/// Turns the binary frames of a `/v1/listen` stream into 16 kHz linear16 samples per channel.
///
/// Raw audio in the format the query named, or — with no `encoding` — a WAV stream whose header
/// gives the format. Several channels are either mixed down to one or, for `multichannel`,
/// kept apart. Pure: tested without sockets.
struct AudioIntake {
    enum Output: Equatable {
        /// New samples, one array per output channel (possibly empty).
        case samples([[Int16]])
        /// The audio cannot be decoded (the server closes with 1008 DATA-0000).
        case invalid(String)
    }

    private(set) var format: AudioFormat?
    private let separateChannels: Bool
    private var header: [UInt8] = []
    private var converter: SpeechConverter?
    /// A WAV stream's samples in a format the engine does not take on the wire (8-bit, 24-bit):
    /// converted to linear16 first.
    private var widener: AudioConverter?
    /// Audio bytes received so far (after any WAV header).
    private(set) var bytesIn = 0
    /// A WAV stream whose header gives the data chunk's size: the bytes of it still to come
    /// (nil: unknown, a streaming header, or audio goes on past it).
    private var remaining: Int?
    /// Bytes past the data chunk, held until it is clear whether another chunk follows.
    private var afterData: [UInt8] = []
    /// The data chunk's size is odd: a pad byte comes before the next chunk.
    private var padded = false
    /// Another chunk (LIST, id3 …) followed the audio: the rest of the stream is not audio.
    private var pastAudio = false

    /// `format` nil means a WAV stream. `separateChannels` keeps channels apart (multichannel).
    init(format: AudioFormat?, separateChannels: Bool) {
        self.separateChannels = separateChannels
        if let format { _ = setUp(format) }
    }

    /// Bytes of a WAV stream's header received without the header being complete (nil: none,
    /// or the audio has started): a stream ending here held no audio at all.
    var unfinishedHeader: Int? { converter == nil && !header.isEmpty ? header.count : nil }

    /// Output channels: the stream's channels when kept apart, else 1.
    var outputChannels: Int { separateChannels ? (format?.channels ?? 1) : 1 }

    /// Seconds of audio received.
    var seconds: Double { format.map { Double(bytesIn / $0.bytesPerFrame) / Double($0.sampleRate) } ?? 0 }

    private mutating func setUp(_ f: AudioFormat) -> String? {
        format = f
        do { converter = try SpeechConverter(from: f, separateChannels: separateChannels) } catch { return "\(error)" }
        return nil
    }

    static let limits = "this server takes 1000 to 192000 Hz and 1 to 32 channels"

    mutating func push(_ bytes: [UInt8]) -> Output {
        var data = bytes
        if converter == nil {
            header += bytes
            let (parsed, samples, cause) = WAVReader.streamHeader(header)
            switch parsed {
            case .needMore: return .samples([])
            case .invalid(let why):
                // What to do first: the close reason has room for about 120 bytes of it.
                switch cause {
                case .invalidWAV(_, let field, let problem)? where field == "sample rate" || field == "channels":
                    // The server's own limits only: the reader's ("more than the 64 supported")
                    // contradicted them, and its advice is a captty command line, not for a
                    // remote client (found in QA).
                    let value = problem.prefix { $0.isNumber }
                    return .invalid("the WAV header gives \(value.isEmpty ? "unusable \(field)" : "\(field) \(value)")"
                                    + "\(field == "sample rate" && !value.isEmpty ? " Hz" : ""); \(Self.limits)")
                case .unsupportedContainer(_, let kind)?:
                    return .invalid("\(kind.name) cannot be decoded here: send WAV, or raw PCM with encoding and sample_rate in the URL")
                case .notRIFFWave?, .empty?:
                    return .invalid("raw audio needs encoding and sample_rate in the URL; without them a WAV stream was expected, but \(why)")
                default:
                    return .invalid("the WAV stream's header is not usable: \(why)")
                }
            case .found(let f, let offset, let dataSize):
                // The limits raw audio has (ListenRequest): a header claiming 1 Hz would make the
                // resampler expand every byte 16000-fold (gigabytes from one small message), and a
                // prime rate near 4 GHz would make it design a filter table of ~100 GB.
                guard (1_000...192_000).contains(f.sampleRate), (1...32).contains(f.channels) else {
                    return .invalid("the WAV header says \(f.sampleRate) Hz and \(f.channels) channel(s); \(Self.limits)")
                }
                if let why = setUp(f) { return .invalid(why) }
                if let samples {
                    do { widener = try AudioConverter(input: samples, output: f) } catch { return .invalid("\(error)") }
                }
                data = Array(header[offset...])
                header = []
                if dataSize > 0 { remaining = dataSize; padded = dataSize % 2 == 1 }
            }
        }
        if remaining != nil { data = audioPart(of: data) }
        if widener != nil { data = widener!.convert(data) }
        guard converter != nil, format != nil else { return .invalid("the audio format \(self.format.map { "\($0)" } ?? "?") cannot be converted") }
        bytesIn += data.count
        return .samples(converter!.convertChannels(data))
    }

    /// The bytes of `data` that belong to the data chunk. Past its declared size, the stream is
    /// audio only if no chunk header follows: a trailing LIST or id3 chunk was decoded as two
    /// seconds of noise (and a final), but a header that understates a live stream's length must
    /// not cut the stream short.
    private mutating func audioPart(of data: [UInt8]) -> [UInt8] {
        guard !pastAudio else { return [] }
        guard let r = remaining else { return data }
        var audio: [UInt8] = []
        var rest = data[...]
        if r > 0 {
            let k = min(r, rest.count)
            audio = Array(rest.prefix(k))
            rest = rest.dropFirst(k)
            remaining = r - k
        }
        guard remaining == 0 else { return audio }
        afterData += rest
        let at = padded ? 1 : 0
        guard afterData.count >= at + 4 else { return audio }
        if WAVHeader.isKnownChunkID(afterData, at) {
            pastAudio = true
        } else {
            audio += afterData
            remaining = nil
        }
        afterData = []
        return audio
    }

    /// The samples still held by the resamplers, at the end of the stream.
    mutating func flush() -> [[Int16]] {
        converter?.flushChannels() ?? []
    }

    /// For a Finalize: the samples the converter still holds back (see
    /// `SpeechConverter.drainForFinalize`), without ending the stream.
    mutating func drainForFinalize() -> [[Int16]] {
        converter?.drainForFinalize() ?? []
    }
}
