import Executors
#if canImport(Glibc)
import Glibc
#endif
/// Turns one pass over a file source's bytes into paced, converted `AudioChunk`s (pulled on demand).
actor FilePump {
    private let source: FileAudioSource
    private var reader: FileAudioSource.StartedReader?
    private var converter: AudioConverter?
    private var walker: WAVDataWalker?
    private var header: WAVHeader?
    private var inputFormat: PCMFormat?
    /// Converted bytes not yet handed out start at `outStart` (compacted now and then, not on
    /// every chunk: moving a 64 KiB block down for each 50 ms chunk cost more than the chunk).
    private var out: [UInt8] = []
    private var outStart = 0
    private var inputDone = false
    private var flushed = false
    private var pendingError: AudioError?
    private var frame: Int64 = 0
    private var clockStart: ContinuousClock.Instant?
    private let chunkBytes: Int

    init(source: FileAudioSource) {
        self.source = source
        let frames = max(1, Int((source.options.chunkDuration * Double(source.format.sampleRate)).rounded()))
        chunkBytes = frames * source.format.bytesPerFrame
    }

    func next() async throws -> AudioChunk? {
        if reader == nil && !inputDone { try await open() }
        while out.count - outStart < chunkBytes && !inputDone { try await readMore() }
        if inputDone && !flushed, var c = converter {
            if var w = walker { out += c.convert(w.finish()); walker = w }
            out += c.flush(); converter = c; flushed = true
            if c.channelsCancelOut, pendingError == nil {
                pendingError = .channelsCancelOut(path: source.displayName, channels: c.input.channels)
            }
        }
        let bpf = source.format.bytesPerFrame
        let available = out.count - outStart
        let take = min(chunkBytes, available - available % bpf)
        if take == 0 {
            reader = nil
            if let e = pendingError { pendingError = nil; throw e }
            return nil
        }
        let chunk = AudioChunk(format: source.format, data: Array(out[outStart..<outStart + take]), startFrame: frame)
        outStart += take
        if outStart == out.count {
            out.removeAll(keepingCapacity: true)
            outStart = 0
        } else if outStart >= 64 * 1024 && outStart * 2 >= out.count {
            out.removeFirst(outStart)
            outStart = 0
        }
        frame += Int64(chunk.frameCount)
        let speed: Double? = switch source.options.pacing {
        case .realTime: 1
        case .faster(let f) where f > 0 && f.isFinite: f
        default: nil
        }
        if let speed {
            let clock = ContinuousClock()
            let start = clockStart ?? clock.now
            clockStart = start
            let due = start + source.pacingDelay + .nanoseconds(Int64((Double(frame) / Double(source.format.sampleRate) / speed * 1e9).rounded()))
            try await SerialThreadExecutor.sleep(until: due)
        }
        return chunk
    }

    private func open() async throws {
        let started: FileAudioSource.StartedReader
        if let r = source.takeFirstReader() {
            started = r
        } else if let path = source.path {
            started = try await FileAudioSource.start(fd: try FileAudioSource.openFD(path), display: path,
                                                      rawFormat: source.options.rawFormat, oneShot: false)
            guard started.format == source.inputFormat else {
                started.reader.cancel()
                throw AudioError.cannotRead(path: path, detail: "the file changed format since it was opened (now \(started.format))")
            }
        } else {
            throw AudioError.alreadyConsumed(source.displayName)
        }
        reader = started
        walker = WAVDataWalker(firstDataLength: started.header?.dataLength,
                               followsChunks: started.header != nil && source.path.map(Self.isRegularFile) == true,
                               format: started.header?.format)
        header = started.header
        inputFormat = started.format
        converter = try AudioConverter(input: started.format, output: source.format, mixWeights: started.header?.downmixWeights)
        if !started.leftover.isEmpty { consume(started.leftover) }
        reader?.leftover = []
    }

    /// How long a pipe's reader waits, after a WAV file's audio, for another file to follow.
    static let appendedFileWait: Duration = .seconds(3)

    private func readMore() async throws {
        guard let r = reader?.reader else { inputDone = true; return }
        if walker?.awaitsAppendedFile == true {
            // The audio has ended unless another file follows soon: a writer may keep the
            // pipe open after the audio.
            switch try await r.next(within: Self.appendedFileWait) {
            case .timedOut:
                inputDone = true
                r.cancel()
            case .block(let b?):
                consume(b)
            case .block(nil):
                inputDone = true
            }
            return
        }
        if let b = try await r.next() {
            consume(b)
        } else {
            inputDone = true
            if let w = walker, w.missingAtEnd > 0, let length = w.currentLength {
                pendingError = .truncated(path: source.displayName, chunk: "data",
                                          claimed: length, available: w.currentRead)
            }
        }
    }

    private func consume(_ bytes: [UInt8]) {
        guard var w = walker else { return }
        let audio = w.feed(bytes[...])
        walker = w
        if w.isDone {
            inputDone = true
            reader?.reader.cancel()
            if w.endedAtStrayBytes, pendingError == nil { pendingError = unreadAfterData(w) }
            if let appended = w.appendedFormat, let first = w.format, pendingError == nil {
                pendingError = .appendedWAVDiffers(path: source.displayName, seconds: Double(w.audioBytes) / Double(first.bytesPerFrame * first.sampleRate),
                                                   first: first, appended: appended)
            }
        }
        if var c = converter { out += c.convert(audio); converter = c }
    }

    /// When the walker stopped at bytes that are not a chunk after the first data chunk: how
    /// much of the file it left, if that is a second of audio and 16 KiB or more (stray bytes,
    /// or padding to a disk sector or block, are not worth a word: 4 KiB is half a second of
    /// 8 kHz mu-law).
    private func unreadAfterData(_ w: WAVDataWalker) -> AudioError? {
        guard w.dataChunks == 1, let header, let length = header.dataLength, let inputFormat else { return nil }
        guard let path = source.path, Self.isRegularFile(path) else {
            // A pipe: what follows cannot be measured, only what had come with the audio's end
            // (8 KiB or more is not a writer's padding to a block).
            guard w.strayBytesAfterPipeData >= 8192 else { return nil }
            return .unreadAfterPipeData(path: source.displayName,
                                        announcedSeconds: Double(length) / Double(inputFormat.bytesPerFrame * inputFormat.sampleRate))
        }
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let after = Int64(st.st_size) - Int64(header.dataOffset) - length - (length & 1)
        let bytesPerSecond = Double(inputFormat.bytesPerFrame * inputFormat.sampleRate)
        guard bytesPerSecond > 0, Double(after) >= bytesPerSecond, after >= 16 * 1024 else { return nil }
        return .unreadAfterData(path: source.displayName, announcedSeconds: Double(length) / bytesPerSecond,
                                followingSeconds: Double(after) / bytesPerSecond)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
