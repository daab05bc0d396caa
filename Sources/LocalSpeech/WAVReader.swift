import Audio
import Foundation

/// Reads a RIFF/WAVE file (PCM 16/32-bit, float, mu-law, A-law) into a format and its bytes.
///
/// A small reader for the offline engine's tests, benchmark and `transcribe` entry point.
public enum WAVReader {
    public static func read(_ url: URL) throws(LocalEngineError) -> (format: AudioFormat, data: [UInt8]) {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw .unreadableAudio(path: url.path, detail: error.localizedDescription)
        }
        func fail(_ d: String) -> LocalEngineError { .unreadableAudio(path: url.path, detail: d) }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8) else {
            throw fail("not a RIFF/WAVE file")
        }
        var o = 12
        var format: AudioFormat?
        while o + 8 <= bytes.count {
            let id = String(decoding: bytes[o..<(o + 4)], as: UTF8.self)
            let size = u32(o + 4)
            let body = o + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw fail("short fmt chunk") }
                var tag = u16(body)
                let channels = u16(body + 2), rate = u32(body + 4), bits = u16(body + 14)
                if tag == 0xFFFE, size >= 26 { tag = u16(body + 24) }
                let enc: SampleEncoding
                switch (tag, bits) {
                case (1, 16): enc = .linear16
                case (1, 32): enc = .linear32
                case (3, 32): enc = .float32
                case (6, 8): enc = .alaw
                case (7, 8): enc = .mulaw
                default: throw fail("unsupported WAV encoding (format tag \(tag), \(bits) bits); convert to 16-bit PCM")
                }
                guard channels > 0, rate > 0 else { throw fail("bad channel count or sample rate") }
                format = AudioFormat(encoding: enc, sampleRate: rate, channels: channels)
            } else if id == "data" {
                guard let format else { throw fail("data chunk before fmt chunk") }
                let end = min(bytes.count, body + size)
                return (format, Array(bytes[body..<end]))
            }
            o = body + size + (size & 1)
        }
        throw fail("no data chunk")
    }

    /// Reads a WAV file and converts it to 16 kHz mono linear16 samples.
    public static func read16kMono(_ url: URL) throws(LocalEngineError) -> [Int16] {
        let (format, data) = try read(url)
        var conv = SpeechConverter(from: format)
        return conv.convert(data) + conv.flush()
    }
}
