import FoundationEssentials
import SystemSupport

/// Checks the `Authorization` header of an upgrade against the server's key, in constant time.
///
/// Accepts `Token <key>` and `Bearer <key>`, in the `Authorization` header or, from browsers,
/// as the subprotocols `token, <key>`. The key is never logged or echoed.
public struct APIKeyCheck: Sendable {
    private let key: [UInt8]

    public init(key: String) { self.key = Array(key.utf8) }

    /// Reads a key from a file (surrounding white space dropped).
    public static func load(from path: String) throws(LocalEngineError) -> APIKeyCheck {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .apiKeyFile(path: path, detail: "it cannot be read")
        }
        let key = text.trimmingWhitespace()
        guard !key.isEmpty else { throw .apiKeyFile(path: path, detail: "it is empty") }
        // A client sends one word after `Token `: a key with spaces or lines in it could never
        // match (the server started, then answered 401 to every client).
        guard !key.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw .apiKeyFile(path: path, detail: "it holds more than one word or line; put the key alone in it, on one line")
        }
        return APIKeyCheck(key: key)
    }

    /// Whether `authorization` carries the key.
    public func accepts(authorization: String?) -> Bool {
        guard let a = authorization?.trimmingSpaces() else { return false }
        let parts = a.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["token", "bearer"].contains(parts[0].lowercased()) else { return false }
        return accepts(secret: parts[1].trimmingSpaces())
    }

    /// Whether `secret` (the key alone, from either form of credential) is the key.
    public func accepts(secret: String) -> Bool {
        Self.constantTimeEqual(Array(secret.utf8), key)
    }

    /// The credential a browser sends as WebSocket subprotocols, since it cannot set headers:
    /// `new WebSocket(url, ["token", KEY])` (or `"bearer"`), as Deepgram accepts. `scheme` is the
    /// protocol the server must select in its answer (as the client spelled it).
    public static func subprotocolCredential(_ offered: [String]) -> (scheme: String, secret: String)? {
        let items = offered.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces() }
        guard items.count >= 2, ["token", "bearer"].contains(items[0].lowercased()), !items[1].isEmpty else { return nil }
        return (items[0], items[1])
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess matched.
    /// The length difference is kept whole: truncated to a byte, lengths 256 apart would
    /// compare equal (a key followed by 256 NUL bytes was accepted).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff = UInt(bitPattern: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= UInt(x ^ y)
        }
        return diff == 0
    }
}
