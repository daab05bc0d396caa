import Testing
import WebSocket

/// SHA-256 over libcrypto, fed in pieces (`captty serve`'s `Metadata.sha256`).
@Suite struct SHA256DigestTests {
    @Test("FIPS 180-2 test vectors")
    func knownVectors() {
        #expect(SHA256Digest().hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let abc = SHA256Digest()
        abc.update(Array("abc".utf8))
        #expect(abc.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(abc.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "reading twice gives the same")
    }

    @Test("the digest does not depend on how the stream is cut")
    func piecesMatchTheWhole() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let whole = SHA256Digest()
        whole.update(million)
        let pieces = SHA256Digest()
        var i = 0, step = 1
        while i < million.count {
            pieces.update(Array(million[i..<min(million.count, i + step)]))
            i += step
            step = step * 3 % 65_537 + 1
        }
        #expect(whole.hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        #expect(pieces.hex == whole.hex)
    }
}
