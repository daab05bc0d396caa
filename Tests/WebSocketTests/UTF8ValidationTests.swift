import Testing
@testable import WebSocket

/// The streaming UTF-8 validator against Swift's own decoder and known-bad sequences.
@Suite struct UTF8ValidationTests {
    @Test("valid text in every split is accepted")
    func valid() {
        let s = Array("aé€😀 mixed ASCII and ünïcödé 𝄞".utf8)
        for cut in 0...s.count {
            var v = UTF8Validator()
            #expect(v.consume(s[..<cut]) && v.consume(s[cut...]) && v.isComplete)
        }
    }

    @Test("overlongs, surrogates, out-of-range and stray bytes are rejected",
          arguments: [[0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                      [0xF5, 0x80, 0x80, 0x80], [0x80], [0xFF], [0xC2, 0x41]] as [[UInt8]])
    func invalid(bytes: [UInt8]) {
        #expect(!UTF8Validator.isValid(bytes))
    }

    @Test("agrees with Swift's decoder on random byte strings")
    func agreesWithStdlib() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let n = Int.random(in: 0..<12, using: &g)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &g) & (Bool.random(using: &g) ? 0xFF : 0x7F) | (Bool.random(using: &g) ? 0x80 : 0) }
            let stdlib = String(validating: bytes, as: UTF8.self) != nil
            #expect(UTF8Validator.isValid(bytes) == stdlib, "\(bytes)")
        }
    }
}
