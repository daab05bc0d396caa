import COpenSSL

/// The SHA-256 of a byte stream fed piece by piece (libcrypto), as lower-case hex.
///
/// Here because this module owns the OpenSSL binding; `captty serve` reports the digest of the
/// audio a client sent (Deepgram's `Metadata.sha256`).
public final class SHA256Digest {
    private let context: OpaquePointer
    private var result: String?

    public init() {
        OpenSSLRuntime.prepare()
        guard let c = EVP_MD_CTX_new(), EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else {
            preconditionFailure("libcrypto could not set up SHA-256 (out of memory?)")
        }
        context = c
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the stream. Ignored once `hex` has been read.
    public func update(_ bytes: [UInt8]) {
        guard result == nil, !bytes.isEmpty else { return }
        let ok = bytes.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        precondition(ok == 1, "libcrypto SHA-256 update failed")
    }

    /// Adds the bytes of a buffer (samples, say) without copying them into an array.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard result == nil, let base = bytes.baseAddress, bytes.count > 0 else { return }
        precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "libcrypto SHA-256 update failed")
    }

    /// The digest of everything added (64 hex digits); the stream is closed after the first read.
    public var hex: String {
        if let result { return result }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        precondition(EVP_DigestFinal_ex(context, &digest, &length) == 1 && length == 32, "libcrypto SHA-256 failed")
        let digits = Array("0123456789abcdef".utf8)
        let text = String(decoding: digest.prefix(32).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
        result = text
        return text
    }
}
