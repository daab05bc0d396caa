import Foundation
import Testing
import Audio

/// RF64 and BW64 (EBU Tech 3306: WAV with 64-bit sizes in a `ds64` chunk, what broadcast
/// recorders, libsndfile and `ffmpeg -rf64` write) decode like WAV. They were refused.
@Suite(.timeLimit(.minutes(2)))
struct RF64Tests {
    /// `wav` (a RIFF file from WAVBuilder, data chunk right after fmt) rewritten as RF64: magic,
    /// 32-bit sizes 0xFFFFFFFF, and a ds64 chunk with the real data size first.
    static func rf64(_ wav: [UInt8], magic: String = "RF64", dataSize: UInt64? = nil, ds64: Bool = true,
                     tableCount: UInt32 = 0) -> [UInt8] {
        var body = Array(wav[12...])
        let dataAt = body.firstRange(of: Array("data".utf8))!.lowerBound
        let realSize = UInt64(WAVBuilder.u32(body, dataAt + 4))
        body.replaceSubrange(dataAt + 4..<dataAt + 8, with: [0xFF, 0xFF, 0xFF, 0xFF])
        var ds = le64(UInt64(wav.count + 28)) + le64(dataSize ?? realSize) + le64(realSize / 2) + WAVBuilder.le32(tableCount)
        ds = Array("ds64".utf8) + WAVBuilder.le32(UInt32(ds.count)) + ds
        return Array(magic.utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WAVE".utf8) + (ds64 ? ds : []) + body
    }

    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    private let samples = (0..<3000).map { Int16(truncatingIfNeeded: $0 * 17) }

    @Test(arguments: ["RF64", "BW64"])
    func rf64DecodesAndStopsAtTheDS64DataSize(magic: String) async throws {
        var b = WAVBuilder(channels: 1)
        b.chunksAfterData = [("LIST", Array(repeating: 0x41, count: 40))]     // not audio: must not be decoded
        let path = try WAVBuilder.write(Self.rf64(b.build(samples.flatMap { WAVBuilder.le16($0) }), magic: magic))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        #expect(source.wavHeader?.dataLength == 6000)
        let r = try await drain(source)
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
    }

    @Test func rf64ThroughAPipeAndAsAWholeFile() async throws {
        let bytes = Self.rf64(WAVBuilder(bits: 24).build(samples.flatMap { s -> [UInt8] in [0] + WAVBuilder.le16(s) }))
        let fd = StdinAndRawInputTests.pipe(feeding: bytes)
        defer { close(fd) }
        let r = try await drain(try await FileAudioSource(fileDescriptor: fd, name: "stdin", options: fastOptions()))
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
        let whole = try WAVFile(bytes: bytes, path: "x.wav")
        #expect(whole.header.format == PCMFormat(encoding: .s24le, sampleRate: 16_000, channels: 1))
        #expect(whole.data.count == 9000)
    }

    /// A recorder that died before writing the ds64 data size (0) leaves a stream to read to its end.
    @Test func rf64WithOpenDS64SizeReadsToTheEnd() async throws {
        let path = try WAVBuilder.write(Self.rf64(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }), dataSize: 0))
        let r = try await drain(try await FileAudioSource(path: path, options: fastOptions()))
        #expect(r.error == nil)
        #expect(int16s(r.bytes) == samples)
    }

    /// A ds64 table that claims 2^32−1 entries (a hostile or corrupt file) is read for the entries
    /// the chunk holds, not looped over 4 billion times.
    @Test func aDS64TableCountBeyondTheChunkIsBoundedByTheChunk() throws {
        let bytes = Self.rf64(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }), tableCount: 0xFFFF_FFFF)
        let start = ContinuousClock.now
        let header = try WAVHeader.parse(bytes, path: "x.wav", atEOF: true)
        #expect(header?.dataLength == 6000)
        #expect(ContinuousClock.now - start < .seconds(2), "parsing took \(ContinuousClock.now - start)")
    }

    @Test func rf64WithoutDS64IsRefusedClearly() async throws {
        let path = try WAVBuilder.write(Self.rf64(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }), ds64: false))
        await #expect {
            _ = try await FileAudioSource(path: path, options: fastOptions())
        } throws: { e in
            String(describing: e).contains("ds64 chunk is missing before the 'data' chunk")
        }
    }

    /// A ds64 table giving a chunk a size near Int64.max (found by an audit: the chunk's end
    /// overflowed and the process trapped; `captty serve` took the same bytes from a client).
    /// It is a truncated file: a typed error, whole or streamed, and a streamed prefix asks for more.
    @Test func aDS64SizeNearInt64MaxIsATruncatedChunkNotACrash() async throws {
        let fmt = WAVBuilder.le16(1) + WAVBuilder.le16(1) + WAVBuilder.le32(16_000) + WAVBuilder.le32(32_000)
            + WAVBuilder.le16(2) + WAVBuilder.le16(16)
        let table = Self.le64(0) + Self.le64(4) + Self.le64(0) + WAVBuilder.le32(1) + Array("JUNK".utf8) + Self.le64(UInt64(Int64.max))
        let bytes = Array("RF64".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WAVEds64".utf8) + WAVBuilder.le32(UInt32(table.count)) + table
            + Array("fmt ".utf8) + WAVBuilder.le32(16) + fmt + Array("JUNK".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 100)
        #expect(throws: AudioError.truncated(path: "x.wav", chunk: "'JUNK'", claimed: Int64.max, available: 100)) {
            _ = try WAVHeader.parse(bytes, path: "x.wav", atEOF: true)
        }
        #expect(try WAVHeader.parse(bytes, path: "x.wav", atEOF: false) == nil)
        #expect(throws: AudioError.self) { _ = try WAVFile(bytes: bytes, path: "x.wav") }
        let path = try WAVBuilder.write(bytes)
        await #expect {
            _ = try await FileAudioSource(path: path, options: fastOptions())
        } throws: { e in
            String(describing: e).contains("'JUNK' chunk claims \(Int64.max) bytes but the file ends after 100")
        }
    }

    /// A ds64 data size near Int64.max is an open-ended data chunk in a whole-file read too.
    @Test func aDS64DataSizeNearInt64MaxReadsWhatTheFileHolds() throws {
        let bytes = Self.rf64(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }), dataSize: UInt64(Int64.max))
        let whole = try WAVFile(bytes: bytes, path: "x.wav")
        #expect(whole.header.dataLength == Int64.max)
        #expect(int16s(whole.data) == samples)
    }

    /// Streamed, a ds64 data size beyond 4 GiB (RF64's purpose) and beyond the file (found by
    /// CI's fuzzer: 0x1000200000010) gives every sample, then says the file is truncated.
    @Test func aDS64DataSizeBeyondTheFileIsTruncatedAfterItsAudio() async throws {
        let claimed: Int64 = 0x1_0002_0000_0010
        let path = try WAVBuilder.write(Self.rf64(WAVBuilder().build(samples.flatMap { WAVBuilder.le16($0) }),
                                                  dataSize: UInt64(claimed)))
        let source = try await FileAudioSource(path: path, options: fastOptions())
        #expect(source.wavHeader?.dataLength == claimed)
        let r = try await drain(source)
        #expect(int16s(r.bytes) == samples)
        #expect(String(describing: r.error).contains("claims \(claimed) bytes but the file ends after 6000"), "\(String(describing: r.error))")
    }
}
