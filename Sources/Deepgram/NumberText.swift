import FoundationEssentials
import Glibc

/// Number formatting without `String(format:)`, which goes through Foundation's CFString
/// formatter: fixed decimals (the C library's `%.Nf`, so rounding is identical) and upper-case hex.
public enum NumberText {
    /// `x` with `decimals` digits after the point, exactly as `String(format: "%.<decimals>f", x)`.
    public static func fixed(_ x: Double, decimals: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([Int32(decimals), x]) { args in
            vsnprintf(&buffer, buffer.count, "%.*f", args)
        }
        if n >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(n) + 1)
            _ = withVaList([Int32(decimals), x]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
        }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// "1 line", "2 lines": `count` and `noun`, with an s unless there is exactly one.
    public static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// Upper-case hexadecimal, zero-padded on the left to `width` digits (`%0<width>X`).
    public static func hex<T: BinaryInteger>(_ v: T, width: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
