import FoundationEssentials
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Audio from a WAV file, a raw PCM file, or stdin (`-`), converted to what the engine takes.
///
/// Opening reads the header (a RIFF, RF64 or BW64 header is sniffed; anything else needs a
/// declared raw format). A file yields its chunks once per `chunks()` call; stdin only once.
/// A WAV whose data chunk claims more bytes than the file holds yields all the audio that
/// is there, then throws `AudioError.truncated`.
public struct FileAudioSource: AudioSource {
    public let format: AudioFormat
    public let name: String
    /// The format of the samples in the file.
    public let inputFormat: PCMFormat
    /// The WAV header, nil for raw input.
    public let wavHeader: WAVHeader?
    public let options: FileSourceOptions
    /// The file's path; nil for stdin or a descriptor.
    public let path: String?
    /// What error messages call the input (the path, "stdin", or the name given).
    public let displayName: String
    /// A file or a pipe is read only as fast as the engine takes it.
    public var canWait: Bool { true }

    private let firstReader: Locked<StartedReader?>
    /// Time the reading was held (a pause): real-time pacing resumes from where it stopped
    /// instead of catching up on the time held.
    private let heldTime = Locked<Duration>(.zero)

    /// Whether pausing can hold the reading where it is (a regular file) rather than drop what
    /// comes meanwhile (standard input or a pipe, which may be live).
    public var canHold: Bool {
        guard let path else { return false }
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Moves real-time pacing on by `d`, the time the reading was held.
    public func held(for d: Duration) { heldTime.withLock { $0 += d } }
    var pacingDelay: Duration { heldTime.withLock { $0 } }

    /// How long the audio is, when known before it is read: a regular file's size (less a WAV
    /// header, at most the data chunk's length) over its byte rate. Nil for standard input, a
    /// pipe, or a WAV streamed with no length.
    public var expectedSeconds: Double? {
        guard let path else { return nil }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = Int64(st.st_size) - Int64(wavHeader?.dataOffset ?? 0)
        if let length = wavHeader?.dataLength, length > 0 { bytes = min(bytes, length) }
        let rate = Double(inputFormat.sampleRate) * Double(inputFormat.bytesPerFrame)
        guard bytes > 0, rate > 0 else { return nil }
        return Double(bytes) / rate
    }

    /// Opens `path` ("-" for stdin) and reads its header.
    public init(path: String, options: FileSourceOptions = FileSourceOptions()) async throws(AudioError) {
        if path == "-" {
            try await self.init(fileDescriptor: 0, name: "stdin", options: options)
            return
        }
        try validateChunkDuration(options.chunkDuration)
        let fd = try Self.openFD(path)
        try await self.init(fd: fd, path: path, display: path, name: path.pathLastComponent, options: options)
    }

    /// Reads a pipe or other descriptor (duplicated; the caller keeps `fd`). One-shot, like stdin.
    public init(fileDescriptor: Int32, name: String, options: FileSourceOptions = FileSourceOptions()) async throws(AudioError) {
        try validateChunkDuration(options.chunkDuration)
        let fd = dup(fileDescriptor)
        guard fd >= 0 else { throw .cannotRead(path: name, detail: String(cString: strerror(errno))) }
        try await self.init(fd: fd, path: nil, display: name, name: name, options: options)
    }

    private init(fd: Int32, path: String?, display: String, name: String, options: FileSourceOptions) async throws(AudioError) {
        self.path = path
        self.displayName = display
        self.name = name
        self.options = options
        let started = try await Self.start(fd: fd, display: display, rawFormat: options.rawFormat, oneShot: path == nil)
        (inputFormat, wavHeader) = (started.format, started.header)
        let f = started.format
        if let native = f.encoding.sendable, options.passThrough.contains(native),
           f.channels == 1 || options.keepChannels || f.channels == options.output.channels {
            format = AudioFormat(encoding: native, sampleRate: f.sampleRate, channels: f.channels)
        } else {
            format = AudioFormat(encoding: options.output.encoding, sampleRate: options.output.sampleRate,
                                 channels: options.keepChannels ? f.channels : options.output.channels)
        }
        do { _ = try AudioConverter(input: f, output: format) } catch { started.reader.cancel(); throw error }
        firstReader = Locked(started)
    }

    public func chunks() -> AsyncThrowingStream<AudioChunk, Error> {
        let pump = FilePump(source: self)
        return AsyncThrowingStream(unfolding: { try await pump.next() })
    }

    /// The reader positioned at the first sample, and the input format.
    struct StartedReader: @unchecked Sendable {
        var reader: ByteReader
        var leftover: [UInt8]
        var format: PCMFormat
        var header: WAVHeader?
    }

    /// The reader opened by `init`, once; later calls get nil.
    func takeFirstReader() -> StartedReader? { firstReader.withLock { r in defer { r = nil }; return r } }

    static func openFD(_ path: String) throws(AudioError) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(path: path, detail: String(cString: strerror(errno))) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .cannotRead(path: path, detail: "it is a directory")
        }
        return fd
    }
}

extension FileAudioSource {
    /// Opens the input and reads up to the first sample.
    static func start(fd: Int32, display: String, rawFormat: PCMFormat?, oneShot: Bool) async throws(AudioError) -> StartedReader {
        let reader = ByteReader(fd: fd, path: display, closeWhenDone: true)
        var bytes: [UInt8] = []
        var atEOF = false
        while bytes.count < 12 && !atEOF {
            if let b = try await reader.next() { bytes += b } else { atEOF = true }
        }
        if !WAVHeader.startsLikeWAV(bytes) {
            // Compressed audio read as raw PCM would be loud noise, not a clear error.
            if let kind = KnownContainer.identify(bytes, strongOnly: rawFormat != nil) {
                reader.cancel()
                throw .unsupportedContainer(path: display, kind: kind)
            }
            if let rawFormat {
                // Not a byte (an empty file, a pipe whose writer failed): an error, as for a WAV.
                // It exited 0 ("no audio samples") where the same empty pipe read as WAV exited 1.
                if bytes.isEmpty && atEOF { reader.cancel(); throw .empty(path: display) }
                return StartedReader(reader: reader, leftover: bytes, format: rawFormat, header: nil)
            }
            reader.cancel()
            if oneShot && !bytes.isEmpty { throw .rawFormatRequired(path: display) }
            _ = try WAVHeader.parse(bytes, path: display, atEOF: atEOF)   // throws notRIFFWave
            throw .notRIFFWave(path: display, found: "nothing usable")
        }
        while true {
            do {
                if var h = try WAVHeader.parse(bytes, path: display, atEOF: atEOF) {
                    var st = stat()
                    if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG,
                       let whole = WAVHeader.unwrappedDataLength(announced: h.dataLength, dataOffset: h.dataOffset, fileSize: Int64(st.st_size)) {
                        h.dataLength = whole
                    }
                    return StartedReader(reader: reader, leftover: Array(bytes[h.dataOffset...]), format: h.format, header: h)
                }
            } catch {
                reader.cancel()
                throw error
            }
            // Chunks before the audio are held in memory until the data chunk starts; a header
            // claiming gigabytes of them (a hostile or broken file) must not take that much.
            guard bytes.count <= maxHeaderBytes else {
                reader.cancel()
                throw .invalidWAV(path: display, field: "header", problem: "holds more than \(maxHeaderBytes >> 20) MiB before the audio data starts, "
                                  + "which captty does not read. Rewrite the file without its extra chunks, e.g. `sox in.wav -b 16 out.wav`")
            }
            if let b = try await reader.next() { bytes += b } else { atEOF = true }
        }
    }

    /// The most bytes read before the data chunk (metadata and cover art are far smaller).
    static let maxHeaderBytes = 16 << 20
}
