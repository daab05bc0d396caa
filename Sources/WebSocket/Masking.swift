/// The XOR masking of RFC 6455 §5.3 (its own inverse), eight bytes at a time.
public enum Masking {
    /// XORs `bytes[from...]` with the repeating 4-byte key (key byte 0 at index `from`).
    public static func apply(key: (UInt8, UInt8, UInt8, UInt8), to bytes: inout [UInt8], from: Int = 0) {
        bytes.withUnsafeMutableBytes { raw in
            guard raw.count > from, let base = raw.baseAddress else { return }
            apply(key: key, to: UnsafeMutableRawBufferPointer(start: base + from, count: raw.count - from))
        }
    }

    /// XORs raw memory in place with the repeating 4-byte key.
    public static func apply(key: (UInt8, UInt8, UInt8, UInt8), to raw: UnsafeMutableRawBufferPointer) {
        let n = raw.count
        guard n > 0, let base = raw.baseAddress else { return }
        let k0 = UInt64(key.0), k1 = UInt64(key.1), k2 = UInt64(key.2), k3 = UInt64(key.3)
        let k32 = k0 | k1 << 8 | k2 << 16 | k3 << 24
        let word = UInt64(littleEndian: k32 | k32 << 32)
        var i = 0
        while i + 8 <= n {
            let v = (base + i).loadUnaligned(as: UInt64.self)
            (base + i).storeBytes(of: v ^ word, as: UInt64.self)
            i += 8
        }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let k: (UInt8, UInt8, UInt8, UInt8) = key
        while i < n {
            switch i & 3 {
            case 0: p[i] ^= k.0
            case 1: p[i] ^= k.1
            case 2: p[i] ^= k.2
            default: p[i] ^= k.3
            }
            i += 1
        }
    }
}
