import Foundation
import Testing
@testable import Audio

/// A WAV file with more than one data chunk (a recorder that appended a second take, a tool
/// that splits long recordings): captty read the first and lost the rest without a word. Now
/// every data chunk of a file is audio, as ffmpeg reads them; other chunks between and after are
/// skipped. A pipe still ends with its first data chunk (its writer may keep it open), unless
/// another WAV file follows.
@Suite(.timeLimit(.minutes(2)))
struct LaterDataChunkTests {
    static let first = (0..<1_600).flatMap { WAVBuilder.le16(Int16(truncatingIfNeeded: $0 * 13)) }
    static let second = (0..<800).flatMap { WAVBuilder.le16(Int16(truncatingIfNeeded: 20_000 - $0 * 7)) }

    /// fmt, data (first), LIST (odd, padded), data (second), id3.
    static func twoTakes() -> [UInt8] {
        var b = WAVBuilder()
        b.chunksAfterData = [("LIST", Array("abc".utf8)), ("data", second), ("id3 ", Array("ID3!".utf8))]
        return b.build(first)
    }

    @Test func everyDataChunkOfAFileIsRead() async throws {
        let path = try WAVBuilder.write(Self.twoTakes(), name: "two-takes.wav")
        let streamed = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(streamed.error == nil)
        #expect(streamed.bytes.count == Self.first.count + Self.second.count)
        #expect(streamed.bytes == Self.first + Self.second, "the second take is lost or the chunks between are read as audio")
        #expect(try WAVFile(path: path).data == Self.first + Self.second)
    }

    @Test func aPipeEndsWithItsFirstDataChunk() async throws {
        let fd = StdinAndRawInputTests.pipe(feeding: Self.twoTakes())
        defer { close(fd) }
        let r = try await drain(try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions()))
        #expect(r.error == nil)
        #expect(r.bytes == Self.first)
    }

    @Test func walkerFollowsPaddingAndItsAbsence() {
        // An odd chunk without its pad byte (some writers leave it out), then a data chunk.
        var tail: [UInt8] = [1, 2, 3, 4]
        tail += Array("LIST".utf8) + WAVBuilder.le32(3) + [9, 9, 9]   // no pad
        tail += Array("data".utf8) + WAVBuilder.le32(2) + [5, 6]
        var w = WAVDataWalker(firstDataLength: 4, followsChunks: true)
        // Fed a byte at a time: headers split anywhere are still read.
        let audio = tail.flatMap { w.feed([$0][...]) }
        #expect(audio == [1, 2, 3, 4, 5, 6])
        #expect(w.dataChunks == 2)

        // An odd first data chunk, padded, then a second.
        var padded: [UInt8] = [1, 2, 3, 0]
        padded += Array("data".utf8) + WAVBuilder.le32(1) + [7]
        var p = WAVDataWalker(firstDataLength: 3, followsChunks: true)
        #expect(p.feed(padded[...]) == [1, 2, 3, 7])
    }

    /// A data chunk of odd size without its pad byte, then "data" and a size whose low byte is
    /// printable: "ata" and that byte also read as an id, and the pad was assumed, so the rest of
    /// the audio was skipped as a chunk "ata^" (found in QA; ffmpeg reads it all). A known id
    /// decides, as in `WAVHeader`.
    @Test func anUnpaddedOddChunkThenDataWithAPrintableSizeByte() {
        var tail: [UInt8] = [1, 2, 3]                                   // odd first chunk, no pad
        tail += Array("data".utf8) + WAVBuilder.le32(0x5E) + [UInt8](repeating: 7, count: 0x5E)
        var w = WAVDataWalker(firstDataLength: 3, followsChunks: true)
        #expect(w.feed(tail[...]) == [1, 2, 3] + [UInt8](repeating: 7, count: 0x5E))
        #expect(w.dataChunks == 2)
        // Padded as it should be, the same bytes are read the same.
        var padded: [UInt8] = [1, 2, 3, 0]
        padded += Array("data".utf8) + WAVBuilder.le32(0x5E) + [UInt8](repeating: 7, count: 0x5E)
        var p = WAVDataWalker(firstDataLength: 3, followsChunks: true)
        #expect(p.feed(padded[...]) == [1, 2, 3] + [UInt8](repeating: 7, count: 0x5E))
    }

    @Test func walkerStopsAtWhatIsNotAChunk() {
        var w = WAVDataWalker(firstDataLength: 2, followsChunks: true)
        #expect(w.feed(([1, 2] + [UInt8](repeating: 0, count: 64))[...]) == [1, 2])
        #expect(w.isDone && w.missingAtEnd == 0)
        var pipe = WAVDataWalker(firstDataLength: 2, followsChunks: false)
        #expect(pipe.feed(([1, 2] + Array("data".utf8) + WAVBuilder.le32(2) + [3, 4])[...]) == [1, 2])
        #expect(pipe.isDone)
    }

    /// Audio after the length the header announces, not in a chunk (a recorder that did not
    /// finish its header): only the announced audio is read, as before, but it is said, with
    /// how much more there is and how to read it all; it used to be cut without a word.
    @Test func audioPastTheAnnouncedLengthIsSaid() async throws {
        let more = (0..<24_000).flatMap { WAVBuilder.le16(Int16(truncatingIfNeeded: $0 * 13)) }
        let path = try WAVBuilder.write(WAVBuilder().build(Self.first) + more, name: "header-short.wav")
        let r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(r.bytes == Self.first)
        let warning = (r.error as? AudioError)?.earlyEndWarning
        #expect(warning?.contains("announces 0.1 s of audio, but 1.5 s more follows") == true, "\(String(describing: r.error))")
        #expect(warning?.contains("sox --ignore-length") == true)
        // A few stray bytes after the audio, or padding to a 4 KiB block (half a second of
        // 8 kHz mu-law), are not worth a word.
        let stray = try WAVBuilder.write(WAVBuilder().build(Self.first) + [UInt8](repeating: 0, count: 64), name: "stray.wav")
        let quiet = try await drain(try await FileAudioSource(path: stray, options: fastOptions()))
        #expect(quiet.bytes == Self.first && quiet.error == nil, "\(String(describing: quiet.error))")
        var mulaw = WAVBuilder()
        mulaw.tag = 7; mulaw.bits = 8; mulaw.rate = 8_000
        let padded = try WAVBuilder.write(mulaw.build([UInt8](repeating: 0xFF, count: 800)) + [UInt8](repeating: 0, count: 4_096), name: "padded.wav")
        let block = try await drain(try await FileAudioSource(path: padded, options: fastOptions()))
        #expect(block.error == nil, "\(String(describing: block.error))")
    }

    /// The same through a pipe (`cat rec.wav | captty transcribe -`): the rest was dropped
    /// without a word there (found in QA). How much follows is not known; the way to read it
    /// all is said. A chunk after the audio (LIST, id3) or a block's padding says nothing.
    @Test func audioPastTheAnnouncedLengthInAPipeIsSaid() async throws {
        let more = (0..<24_000).flatMap { WAVBuilder.le16(Int16(truncatingIfNeeded: $0 * 13)) }
        let fd = StdinAndRawInputTests.pipe(feeding: WAVBuilder().build(Self.first) + more)
        defer { close(fd) }
        let r = try await drain(try await FileAudioSource(fileDescriptor: fd, name: "standard input", options: fastOptions()))
        #expect(r.bytes == Self.first)
        let warning = (r.error as? AudioError)?.earlyEndWarning
        #expect(warning?.hasPrefix("standard input: its WAV header announces 0.1 s of audio, but more follows that is not part of it") == true,
                "\(String(describing: r.error))")
        #expect(warning?.contains("sox --ignore-length -t wav - -t wav -") == true)
        var mulaw = WAVBuilder()
        mulaw.tag = 7; mulaw.bits = 8; mulaw.rate = 8_000
        for quiet in [mulaw.build([UInt8](repeating: 0xFF, count: 800)) + [UInt8](repeating: 0, count: 4_096), Self.twoTakes()] {
            let q = StdinAndRawInputTests.pipe(feeding: quiet)
            defer { close(q) }
            let s = try await drain(try await FileAudioSource(fileDescriptor: q, name: "standard input", options: fastOptions()))
            #expect(s.error == nil, "\(String(describing: s.error))")
        }
    }

    /// A WAV of more than 4 GiB whose 32-bit data size wrapped (sox writes them so): the multiple
    /// of 4 GiB that follows the announced data is read as the audio it is. Minutes of a
    /// three-hour file were read, and the advice given (`sox --ignore-length`) wrapped again.
    @Test func aDataSizeThatWrappedPast4GiBIsUnwrapped() throws {
        let g: Int64 = 1 << 32
        #expect(WAVHeader.unwrappedDataLength(announced: 1_000, dataOffset: 44, fileSize: 44 + 1_000 + g) == 1_000 + g)
        #expect(WAVHeader.unwrappedDataLength(announced: 1_000, dataOffset: 44, fileSize: 44 + 1_000 + 2 * g + 300) == 1_000 + 2 * g)
        // Not when what follows is not a whole multiple of 4 GiB (less a few chunks), nor for
        // a file that holds what it announces.
        #expect(WAVHeader.unwrappedDataLength(announced: 1_000, dataOffset: 44, fileSize: 44 + 1_000 + g + (2 << 20)) == nil)
        #expect(WAVHeader.unwrappedDataLength(announced: 1_000, dataOffset: 44, fileSize: 44 + 1_000 + g / 2) == nil)
        #expect(WAVHeader.unwrappedDataLength(announced: 1_000, dataOffset: 44, fileSize: 44 + 1_000) == nil)
        #expect(WAVHeader.unwrappedDataLength(announced: nil, dataOffset: 44, fileSize: 44 + g) == nil)
    }

    /// On a real file (sparse: the 4 GiB take no disk): its length is the unwrapped one.
    @Test func aWrappedFileIsAsLongAsItsAudio() async throws {
        let path = try WAVBuilder.write(WAVBuilder().build(Self.first), name: "wrapped.wav")
        defer { unlink(path) }
        let size = Int64(44 + Self.first.count) + (1 << 32)
        #expect(truncate(path, off_t(size)) == 0)
        let source = try await FileAudioSource(path: path, options: fastOptions())
        let expected = Double(Int64(Self.first.count) + (1 << 32)) / 32_000
        #expect(abs((source.expectedSeconds ?? 0) - expected) < 0.01, "\(String(describing: source.expectedSeconds)) s, not \(expected)")
    }

    /// A stereo file whose right channel is the left one inverted (a miswired microphone) mixes
    /// down to silence: said, with how to transcribe the channels apart; it was reported only as
    /// "digital silence". An ordinary stereo file says nothing.
    @Test func channelsThatCancelOutInTheMixAreSaid() async throws {
        let tone = (0..<16_000).map { Int16(8_000 * sin(Double($0) * 2 * .pi * 440 / 16_000)) }
        var b = WAVBuilder()
        b.channels = 2
        let inverted = tone.flatMap { WAVBuilder.le16($0) + WAVBuilder.le16(-$0) }
        let r = try await drain(try await FileAudioSource(path: try WAVBuilder.write(b.build(inverted), name: "inverted.wav"),
                                                          options: fastOptions()))
        #expect(int16s(r.bytes).allSatisfy { $0 == 0 } && r.bytes.count == tone.count * 2)
        let warning = (r.error as? AudioError)?.earlyEndWarning
        #expect(warning?.contains("its 2 channels cancel each other out") == true && warning?.contains("--multichannel --channels 2") == true,
                "\(String(describing: r.error))")
        let same = tone.flatMap { WAVBuilder.le16($0) + WAVBuilder.le16($0 / 2) }
        let ok = try await drain(try await FileAudioSource(path: try WAVBuilder.write(b.build(same), name: "stereo.wav"), options: fastOptions()))
        #expect(ok.error == nil, "\(String(describing: ok.error))")
    }

    /// A later data chunk cut short is said like a first one (everything there is kept).
    @Test func aTruncatedLaterChunkIsAnEarlyEnd() async throws {
        var b = WAVBuilder()
        b.chunksAfterData = [("LIST", Array("ab".utf8))]
        var bytes = b.build(Self.first)
        bytes += Array("data".utf8) + WAVBuilder.le32(1_000) + Array(Self.second.prefix(100))
        let path = try WAVBuilder.write(bytes, name: "cut-take.wav")
        let r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(r.bytes == Self.first + Self.second.prefix(100))
        let warning = (r.error as? AudioError)?.earlyEndWarning
        #expect(warning?.contains("announces 1000 bytes of audio but the file holds 100") == true, "\(String(describing: r.error))")
    }
}

/// WAV files joined with `cat` (`cat a.wav b.wav > both.wav`, or piped): the second file's
/// header was skipped as an unknown chunk, and its audio lost without a word (sox drops it
/// too). Now a second file in the same format is read on, from a file or a pipe; one in another
/// format ends the audio with a warning that says how to join them.
@Suite(.timeLimit(.minutes(2)))
struct JoinedWAVFilesTests {
    static let first = LaterDataChunkTests.first
    static let second = LaterDataChunkTests.second

    @Test(arguments: [false, true]) func aSecondFileInTheSameFormatIsReadOn(piped: Bool) async throws {
        var b = WAVBuilder()
        b.chunksAfterData = [("LIST", Array("abc".utf8))]   // a chunk, then the next file
        let joined = b.build(Self.first) + WAVBuilder().build(Self.second) + WAVBuilder().build(Self.first)
        let r: (bytes: [UInt8], chunks: [AudioChunk], error: Error?)
        if piped {
            let fd = StdinAndRawInputTests.pipe(feeding: WAVBuilder().build(Self.first) + WAVBuilder().build(Self.second))
            defer { close(fd) }
            r = try await drain(try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions()))
            #expect(r.bytes == Self.first + Self.second, "the second file was lost")
        } else {
            let path = try WAVBuilder.write(joined, name: "joined.wav")
            r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
            #expect(r.bytes == Self.first + Self.second + Self.first, "a file after the first was lost or its header read as audio")
            #expect(try WAVFile(path: path).data == Self.first + Self.second + Self.first)
        }
        #expect(r.error == nil, "\(String(describing: r.error))")
    }

    @Test func aSecondFileInAnotherFormatIsSaid() async throws {
        var other = WAVBuilder()
        other.rate = 8_000
        let path = try WAVBuilder.write(WAVBuilder().build(Self.first) + other.build(Self.second), name: "joined-8k.wav")
        let r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(r.bytes == Self.first, "the 8 kHz file's audio was read as 16 kHz")
        let warning = (r.error as? AudioError)?.earlyEndWarning ?? ""
        #expect(warning.contains("another WAV file starts after the first 0.1 s of audio") && warning.contains("8000 Hz")
                && warning.contains("-r 16000 -c 1"), "\(String(describing: r.error))")
    }

    /// Files written into a pipe one after the other (`for f in a.wav b.wav; do cat $f; done |
    /// captty …`, or with a pause between them): the second file's header came in a later read
    /// than the first file's last audio, and the second file was lost without a word (found in
    /// QA). The reader now waits a little after a pipe's audio for another file.
    @Test func aSecondFileWrittenLaterIntoThePipeIsReadOn() async throws {
        var fds: [Int32] = [0, 0]
        #expect(Glibc.pipe(&fds) == 0)
        let (r, w) = (fds[0], fds[1])
        defer { close(r) }
        let first = WAVBuilder().build(Self.first), second = WAVBuilder().build(Self.second)
        Thread.detachNewThread {
            _ = first.withUnsafeBytes { write(w, $0.baseAddress, first.count) }
            usleep(600_000)
            _ = second.withUnsafeBytes { write(w, $0.baseAddress, second.count) }
            close(w)
        }
        let out = try await drain(try await FileAudioSource(fileDescriptor: r, name: "stdin", options: fastOptions()))
        #expect(out.bytes == Self.first + Self.second, "\(out.bytes.count) bytes: the second file was lost")
        #expect(out.error == nil)
    }

    /// A writer that keeps the pipe open after the audio: the audio still ends (after the short
    /// wait for another file), with nothing more read.
    @Test func aPipeKeptOpenAfterTheAudioStillEnds() async throws {
        var fds: [Int32] = [0, 0]
        #expect(Glibc.pipe(&fds) == 0)
        let (r, w) = (fds[0], fds[1])
        defer { close(r); close(w) }
        let first = WAVBuilder().build(Self.first)
        _ = first.withUnsafeBytes { write(w, $0.baseAddress, first.count) }
        let out = try await drain(try await FileAudioSource(fileDescriptor: r, name: "stdin", options: fastOptions()))
        #expect(out.bytes == Self.first)
        #expect(out.error == nil)
    }

    /// Bytes that are not a WAV file after a pipe's audio end it, whenever they come.
    @Test func thePipeWalkerWaitsForTheNextFilesFirstBytes() throws {
        let format = try #require(try WAVHeader.parse(WAVBuilder().build([]), path: "", atEOF: true)).format
        var w = WAVDataWalker(firstDataLength: Int64(Self.first.count), followsChunks: false, format: format)
        #expect(w.feed(Self.first[...]) == Self.first)
        #expect(w.awaitsAppendedFile && !w.isDone)
        let next = WAVBuilder().build(Self.second)
        #expect(w.feed(next.prefix(2)) == [], "two bytes do not tell yet")
        #expect(w.awaitsAppendedFile)
        #expect(w.feed(next.dropFirst(2)) == Self.second)
        #expect(w.filesJoined == 1)
        var stray = WAVDataWalker(firstDataLength: Int64(Self.first.count), followsChunks: false, format: format)
        _ = stray.feed(Self.first[...])
        #expect(stray.feed(Array("junk and more".utf8)[...]) == [])
        #expect(stray.isDone && !stray.awaitsAppendedFile)
    }

    /// Fed a byte at a time or whole, the walker hands out the same audio; without a format
    /// (nothing to compare with) an appended file ends the audio as stray bytes did.
    @Test func theWalkerReadsAppendedFilesSplitAnywhere() {
        let header = WAVBuilder().build([])
        let tail = Self.first + WAVBuilder().build(Self.second)
        var whole = WAVDataWalker(firstDataLength: Int64(Self.first.count), followsChunks: true, format: try! WAVHeader.parse(header, path: "", atEOF: true)!.format)
        var bytewise = whole
        #expect(whole.feed(tail[...]) == Self.first + Self.second)
        #expect(tail.flatMap { bytewise.feed([$0][...]) } == Self.first + Self.second)
        #expect(whole.filesJoined == 1 && bytewise.filesJoined == 1 && whole.audioBytes == Int64(Self.first.count + Self.second.count))
        var blind = WAVDataWalker(firstDataLength: Int64(Self.first.count), followsChunks: true)
        #expect(blind.feed(tail[...]) == Self.first)
    }

    /// Streamed WAVs (the length left open, as `sox … -t wav -` or `arecord` write to a pipe)
    /// one after the other: the second one's header was read as audio, a click, and a second
    /// file in another format was read in the first one's. Now another stream starts where its
    /// header does, from a pipe or a file, whatever the reads' sizes.
    @Test(arguments: [false, true]) func streamedFilesOneAfterAnotherAreEachRead(piped: Bool) async throws {
        var streamed = WAVBuilder()
        streamed.dataSize = 0xFFFF_FFFF
        var zeroSized = WAVBuilder()
        zeroSized.dataSize = 0
        let joined = streamed.build(Self.first) + zeroSized.build(Self.second) + streamed.build(Self.first)
        let r: (bytes: [UInt8], chunks: [AudioChunk], error: Error?)
        if piped {
            let fd = StdinAndRawInputTests.pipe(feeding: joined, piece: 5)
            defer { close(fd) }
            r = try await drain(try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions()))
        } else {
            let path = try WAVBuilder.write(joined, name: "streamed-joined.wav")
            r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
            let read = try WAVFile(path: path).data == Self.first + Self.second + Self.first
            #expect(read, "WAVFile read a header as audio, or lost audio")
        }
        #expect(r.bytes.count == 2 * Self.first.count + Self.second.count, "a header was read as audio, or audio lost")
        let whole = r.bytes == Self.first + Self.second + Self.first
        #expect(whole, "the audio differs")
        #expect(r.error == nil, "\(String(describing: r.error))")
    }

    @Test func aStreamedFileInAnotherFormatAfterAStreamIsSaid() async throws {
        var streamed = WAVBuilder()
        streamed.dataSize = 0xFFFF_FFFF
        var other = streamed
        other.rate = 8_000
        let fd = StdinAndRawInputTests.pipe(feeding: streamed.build(Self.first) + other.build(Self.second))
        defer { close(fd) }
        let r = try await drain(try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions()))
        let firstOnly = r.bytes == Self.first
        #expect(firstOnly, "\(r.bytes.count) bytes: the 8 kHz stream's header or audio was read as 16 kHz audio")
        let warning = (r.error as? AudioError)?.earlyEndWarning ?? ""
        #expect(warning.contains("8000 Hz"), "\(String(describing: r.error))")
    }

    /// A streamed file's audio that ends in what could start a header ("RIFF", or "RIF") is held
    /// back only until more comes: at the end of the input it is audio, byte for byte, and the
    /// walker's count says so. "RIFF" inside the audio without "WAVE" after it is audio too.
    @Test func bytesHeldBackAtTheEndOfAStreamAreAudio() throws {
        let format = try #require(try WAVHeader.parse(WAVBuilder().build([]), path: "", atEOF: true)).format
        for tail in ["RIF", "RIFF", "RIFF\u{1}\u{2}\u{3}\u{4}WAV"] {
            let audio = Self.first + Array("RIFFxxxxWAVX".utf8) + Self.second + Array(tail.utf8)
            var w = WAVDataWalker(firstDataLength: nil, followsChunks: false, format: format)
            var out: [UInt8] = []
            for piece in stride(from: 0, to: audio.count, by: 7) { out += w.feed(audio[piece..<min(audio.count, piece + 7)]) }
            #expect(out.count < audio.count, "nothing was held back for \(tail)")
            out += w.finish()
            let same = out == audio
            #expect(same, "\(tail): \(out.count) of \(audio.count) bytes")
            #expect(w.audioBytes == Int64(audio.count) && w.currentRead == Int64(audio.count))
            #expect(w.finish() == [])
        }
        var blind = WAVDataWalker(firstDataLength: nil, followsChunks: false)
        let withHeader = Self.first + WAVBuilder().build(Self.second)
        #expect(blind.feed(withHeader[...]) == withHeader, "without a format to compare, all is audio, as before")
    }
}
