/// Follows a WAV file's chunks from the first data chunk's first byte on and hands out the audio
/// bytes of every data chunk: the first, and any later one (a recorder that appended a second
/// take, tools that split long recordings). ffmpeg reads later data chunks too; captty used to
/// stop after the first and lose the rest without a word. Other chunks after the audio (LIST,
/// id3, cue) are skipped. Anything that does not look like a chunk ends the audio.
public struct WAVDataWalker: Sendable {
    public enum State: Equatable, Sendable {
        /// In a data chunk: bytes still to come (nil: to the end of the input).
        case data(remaining: Int64?)
        /// Skipping the rest of a chunk that is not audio.
        case skipping(Int64)
        /// Reading the 8-byte header of the next chunk.
        case header
        /// Reading the header of another WAV file appended to this one (files joined with `cat`).
        case nextFile
        /// A pipe's data chunk has ended: the next bytes (if any come) say whether another WAV
        /// file follows (`for f in a.wav b.wav; do cat $f; done | captty …`).
        case afterPipeData
        case done
    }

    public private(set) var state: State
    /// Whether chunks after a data chunk are read (a regular file); a pipe ends with its first
    /// data chunk, since a writer may keep it open after the audio.
    public let followsChunks: Bool
    /// The data chunks started so far.
    public private(set) var dataChunks = 1
    /// The length the current (or last) data chunk claims, and its bytes seen so far.
    public private(set) var currentLength: Int64?
    public private(set) var currentRead: Int64 = 0
    private var pending: [UInt8] = []
    private var oddChunkEnded = false

    /// The sample format of the audio (given: another WAV file appended in this format is read
    /// on; nil: an appended file ends the audio like any stray bytes).
    public let format: PCMFormat?
    /// WAV files appended to the first one (`cat a.wav b.wav`) whose audio was read on.
    public private(set) var filesJoined = 0
    /// An appended WAV file in another format, which ended the audio: its format.
    public private(set) var appendedFormat: PCMFormat?
    /// The most header bytes an appended file may have before its audio.
    static let maxAppendedHeader = 4 * 1024 * 1024

    public init(firstDataLength: Int64?, followsChunks: Bool, format: PCMFormat? = nil) {
        state = .data(remaining: firstDataLength)
        currentLength = firstDataLength
        self.followsChunks = followsChunks
        self.format = format
        if firstDataLength == 0 { endData(length: 0, next: ArraySlice()) }
    }

    /// Data bytes the current chunk claims but the input did not hold (at its end).
    public var missingAtEnd: Int64 {
        if case .data(let remaining?) = state { return remaining }
        return 0
    }

    public var isDone: Bool { state == .done }

    /// A pipe's audio has ended, and whether another WAV file follows is not known yet: the
    /// reader should wait a little for more input, and end the audio if none comes.
    public var awaitsAppendedFile: Bool { state == .afterPipeData }

    /// The audio ended because what followed a data chunk is not a chunk: stray bytes, or audio
    /// past the length the header announced (a recorder that did not finish its header).
    public private(set) var endedAtStrayBytes = false
    /// For a pipe: how many such bytes had come when the audio ended (the rest was not read).
    public private(set) var strayBytesAfterPipeData = 0

    /// The audio bytes handed out so far.
    public private(set) var audioBytes: Int64 = 0

    /// The audio bytes among the next input bytes `bytes`.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        let audio = walk(bytes)
        audioBytes += Int64(audio.count)
        return audio
    }

    private mutating func walk(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var audio: [UInt8] = []
        var b = bytes
        while !b.isEmpty {
            switch state {
            case .done:
                return audio
            case .data(nil):
                guard format != nil else {
                    currentRead += Int64(b.count)
                    audio += b
                    return audio
                }
                // A streamed WAV (its length left open) runs to the end of the input, unless
                // another WAV file starts in it: two streams written one after the other into a
                // pipe (`for f in a.wav b.wav; do sox $f -t wav -; done | captty --file -`). Its
                // header was read as audio, a click and the second file's format ignored.
                pending += b
                b = []
                let cut = Self.nextFileStart(in: pending)
                let n = cut.found ?? pending.count - cut.heldBack
                audio += pending[..<n]
                currentRead += Int64(n)
                if cut.found != nil {
                    state = .nextFile
                    b = pending[n...]
                    pending = []
                } else {
                    pending.removeFirst(n)
                }
            case .data(let remaining?):
                let n = Int(min(Int64(b.count), remaining))
                audio += b.prefix(n)
                b = b.dropFirst(n)
                currentRead += Int64(n)
                if remaining - Int64(n) == 0 { endData(length: currentLength ?? 0, next: b) } else { state = .data(remaining: remaining - Int64(n)) }
            case .skipping(let left):
                let n = Int(min(Int64(b.count), left))
                b = b.dropFirst(n)
                state = left - Int64(n) == 0 ? .header : .skipping(left - Int64(n))
            case .header:
                pending += b
                b = []
                readHeader(into: &b)
            case .nextFile:
                pending += b
                b = []
                readAppendedFile(into: &b)
            case .afterPipeData:
                pending += b
                b = []
                guard pending.count >= 4 else { continue }
                endPipeData(next: pending)
                if state == .nextFile { b = pending[...] }
                pending = []
            }
        }
        return audio
    }

    /// Ends the input: the audio bytes held back at the end of a streamed data chunk, in case
    /// they started another file's header (at most 11), are audio after all.
    public mutating func finish() -> [UInt8] {
        guard case .data(nil) = state, !pending.isEmpty else { return [] }
        let tail = pending
        pending = []
        currentRead += Int64(tail.count)
        audioBytes += Int64(tail.count)
        return tail
    }

    /// Where another WAV file's header ("RIFF", a size, "WAVE") starts in `bytes`, if it does;
    /// else how many bytes at the end could be its start and must wait for more input.
    public static func nextFileStart(in bytes: [UInt8]) -> (found: Int?, heldBack: Int) {
        let riff = Array("RIFF".utf8), wave = Array("WAVE".utf8)
        func matches(at i: Int) -> Bool {
            for k in 0..<12 where i + k < bytes.count {
                if k < 4 && bytes[i + k] != riff[k] { return false }
                if k >= 8 && bytes[i + k] != wave[k - 8] { return false }
            }
            return true
        }
        let found: Int? = bytes.withUnsafeBufferPointer { buf -> Int? in
            guard buf.count >= 12 else { return nil }
            var i = 0
            while i + 12 <= buf.count {
                if buf[i] == 0x52 && buf[i + 1] == 0x49 && buf[i + 2] == 0x46 && buf[i + 3] == 0x46
                    && buf[i + 8] == 0x57 && buf[i + 9] == 0x41 && buf[i + 10] == 0x56 && buf[i + 11] == 0x45 { return i }
                i += 1
            }
            return nil
        }
        if let found { return (found, 0) }
        for i in max(0, bytes.count - 11)..<bytes.count where matches(at: i) { return (nil, bytes.count - i) }
        return (nil, 0)
    }

    /// The data chunk ended; `next` is the input that follows it, as far as it has come.
    private mutating func endData(length: Int64, next: ArraySlice<UInt8>) {
        guard followsChunks else {
            // A pipe may stay open after the audio, so it is read on only when what comes next
            // starts another WAV file; the reader waits a little for it (`awaitsAppendedFile`).
            // (Read on only when the next file's header came in the same read, the second of
            // two files written one after the other was lost without a word, found in QA.)
            if format == nil {
                state = .done
            } else if next.count >= 4 {
                endPipeData(next: Array(next))
            } else {
                state = .afterPipeData
            }
            return
        }
        oddChunkEnded = length & 1 == 1
        state = .header
    }

    /// A pipe's data chunk ended and `next` (4 bytes or more) came after it: another WAV file,
    /// a chunk WAV files carry (LIST, id3: the audio is over), or bytes that are neither, most
    /// likely audio past a length the header got wrong (a recorder that did not finish it). Those
    /// were dropped without a word, where a file said so (found in QA): `strayBytesAfterPipeData`.
    private mutating func endPipeData(next: [UInt8]) {
        if next.prefix(4).elementsEqual("RIFF".utf8) {
            state = .nextFile
            return
        }
        state = .done
        if !WAVHeader.isKnownChunkID(next, 0) {
            endedAtStrayBytes = true
            strayBytesAfterPipeData = next.count
        }
    }

    /// Reads the header of an appended WAV file from `pending` when it is all there: the same
    /// format goes on as audio, another format ends it (said by `appendedFormat`).
    private mutating func readAppendedFile(into rest: inout ArraySlice<UInt8>) {
        let header: WAVHeader?
        do {
            header = try WAVHeader.parse(pending, path: "", atEOF: false)
        } catch {
            state = .done; pending = []; endedAtStrayBytes = true
            return
        }
        guard let header else {
            if pending.count > Self.maxAppendedHeader { state = .done; pending = []; endedAtStrayBytes = true }
            return
        }
        guard header.format == format else {
            appendedFormat = header.format
            state = .done; pending = []
            return
        }
        rest = pending[header.dataOffset...]
        pending = []
        filesJoined += 1
        dataChunks += 1
        currentLength = header.dataLength
        currentRead = 0
        state = .data(remaining: header.dataLength)
        if header.dataLength == 0 { endData(length: 0, next: rest) }
    }

    /// Reads the next chunk's header from `pending` when it is all there; what follows the
    /// header goes back to `rest`.
    private mutating func readHeader(into rest: inout ArraySlice<UInt8>) {
        if oddChunkEnded {
            // The pad byte after an odd chunk, unless the writer left it out (an id follows at
            // once). When both readings look like ids, a known id decides, as in `WAVHeader`
            // ("data" then a size whose low byte is printable read as a chunk "ata^", and the
            // rest of the audio was skipped, found in QA).
            guard pending.count >= 5 else { return }
            let noPad = WAVHeader.isChunkID(pending, 0) && (!WAVHeader.isChunkID(pending, 1)
                || (WAVHeader.isKnownChunkID(pending, 0) && !WAVHeader.isKnownChunkID(pending, 1)))
            if !noPad { pending.removeFirst() }
            oddChunkEnded = false
        }
        guard pending.count >= 8 else { return }
        if format != nil && pending[0..<4].elementsEqual("RIFF".utf8) {
            // Another WAV file (files joined with `cat`), not a chunk of this one.
            state = .nextFile
            rest = pending[...]
            pending = []
            return
        }
        guard WAVHeader.isChunkID(pending, 0) else { state = .done; pending = []; endedAtStrayBytes = true; return }
        let isData = pending[0..<4].elementsEqual("data".utf8)
        let size = Int64(WAVHeader.u32(pending, 4))
        rest = pending[8...]
        pending = []
        if isData {
            dataChunks += 1
            let length: Int64? = WAVHeader.streamingDataSizes.contains(UInt32(size)) && size != 0 ? nil : size
            currentLength = length
            currentRead = 0
            state = .data(remaining: length)
            if length == 0 { endData(length: 0, next: rest) }
        } else {
            oddChunkEnded = size & 1 == 1
            state = size == 0 ? .header : .skipping(size)
        }
    }
}
