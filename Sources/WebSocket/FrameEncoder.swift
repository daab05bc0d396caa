/// Encodes frames to wire bytes; a client masks every frame with a fresh random key.
public struct FrameEncoder: Sendable {
    /// `true` in the client role (RFC 6455 §5.3: every client frame is masked).
    public let masking: Bool

    public init(masking: Bool) {
        self.masking = masking
    }

    /// The wire bytes of one frame. `maskKey` is for tests; a client draws a random key per frame.
    public func encode(_ frame: Frame, maskKey: (UInt8, UInt8, UInt8, UInt8)? = nil) -> [UInt8] {
        encode(fin: frame.fin, opcode: frame.opcode, payload: frame.payload[...], maskKey: maskKey)
    }

    public func encode(fin: Bool, opcode: Opcode, payload: ArraySlice<UInt8>,
                       maskKey: (UInt8, UInt8, UInt8, UInt8)? = nil) -> [UInt8] {
        let n = payload.count
        var out: [UInt8] = []
        out.reserveCapacity(n + 14)
        out.append((fin ? 0x80 : 0) | opcode.rawValue)
        let maskBit: UInt8 = masking ? 0x80 : 0
        if n < 126 {
            out.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            out.append(maskBit | 126)
            out.append(UInt8(n >> 8)); out.append(UInt8(n & 0xFF))
        } else {
            out.append(maskBit | 127)
            for i in (0..<8).reversed() { out.append(UInt8(truncatingIfNeeded: UInt64(n) >> (8 * UInt64(i)))) }
        }
        if masking {
            let key = maskKey ?? FrameEncoder.randomKey()
            out.append(key.0); out.append(key.1); out.append(key.2); out.append(key.3)
            let headerCount = out.count
            out.append(contentsOf: payload)
            Masking.apply(key: key, to: &out, from: headerCount)
        } else {
            out.append(contentsOf: payload)
        }
        return out
    }

    /// Frames for one message, split into fragments of at most `fragmentSize` bytes when given.
    /// An empty message is one empty frame.
    public func encode(message: WebSocketMessage, fragmentSize: Int? = nil) -> [[UInt8]] {
        let opcode: Opcode
        let bytes: [UInt8]
        switch message {
        case .text(let s): opcode = .text; bytes = Array(s.utf8)
        case .binary(let b): opcode = .binary; bytes = b
        }
        guard let size = fragmentSize, size > 0, bytes.count > size else {
            return [encode(fin: true, opcode: opcode, payload: bytes[...])]
        }
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + size, bytes.count)
            frames.append(encode(fin: end == bytes.count, opcode: offset == 0 ? opcode : .continuation,
                                 payload: bytes[offset..<end]))
            offset = end
        }
        return frames
    }

    /// A close frame payload: the code (big endian) then the UTF-8 reason, cut to fit 125 bytes.
    public static func closePayload(code: UInt16, reason: String) -> [UInt8] {
        var p: [UInt8] = [UInt8(code >> 8), UInt8(code & 0xFF)]
        var r = Array(reason.utf8)
        if r.count > 123 {
            r = Array(r.prefix(123))
            // Do not cut inside a UTF-8 sequence.
            while let last = r.last, last & 0xC0 == 0x80 { r.removeLast() }
            if let last = r.last, last & 0xC0 == 0xC0 { r.removeLast() }
        }
        p.append(contentsOf: r)
        return p
    }

    static func randomKey() -> (UInt8, UInt8, UInt8, UInt8) {
        let v = MaskKeyPool.shared.next()
        return (UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24))
    }
}
