/// Minimal standard base64 (RFC 4648) for handshake keys, kept free of Foundation so the
/// handshake parsers can be fuzzed on their own.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], 61, 61]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18 & 63)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Number of bytes `s` decodes to, or nil when it is not canonical padded base64.
    static func decodedLength(_ s: String) -> Int? {
        let u = Array(s.utf8)
        guard u.count % 4 == 0 else { return nil }
        var pad = 0
        for (i, c) in u.enumerated() {
            if c == 61 {
                guard i >= u.count - 2 else { return nil }
                pad += 1
            } else {
                guard pad == 0, alphabet.contains(c) else { return nil }
            }
        }
        return u.count / 4 * 3 - pad
    }
}
