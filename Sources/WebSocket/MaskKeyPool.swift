#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Masking keys from the system CSPRNG (`getentropy`), drawn 256 at a time: as unpredictable as
/// one `getrandom` per frame (RFC 6455 §10.3), without a system call for every audio chunk.
final class MaskKeyPool: Sendable {
    static let shared = MaskKeyPool()
    private let pool = Mutex<[UInt32]>([])

    func next() -> UInt32 {
        pool.withLock { keys in
            if keys.isEmpty {
                keys = [UInt32](repeating: 0, count: 256)
                let filled = keys.withUnsafeMutableBytes { raw in
                    stride(from: 0, to: raw.count, by: 256).allSatisfy { off in
                        getentropy(raw.baseAddress! + off, min(256, raw.count - off)) == 0
                    }
                }
                if !filled {   // getentropy failed: the standard generator (it fails loudly)
                    var g = SystemRandomNumberGenerator()
                    keys = (0..<256).map { _ in g.next() as UInt32 }
                }
            }
            return keys.removeLast()
        }
    }
}
