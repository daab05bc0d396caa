import Foundation
import TestSupport

/// Audio and scratch space for end-to-end tests.
enum E2EAudio {
    /// A real recording of speech (the US Constitution's preamble, 19.1 s).
    static var preamble: String {
        TestPaths.deepgramFixtures.appendingPathComponent("audio/preamble-rest.wav").path
    }

    /// A 16 kHz mono 16-bit WAV of `seconds` of a tone (the Deepgram test double names words by
    /// byte offset, so content does not matter); returns its path.
    static func tone(seconds: Double, in dir: URL) throws -> String {
        let n = Int(seconds * 16_000)
        var data = Data()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + n * 2)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(n * 2))
        for i in 0..<n { u16(UInt16(bitPattern: Int16(3000 * sin(Double(i) * 2 * .pi * 440 / 16_000)))) }
        let url = dir.appendingPathComponent("tone.wav")
        try data.write(to: url)
        return url.path
    }

    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("captty-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A shell-safe single-quoted string.
    static func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
