/// Pure conversions between sample bytes and `Float` samples in [-1, 1).
public enum SampleCodec {
    /// G.711 mu-law byte → 16-bit sample.
    public static let mulawTable: [Int16] = (0..<256).map { i in
        let u = ~UInt8(i)
        var t = (Int(u & 0x0F) << 3) + 0x84
        t <<= Int(u & 0x70) >> 4
        return Int16(u & 0x80 != 0 ? 0x84 - t : t - 0x84)
    }

    /// G.711 A-law byte → 16-bit sample.
    public static let alawTable: [Int16] = (0..<256).map { i in
        let a = UInt8(i) ^ 0x55
        var t = Int(a & 0x0F) << 4
        let seg = Int(a & 0x70) >> 4
        switch seg {
        case 0: t += 8
        case 1: t += 0x108
        default: t += 0x108; t <<= seg - 1
        }
        return Int16(a & 0x80 != 0 ? t : -t)
    }

    /// 16-bit sample → G.711 mu-law byte.
    public static func mulaw(_ sample: Int16) -> UInt8 {
        var x = Int(sample)
        let sign: Int = x < 0 ? 0x80 : 0
        if x < 0 { x = -x }
        x = min(x, 32635) + 0x84
        var exponent = 7
        var mask = 0x4000
        while exponent > 0 && x & mask == 0 { exponent -= 1; mask >>= 1 }
        let mantissa = (x >> (exponent + 3)) & 0x0F
        return ~UInt8(sign | (exponent << 4) | mantissa)
    }

    /// 16-bit sample → G.711 A-law byte.
    public static func alaw(_ sample: Int16) -> UInt8 {
        var v = Int(sample) >> 3
        let mask: Int
        if v >= 0 { mask = 0xD5 } else { mask = 0x55; v = -v - 1 }
        let ends = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF]
        var seg = 0
        while seg < 8 && v > ends[seg] { seg += 1 }
        if seg >= 8 { return UInt8(0x7F ^ mask) }
        var a = seg << 4
        a |= seg < 2 ? (v >> 1) & 0x0F : (v >> seg) & 0x0F
        return UInt8(a ^ mask)
    }

    /// Decodes whole samples of `encoding` from `bytes` and appends them to `out` (interleaved order kept).
    public static func decode(_ bytes: UnsafeRawBufferPointer, as encoding: InputEncoding, into out: inout [Float]) {
        let n = bytes.count / encoding.bytesPerSample
        out.reserveCapacity(out.count + n)
        switch encoding {
        case .u8:
            for i in 0..<n { out.append((Float(bytes[i]) - 128) / 128) }
        case .s16le:
            for i in 0..<n { out.append(Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) / 32768) }
        case .s24le:
            for i in 0..<n {
                let b = 3 * i
                let v = Int32(bitPattern: UInt32(bytes[b]) << 8 | UInt32(bytes[b + 1]) << 16 | UInt32(bytes[b + 2]) << 24) >> 8
                out.append(Float(v) / 8_388_608)
            }
        case .s24in32le:
            for i in 0..<n {
                let b = 4 * i   // the top byte is padding (zero or a sign extension): ignored
                let v = Int32(bitPattern: UInt32(bytes[b]) << 8 | UInt32(bytes[b + 1]) << 16 | UInt32(bytes[b + 2]) << 24) >> 8
                out.append(Float(v) / 8_388_608)
            }
        case .s32le:
            for i in 0..<n { out.append(Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) / 2_147_483_648) }
        case .f32le:
            for i in 0..<n { out.append(clipped(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))))) }
        case .f64le:
            for i in 0..<n { out.append(clipped(Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))))) }
        case .mulaw:
            mulawTable.withUnsafeBufferPointer { t in for i in 0..<n { out.append(Float(t[Int(bytes[i])]) / 32768) } }
        case .alaw:
            alawTable.withUnsafeBufferPointer { t in for i in 0..<n { out.append(Float(t[Int(bytes[i])]) / 32768) } }
        }
    }

    /// A float sample as the rest of the pipeline takes it: within [-1, 1], NaN as silence, as
    /// sox reads a float file. An infinite sample went through the resampler as is and turned
    /// the whole recording into NaN: silence, and "no speech was recognised" (found in QA).
    @inline(__always)
    static func clipped(_ x: Float) -> Float {
        x.isNaN ? 0 : min(max(x, -1), 1)
    }

    /// Float sample → 16-bit, rounded and clipped (NaN, which a float file may hold, is silence).
    @inline(__always)
    public static func int16(_ x: Float) -> Int16 {
        guard !x.isNaN else { return 0 }
        let v = (x * 32768).rounded()
        return v >= 32767 ? 32767 : (v <= -32768 ? -32768 : Int16(v))
    }

    /// Encodes `samples` as `encoding` bytes, appending to `out` (values clipped to [-1, 1), NaN as 0).
    public static func encode(_ samples: UnsafeBufferPointer<Float>, as encoding: SampleEncoding, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + samples.count * encoding.bytesPerSample)
        switch encoding {
        case .linear16:
            for x in samples { let v = UInt16(bitPattern: int16(x)); out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
        case .float32:
            // Clipped and NaN-free like the integer encodings (a hostile file's NaN or
            // infinity is not sent on).
            for x in samples {
                let v = (x.isNaN ? 0 : min(max(x, -1), 1)).bitPattern
                out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8((v >> 16) & 0xFF)); out.append(UInt8(v >> 24))
            }
        case .mulaw:
            for x in samples { out.append(mulaw(int16(x))) }
        case .alaw:
            for x in samples { out.append(alaw(int16(x))) }
        }
    }
}
