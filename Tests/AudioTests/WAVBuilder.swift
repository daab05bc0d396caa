import Foundation
import Audio

/// Builds WAV files byte by byte for tests, including wrong ones (every field can lie).
struct WAVBuilder {
    var tag: UInt16 = 1
    var channels: UInt16 = 1
    var rate: UInt32 = 16_000
    var bits: UInt16 = 16
    var blockAlign: UInt16?
    var byteRate: UInt32?
    var extensible = false
    /// The extensible header's speaker mask (default: 3 for stereo, else 4).
    var channelMask: UInt32?
    /// For extensible files: the real format tag inside the sub-format GUID.
    var subTag: UInt16 = 1
    var guidTail: [UInt8] = [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]
    var chunksBeforeFmt: [(String, [UInt8])] = []
    var chunksBeforeData: [(String, [UInt8])] = []
    var chunksAfterData: [(String, [UInt8])] = []
    var dataSize: UInt32?
    var omitFmt = false
    var fmtSizeOverride: UInt32?

    func build(_ data: [UInt8]) -> [UInt8] {
        var body = Array("WAVE".utf8)
        for c in chunksBeforeFmt { body += Self.chunk(c.0, c.1) }
        if !omitFmt {
            let align = blockAlign ?? channels * (bits / 8)
            var f = [UInt8]()
            f += Self.le16(u: extensible ? 0xFFFE : tag) + Self.le16(u: channels) + Self.le32(rate)
            f += Self.le32(byteRate ?? rate * UInt32(align)) + Self.le16(u: align) + Self.le16(u: bits)
            if extensible {
                f += Self.le16(u: 22) + Self.le16(u: bits) + Self.le32(channelMask ?? (channels == 2 ? 3 : 4))
                f += Self.le16(u: subTag) + guidTail
            }
            if let fmtSizeOverride {
                body += Array("fmt ".utf8) + Self.le32(fmtSizeOverride) + Array(f.prefix(Int(fmtSizeOverride)))
            } else {
                body += Self.chunk("fmt ", f)
            }
        }
        for c in chunksBeforeData { body += Self.chunk(c.0, c.1) }
        body += Array("data".utf8) + Self.le32(dataSize ?? UInt32(data.count)) + data
        if data.count % 2 == 1 && !chunksAfterData.isEmpty { body.append(0) }
        for c in chunksAfterData { body += Self.chunk(c.0, c.1) }
        return Array("RIFF".utf8) + Self.le32(UInt32(body.count)) + body
    }

    /// A chunk with its pad byte when the size is odd.
    static func chunk(_ id: String, _ b: [UInt8]) -> [UInt8] {
        Array(id.utf8) + le32(UInt32(b.count)) + b + (b.count % 2 == 1 ? [0] : [])
    }
    static func le16(u v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
    static func le16(_ v: Int16) -> [UInt8] { le16(u: UInt16(bitPattern: v)) }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    /// Writes bytes to a fresh temp file and returns its path.
    static func write(_ bytes: [UInt8], name: String = "test.wav") throws -> String {
        let path = Signal.tempPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Reads every chunk of a source (fast), returning the bytes and the error that ended it, if any.
func drain(_ source: some AudioSource, timeout: Double = 60) async throws -> (bytes: [UInt8], chunks: [AudioChunk], error: Error?) {
    try await withTimeout(timeout) {
        var chunks: [AudioChunk] = []
        do {
            for try await c in source.chunks() { chunks.append(c) }
            return (chunks.flatMap(\.data), chunks, nil)
        } catch {
            return (chunks.flatMap(\.data), chunks, error)
        }
    }
}

/// Options for reading a file as fast as possible at its own rate (no resampling) into linear16.
func fastOptions(rate: Int = 16_000, channels: Int = 1, keep: Bool = false) -> FileSourceOptions {
    FileSourceOptions(output: AudioFormat(encoding: .linear16, sampleRate: rate, channels: channels),
                      keepChannels: keep, pacing: .asFastAsPossible)
}

func int16s(_ bytes: [UInt8]) -> [Int16] {
    stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
}
