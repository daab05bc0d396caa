/// Streaming UTF-8 validator (RFC 3629): rejects overlongs, surrogates and code points above
/// U+10FFFF as soon as the offending byte arrives, so a text message split over fragments fails fast.
public struct UTF8Validator: Sendable, Equatable {
    private var needed = 0          // continuation bytes still expected
    private var lower: UInt8 = 0x80 // allowed range of the next continuation byte
    private var upper: UInt8 = 0xBF

    public init() {}

    /// `true` when no multi-byte sequence is open (the text so far is complete UTF-8).
    public var isComplete: Bool { needed == 0 }

    /// Consumes bytes; returns `false` at the first byte that cannot be valid UTF-8.
    public mutating func consume<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        if let r = bytes.withContiguousStorageIfAvailable({ consume(buffer: $0) }) { return r }
        return consume(buffer: Array(bytes))
    }

    private mutating func consume(buffer: [UInt8]) -> Bool {
        buffer.withUnsafeBufferPointer { consume(buffer: $0) }
    }

    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = buffer.count
        while i < n {
            if needed == 0 {
                // Fast path: skip ASCII eight bytes at a time.
                if let base = buffer.baseAddress {
                    while i + 8 <= n {
                        let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                        if w & 0x8080_8080_8080_8080 != 0 { break }
                        i += 8
                    }
                }
                guard i < n else { break }
                let b = buffer[i]
                i += 1
                switch b {
                case 0x00...0x7F: continue
                case 0xC2...0xDF: needed = 1; lower = 0x80; upper = 0xBF
                case 0xE0: needed = 2; lower = 0xA0; upper = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: needed = 2; lower = 0x80; upper = 0xBF
                case 0xED: needed = 2; lower = 0x80; upper = 0x9F
                case 0xF0: needed = 3; lower = 0x90; upper = 0xBF
                case 0xF1...0xF3: needed = 3; lower = 0x80; upper = 0xBF
                case 0xF4: needed = 3; lower = 0x80; upper = 0x8F
                default: return false
                }
            } else {
                let b = buffer[i]
                i += 1
                guard b >= lower && b <= upper else { return false }
                needed -= 1
                lower = 0x80; upper = 0xBF
            }
        }
        return true
    }

    /// Validates a complete byte string.
    public static func isValid<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var v = UTF8Validator()
        return v.consume(bytes) && v.isComplete
    }
}
