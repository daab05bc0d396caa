import Testing
@testable import LocalSpeech

/// `captty serve` checks a client's key with `APIKeyCheck`: the right key in a `Token` or
/// `Bearer` header, nothing else; compared without an early exit (constant time in the content).
struct APIKeyComparisonTests {
    let check = APIKeyCheck(key: "dg-serve-key-0123456789")

    @Test func acceptsOnlyTheKeyAsTokenOrBearer() {
        #expect(check.accepts(authorization: "Token dg-serve-key-0123456789"))
        #expect(check.accepts(authorization: "bearer dg-serve-key-0123456789"))
        #expect(check.accepts(authorization: "  Token   dg-serve-key-0123456789  "))
        for bad in [nil, "", "Token", "Token ", "dg-serve-key-0123456789", "Basic dg-serve-key-0123456789",
                    "Token dg-serve-key-012345678", "Token dg-serve-key-01234567890", "Token DG-SERVE-KEY-0123456789",
                    "Token dg-serve-key-0123456789x", "Tokendg-serve-key-0123456789"] {
            #expect(!check.accepts(authorization: bad), "\(String(describing: bad))")
        }
    }

    @Test func equalityIsExactForEveryLengthAndByte() {
        let key = Array("dg-serve-key-0123456789".utf8)
        #expect(APIKeyCheck.constantTimeEqual(key, key))
        #expect(APIKeyCheck.constantTimeEqual([], []))
        for i in key.indices {
            var k = key; k[i] ^= 0x01
            #expect(!APIKeyCheck.constantTimeEqual(k, key), "differs at byte \(i)")
        }
        #expect(!APIKeyCheck.constantTimeEqual(Array(key.dropLast()), key))
        #expect(!APIKeyCheck.constantTimeEqual(key + [0], key))
    }

    /// Found in review: the length difference was truncated to a byte, so a guess 256 bytes
    /// longer (or shorter) than the key, padded with NUL, compared equal.
    @Test func lengthsThatDifferByAMultipleOf256AreNotEqual() {
        let key = Array("dg-serve-key-0123456789".utf8)
        #expect(!APIKeyCheck.constantTimeEqual(key + [UInt8](repeating: 0, count: 256), key))
        #expect(!APIKeyCheck.constantTimeEqual(key, key + [UInt8](repeating: 0, count: 512)))
        #expect(!APIKeyCheck.constantTimeEqual([], [UInt8](repeating: 0, count: 256)))
        let padded = "Token dg-serve-key-0123456789" + String(repeating: "\u{0}", count: 256)
        #expect(!check.accepts(authorization: padded))
    }
}
