import Audio
import Foundation

/// Reads a RIFF/WAVE file (PCM 16/32-bit, float, mu-law, A-law) into a format and its bytes.
///
/// A small reader for the offline engine's tests, benchmark, server (WAV streams sent without
/// `encoding`) and `transcribe` entry point.
public enum WAVReader {
    /// The outcome of reading the start of a WAV stream.
    public enum Header: Sendable, Equatable {
        /// More bytes are needed to reach the `data` chunk.
        case needMore
        /// The audio format and the offset of the first sample byte.
        case found(AudioFormat, dataOffset: Int, dataSize: Int)
        case invalid(String)
    }

    /// Parses the header of a WAV file or stream from its first bytes.
    public static func header(_ bytes: [UInt8]) -> Header {
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        guard bytes.count >= 12 else {
            let riff = Array("RIFF".utf8)
            return bytes.prefix(4).elementsEqual(riff.prefix(min(4, bytes.count))) ? .needMore : .invalid("not a RIFF/WAVE file")
        }
        guard bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            return .invalid("not a RIFF/WAVE file")
        }
        var o = 12
        var format: AudioFormat?
        while o + 8 <= bytes.count {
            let id = String(decoding: bytes[o..<(o + 4)], as: UTF8.self)
            let size = u32(o + 4)
            let body = o + 8
            if id == "data" {
                guard let format else { return .invalid("data chunk before fmt chunk") }
                return .found(format, dataOffset: body, dataSize: size)
            }
            if id == "fmt " {
                guard size >= 16 else { return .invalid("short fmt chunk") }
                guard body + 16 <= bytes.count else { return .needMore }
                var tag = u16(body)
                let channels = u16(body + 2), rate = u32(body + 4), bits = u16(body + 14)
                if tag == 0xFFFE {
                    guard body + 26 <= bytes.count else { return .needMore }
                    tag = u16(body + 24)
                }
                let enc: SampleEncoding
                switch (tag, bits) {
                case (1, 16): enc = .linear16
                case (1, 32): enc = .linear32
                case (3, 32): enc = .float32
                case (6, 8): enc = .alaw
                case (7, 8): enc = .mulaw
                default: return .invalid("unsupported WAV encoding (format tag \(tag), \(bits) bits); convert to 16-bit PCM")
                }
                guard channels > 0, rate > 0 else { return .invalid("bad channel count or sample rate") }
                format = AudioFormat(encoding: enc, sampleRate: rate, channels: channels)
            }
            if size > 1 << 20 && id != "data" { return .invalid("implausible \(id) chunk of \(size) bytes") }
            o = body + size + (size & 1)
        }
        return bytes.count > 1 << 16 ? .invalid("no data chunk in the first 64 KiB") : .needMore
    }

    public static func read(_ url: URL) throws(LocalEngineError) -> (format: AudioFormat, data: [UInt8]) {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw .unreadableAudio(path: url.path, detail: error.localizedDescription)
        }
        switch header(bytes) {
        case .found(let format, let offset, let size):
            let end = size == 0 || size == 0xFFFF_FFFF ? bytes.count : min(bytes.count, offset + size)
            return (format, Array(bytes[offset..<end]))
        case .needMore: throw .unreadableAudio(path: url.path, detail: "truncated WAV header (no data chunk)")
        case .invalid(let why): throw .unreadableAudio(path: url.path, detail: why)
        }
    }

    /// Reads a WAV file and converts it to 16 kHz mono linear16 samples.
    public static func read16kMono(_ url: URL) throws(LocalEngineError) -> [Int16] {
        let (format, data) = try read(url)
        var conv = try SpeechConverter(from: format)
        return conv.convert(data) + conv.flush()
    }
}
