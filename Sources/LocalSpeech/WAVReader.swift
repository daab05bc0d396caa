import Audio
import FoundationEssentials

/// Reads a RIFF/WAVE file (PCM 16/32-bit, float, mu-law, A-law) into a format and its bytes.
///
/// The offline engine's view of WAV for its tests, benchmark, server (WAV streams sent without
/// `encoding`) and `transcribe` entry point. The parsing is the Audio module's (`WAVHeader`,
/// `WAVFile`): there is one WAV reader; this adds the stream limits and wire formats the
/// engine needs.
public enum WAVReader {
    /// The outcome of reading the start of a WAV stream.
    public enum Header: Sendable, Equatable {
        /// More bytes are needed to reach the `data` chunk.
        case needMore
        /// The audio format and the offset of the first sample byte; `dataSize` is 0 when the
        /// header leaves the length open (a streamed WAV).
        case found(AudioFormat, dataOffset: Int, dataSize: Int)
        case invalid(String)
    }

    /// How many header bytes a stream may send before its data chunk: room for metadata
    /// (cover art, BWF and iXML chunks), not for a stream that never gets to its audio.
    static let maxHeaderBytes = 4 << 20

    /// Parses the header of a WAV file or stream from its first bytes.
    public static func header(_ bytes: [UInt8]) -> Header { headerAndCause(bytes).header }

    /// `header`, with the Audio module's error behind an `.invalid` (`AudioIntake` words sample
    /// rate and channel problems with the server's own limits).
    static func headerAndCause(_ bytes: [UInt8]) -> (header: Header, cause: AudioError?) {
        let (header, samples, cause) = streamHeader(bytes)
        if case .found = header, let samples { return (.invalid(UnsupportedEncoding(encoding: samples.encoding).detail), nil) }
        return (header, cause)
    }

    /// The start of a WAV stream as the server reads it: `.found` gives the wire format the
    /// engine is fed, and `samples` the format of the bytes in the data chunk when they must be
    /// converted to it first (8-bit, 24-bit and 64-bit float WAV become linear16 at the same
    /// rate and channels; `transcribe` read them and `serve` refused them).
    static func streamHeader(_ bytes: [UInt8]) -> (header: Header, samples: PCMFormat?, cause: AudioError?) {
        let parsed: WAVHeader?
        do { parsed = try WAVHeader.parse(bytes, path: "the stream", atEOF: false) } catch {
            return (.invalid(problem(error)), nil, error)
        }
        guard let parsed else {
            return (bytes.count > maxHeaderBytes ? .invalid("no data chunk in the first 4 MiB of the WAV header; strip its metadata") : .needMore, nil, nil)
        }
        let dataSize = parsed.dataLength.map { Int($0) } ?? 0
        if let wire = parsed.format.audioFormat {
            return (.found(wire, dataOffset: parsed.dataOffset, dataSize: dataSize), nil, nil)
        }
        let wire = AudioFormat(encoding: .linear16, sampleRate: parsed.format.sampleRate, channels: parsed.format.channels)
        return (.found(wire, dataOffset: parsed.dataOffset, dataSize: dataSize), parsed.format, nil)
    }

    public static func read(_ url: URL) throws(LocalEngineError) -> (format: AudioFormat, data: [UInt8]) {
        let file = try wavFile(url)
        do { return (try audioFormat(file.header.format), file.data) } catch {
            throw .unreadableAudio(path: url.path, detail: error.detail)
        }
    }

    /// Reads a WAV file and converts it to 16 kHz mono linear16 samples.
    public static func read16kMono(_ url: URL) throws(LocalEngineError) -> [Int16] {
        let file = try wavFile(url)
        do {
            return SpeechConverter.samples(try file.samples(as: AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 1)))
        } catch {
            throw .unsupportedFormat("\(file.header.format) (\(error))")
        }
    }

    private static func wavFile(_ url: URL) throws(LocalEngineError) -> WAVFile {
        do { return try WAVFile(path: url.path) } catch {
            throw .unreadableAudio(path: url.path, detail: problem(error))
        }
    }

    /// A WAV sample format the engine takes as a wire format.
    private static func audioFormat(_ f: PCMFormat) throws(UnsupportedEncoding) -> AudioFormat {
        guard let format = f.audioFormat else { throw UnsupportedEncoding(encoding: f.encoding) }
        return format
    }

    private struct UnsupportedEncoding: Error {
        var encoding: InputEncoding
        var detail: String {
            "unsupported WAV encoding (\(encoding.rawValue)); convert to 16-bit PCM, e.g. `sox in.wav -e signed -b 16 out.wav`"
        }
    }

    /// What is wrong, without the path (callers name the file or the stream themselves).
    private static func problem(_ error: AudioError) -> String {
        switch error {
        case let .notRIFFWave(_, found): return "not a RIFF/WAVE file (it starts with \(found))"
        case .empty: return "empty: it holds no audio"
        case let .unsupportedContainer(_, kind): return "not a RIFF/WAVE file: it is \(kind.name)"
        case let .invalidWAV(_, field, problem): return "\(field) \(problem)"
        case let .truncated(_, chunk, claimed, available):
            return "\(chunk) chunk claims \(claimed) bytes but the file ends after \(available)"
        case let .cannotRead(_, detail): return detail
        default: return error.description
        }
    }
}
