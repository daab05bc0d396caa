import COpenSSL

/// `Sec-WebSocket-Key` generation and the `Sec-WebSocket-Accept` digest (SHA-1 via libcrypto, base64).
enum AcceptKey {
    /// A fresh random 16-byte key, base64.
    static func randomKey() -> String {
        var g = SystemRandomNumberGenerator()
        return Base64.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &g) })
    }

    /// base64(SHA-1(key + GUID)) as RFC 6455 §4.2.2 defines it.
    static func accept(for key: String) -> String {
        OpenSSLRuntime.prepare()
        let input = Array((key + Handshake.guid).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        let ok = input.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &len, EVP_sha1(), nil)
        }
        precondition(ok == 1 && len == 20, "libcrypto SHA-1 failed")
        return Base64.encode(Array(digest.prefix(Int(len))))
    }
}
