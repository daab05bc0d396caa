import Testing
@testable import WebSocket

/// Frame encoding and decoding as pure values: no sockets.
@Suite struct FrameCodecTests {
    func roundTrip(_ frame: Frame, masking: Bool, splits: [Int]) throws -> [Frame] {
        let bytes = FrameEncoder(masking: masking).encode(frame)
        var d = FrameDecoder(expectMasked: masking)
        var out: [Frame] = []
        var i = 0
        var s = 0
        while i < bytes.count {
            let n = max(1, splits[s % splits.count]); s += 1
            let end = min(bytes.count, i + n)
            d.feed(bytes[i..<end])
            i = end
            while let f = try d.next() { out.append(f) }
        }
        return out
    }

    @Test("round trip of every length class, masked and not, fed in arbitrary splits",
          arguments: [0, 1, 125, 126, 127, 65535, 65536, 200_000])
    func roundTripLengths(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for masking in [true, false] {
            for splits in [[1], [2, 3, 7], [4096], [1_000_000]] {
                let f = Frame(fin: true, opcode: .binary, payload: payload)
                let got = try roundTrip(f, masking: masking, splits: splits)
                #expect(got == [f], "length \(length) masking \(masking) splits \(splits)")
            }
        }
    }

    @Test("header bytes follow RFC 6455 examples")
    func rfcExamples() throws {
        // RFC 6455 §5.7: unmasked "Hello" and masked "Hello" with key 37 fa 21 3d.
        let e = FrameEncoder(masking: false).encode(Frame(opcode: .text, payload: Array("Hello".utf8)))
        #expect(e == [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f])
        let m = FrameEncoder(masking: true).encode(Frame(opcode: .text, payload: Array("Hello".utf8)), maskKey: (0x37, 0xfa, 0x21, 0x3d))
        #expect(m == [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58])
        var d = FrameDecoder(expectMasked: true)
        d.feed(m)
        #expect(try d.next() == Frame(opcode: .text, payload: Array("Hello".utf8)))
        // 256-byte binary: 16-bit length; 64 KiB: 64-bit length.
        let b256 = FrameEncoder(masking: false).encode(Frame(opcode: .binary, payload: [UInt8](repeating: 0, count: 256)))
        #expect(Array(b256.prefix(4)) == [0x82, 0x7E, 0x01, 0x00])
        let b64k = FrameEncoder(masking: false).encode(Frame(opcode: .binary, payload: [UInt8](repeating: 0, count: 65536)))
        #expect(Array(b64k.prefix(10)) == [0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0])
    }

    @Test("several frames in one read come out in order; a partial header waits for more bytes")
    func multipleFrames() throws {
        let enc = FrameEncoder(masking: false)
        let bytes = enc.encode(Frame(fin: false, opcode: .text, payload: Array("ab".utf8)))
            + enc.encode(Frame(opcode: .ping, payload: [1, 2]))
            + enc.encode(Frame(opcode: .continuation, payload: Array("c".utf8)))
        var d = FrameDecoder(expectMasked: false)
        d.feed(bytes.prefix(1))
        #expect(try d.next() == nil)
        d.feed(bytes.dropFirst(1))
        #expect(try d.next()?.opcode == .text)
        #expect(try d.next() == Frame(opcode: .ping, payload: [1, 2]))
        #expect(try d.next() == Frame(opcode: .continuation, payload: Array("c".utf8)))
        #expect(try d.next() == nil)
        #expect(d.bufferedByteCount == 0)
    }

    static let violationCases: [(String, [UInt8], Bool, UInt16)] = [
        ("RSV1 set", [0xC1, 0x00], false, 1002),
        ("RSV3 set", [0x91, 0x00], false, 1002),
        ("reserved data opcode 3", [0x83, 0x00], false, 1002),
        ("reserved control opcode B", [0x8B, 0x00], false, 1002),
        ("fragmented ping", [0x09, 0x00], false, 1002),
        ("control frame of 126 bytes", [0x89, 0x7E, 0x00, 0x7E], false, 1002),
        ("server frame masked", [0x81, 0x80, 1, 2, 3, 4], false, 1002),
        ("client frame unmasked", [0x81, 0x00], true, 1002),
        ("64-bit length with top bit", [0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0], false, 1002),
        ("16-bit length not minimal", [0x82, 0x7E, 0x00, 0x05], false, 1002),
        ("frame larger than the limit", [0x82, 0x7F, 0, 0, 0, 0, 0x01, 0, 0, 0], false, 1009),
    ]

    @Test("protocol violations are typed with the right close code", arguments: violationCases.indices)
    func violations(index: Int) {
        let (name, bytes, masked, code) = Self.violationCases[index]
        var d = FrameDecoder(expectMasked: masked, maxFrameSize: 1 << 20)
        d.feed(bytes)
        #expect(throws: FrameError.self, "\(name)") { _ = try d.next() }
        do { _ = try d.next(); Issue.record("\(name): no error") } catch { #expect(error.code == code, "\(name)") }
    }

    @Test("masking is its own inverse at every alignment")
    func maskingInverse() {
        for n in 0..<40 {
            let original = (0..<n).map { UInt8($0) }
            var b = original
            Masking.apply(key: (1, 2, 3, 250), to: &b)
            if n > 0 { #expect(b[0] == 1 && (n < 4 || b[3] == 3 ^ 250)) }
            Masking.apply(key: (1, 2, 3, 250), to: &b)
            #expect(b == original)
        }
    }

    @Test("a message split into fragments encodes first opcode then continuations, FIN on the last")
    func fragmentEncoding() throws {
        let frames = FrameEncoder(masking: false).encode(message: .text("abcdefg"), fragmentSize: 3)
        var d = FrameDecoder(expectMasked: false)
        for f in frames { d.feed(f) }
        let decoded = try (0..<3).map { _ in try d.next()! }
        #expect(decoded.map(\.opcode) == [.text, .continuation, .continuation])
        #expect(decoded.map(\.fin) == [false, false, true])
        #expect(decoded.flatMap(\.payload) == Array("abcdefg".utf8))
        #expect(FrameEncoder(masking: false).encode(message: .binary([]), fragmentSize: 3) == [[0x82, 0x00]])
    }

    @Test("close payload keeps the code and cuts a long reason on a UTF-8 boundary")
    func closePayload() throws {
        let p = FrameEncoder.closePayload(code: 1002, reason: String(repeating: "é", count: 100))
        #expect(p.count <= 125)
        #expect(p[0] == 0x03 && p[1] == 0xEA)
        #expect(UTF8Validator.isValid(p[2...]))
    }
}
