import FoundationEssentials
import SystemSupport

/// A whole WAV file read at once, synchronously: its header (parsed by `WAVHeader`) and the
/// bytes of its data chunk. For short files read in one go (the offline engine's `transcribe`,
/// tests, benchmarks); captioning streams files through `FileAudioSource` instead.
public struct WAVFile: Sendable {
    /// The parsed header.
    public let header: WAVHeader
    /// The data chunks' bytes: each up to its length, or to the end of the file when the header
    /// leaves the length open (a streamed WAV) or the file is shorter than it claims.
    public let data: [UInt8]

    /// Parses the WAV file held in `bytes`; `path` names it in errors.
    public init(bytes: [UInt8], path: String) throws(AudioError) {
        guard let header = try WAVHeader.parse(bytes, path: path, atEOF: true) else {
            // With atEOF, parse throws rather than asking for more; kept for completeness.
            throw .invalidWAV(path: path, field: "data chunk", problem: "is missing (the file ends after \(bytes.count) bytes)")
        }
        self.header = header
        // Every data chunk's bytes (a file may hold more than one), up to the end of the file.
        var walker = WAVDataWalker(firstDataLength: header.dataLength, followsChunks: true, format: header.format)
        data = walker.feed(bytes[header.dataOffset...]) + walker.finish()
    }

    /// Reads and parses the WAV file at `path`.
    public init(path: String) throws(AudioError) {
        let bytes: [UInt8]
        switch Files.read(path) {
        case .success(let b): bytes = b
        case .failure(let e): throw .cannotRead(path: path, detail: e.description)
        }
        try self.init(bytes: bytes, path: path)
    }

    /// The samples converted to `output` with `AudioConverter` (resampled, mixed down to one
    /// channel or kept, re-encoded).
    public func samples(as output: AudioFormat) throws(AudioError) -> [UInt8] {
        var converter = try AudioConverter(input: header.format, output: output, mixWeights: header.downmixWeights)
        return converter.convert(data) + converter.flush()
    }
}
