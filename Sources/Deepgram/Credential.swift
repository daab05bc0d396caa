import FoundationEssentials
import Glibc
import SystemSupport

/// How the client authenticates: an API key (`Authorization: Token …`), a short-lived
/// token (`Authorization: Bearer …`), or nothing (`anonymous`: a self-hosted Deepgram server
/// authorizes at the container, not per request).
///
/// Its text forms (`description`, `debugDescription`, reflection) never show the secret.
public enum Credential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    case apiKey(String)
    case bearer(String)
    /// No `Authorization` header: for a self-hosted server that needs none.
    case anonymous

    /// The environment variable an API key is read from.
    public static let environmentVariable = "DEEPGRAM_API_KEY"

    /// The secret itself (for redaction and the header; never print it).
    public var secret: String {
        switch self {
        case .apiKey(let s), .bearer(let s): return s
        case .anonymous: return ""
        }
    }

    /// The `Authorization` header value (nil: none is sent).
    public var authorizationHeader: String? {
        switch self {
        case .apiKey(let k): return "Token \(k)"
        case .bearer(let t): return "Bearer \(t)"
        case .anonymous: return nil
        }
    }

    public var description: String {
        switch self {
        case .apiKey(let k): return "API key (\(k.count) characters, redacted)"
        case .bearer(let t): return "bearer token (\(t.count) characters, redacted)"
        case .anonymous: return "no credential"
        }
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }

    /// Replaces every occurrence of the secret in `text` (server text may echo it).
    public func redact(_ text: String) -> String {
        guard appears(in: text) else { return text }
        return text.replacingAll(secret, with: "[redacted]")
    }

    /// `redact` for a JSON text: the secret is also found when a server spelled some of its
    /// characters as `\uXXXX` escapes (decoding would bring it back). Escapes of printable ASCII
    /// (other than `"` and `\`) are then written as the characters themselves, which leaves the
    /// JSON's meaning unchanged, and the result is redacted.
    public func redactJSON(_ text: String) -> String {
        let plain = redact(text)
        guard plain.utf8.contains(0x5C), let unescaped = Self.unescapingASCII(plain), appears(in: unescaped) else { return plain }
        return redact(unescaped)
    }

    /// `text` with every `\uXXXX` escape of printable ASCII other than `"` and `\` replaced by
    /// its character (other escapes kept as they are); nil when there is none.
    static func unescapingASCII(_ text: String) -> String? {
        let b = Array(text.utf8)
        func hex(_ c: UInt8) -> UInt32? {
            switch c {
            case 0x30...0x39: return UInt32(c - 0x30)
            case 0x41...0x46: return UInt32(c - 0x41 + 10)
            case 0x61...0x66: return UInt32(c - 0x61 + 10)
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var changed = false
        var i = 0
        while i < b.count {
            guard b[i] == 0x5C, i + 1 < b.count else { out.append(b[i]); i += 1; continue }
            if b[i + 1] == 0x75, i + 5 < b.count,
               let h0 = hex(b[i + 2]), let h1 = hex(b[i + 3]), let h2 = hex(b[i + 4]), let h3 = hex(b[i + 5]) {
                let v = h0 << 12 | h1 << 8 | h2 << 4 | h3
                if (0x20...0x7E).contains(v) && v != 0x22 && v != 0x5C {
                    out.append(UInt8(v)); i += 6; changed = true; continue
                }
            }
            out.append(b[i]); out.append(b[i + 1]); i += 2   // an escape pair stays whole (an escaped backslash before `u` is text)
        }
        return changed ? String(decoding: out, as: UTF8.self) : nil
    }

    /// Whether the secret occurs in `text`: a byte search (`memchr` for the first byte, then
    /// `memcmp`), cheap enough to run on every message a server sends. Secrets under 4
    /// characters are not searched for (they would match ordinary text; real keys and tokens
    /// are far longer).
    public func appears(in text: String) -> Bool {
        var text = text, key = secret
        guard key.utf8.count >= 4, text.utf8.count >= key.utf8.count else { return false }
        return text.withUTF8 { t in
            key.withUTF8 { k in
                guard let tBase = t.baseAddress, let kBase = k.baseAddress else { return false }
                var at = 0
                let last = t.count - k.count
                while at <= last {
                    guard let hit = memchr(tBase + at, Int32(k[0]), last - at + 1) else { return false }
                    let i = tBase.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(tBase + i, kBase, k.count) == 0 { return true }
                    at = i + 1
                }
                return false
            }
        }
    }

    /// Where the official SDKs read a short-lived access token (sent as `Bearer`); it comes
    /// before `DEEPGRAM_API_KEY`, as there.
    public static let accessTokenVariable = "DEEPGRAM_ACCESS_TOKEN"

    /// The credential in the environment: the token in `DEEPGRAM_ACCESS_TOKEN` when set (not
    /// blank), else the key in `variable` (`DEEPGRAM_API_KEY`). Whitespace is trimmed. A value
    /// shaped like a JWT (three dot-separated parts, the first `eyJ…`: what Deepgram's token
    /// endpoint grants; an API key has no dots) is a token, sent as `Bearer`: sent as `Token`
    /// it got HTTP 401.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment,
                                       variable: String = Credential.environmentVariable) throws(CredentialError) -> Credential {
        if variable == Credential.environmentVariable, let t = environment[accessTokenVariable], !t.trimmingWhitespace().isEmpty {
            let token = try single(t, source: "$\(accessTokenVariable)")
            return .bearer(token)
        }
        guard let raw = environment[variable] else { throw .missingEnvironment(variable) }
        let key = try single(raw, source: "$\(variable)")
        return looksLikeToken(key) ? .bearer(key) : .apiKey(key)
    }

    /// `raw` trimmed and unwrapped (see `unwrappingAssignment`), when it is one non-empty run
    /// without whitespace. A variable set from an env file keeps what the file held
    /// (`docker --env-file` keeps quotes; a copied line keeps its name): sent as it was, the key
    /// came back as HTTP 401.
    private static func single(_ raw: String, source: String) throws(CredentialError) -> String {
        let key = unwrappingAssignment(raw.trimmingWhitespace())
        guard !key.isEmpty else { throw .empty(source: source) }
        guard !key.contains(where: { $0.isWhitespace || $0.isNewline }) else { throw .malformed(source: source) }
        return key
    }

    /// Whether `s` is shaped like a JWT: three non-empty base64url parts joined by dots, the
    /// first starting `eyJ` (`{"` encoded).
    public static func looksLikeToken(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }), parts[0].hasPrefix("eyJ") else { return false }
        return s.utf8.allSatisfy { c in
            (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || c == 0x2D || c == 0x5F || c == 0x2E || c == 0x3D
        }
    }

    /// The largest key file read (a token can be a few KB; a key is 40 characters).
    public static let maxKeyFileSize = 16 * 1024

    /// A key (or, with `bearer: true` or when it is shaped like a JWT, a token) read from a
    /// file that only its owner may read.
    /// Surrounding whitespace is trimmed. A file readable by group or others is refused.
    public static func fromFile(_ path: String, bearer: Bool = false) throws(CredentialError) -> Credential {
        let expanded = path.expandingTilde
        var st = stat()
        guard stat(expanded, &st) == 0 else { throw .unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw .unreadableFile(path: path, reason: "not a regular file") }
        let mode = Int(st.st_mode & 0o777)
        if mode & 0o077 != 0 { throw .fileTooOpen(path: path, mode: mode) }
        // A key is a few dozen characters (a JWT a few thousand): a 50 MB "key" went out as one
        // HTTP header (and 400 MB of memory) to come back as HTTP 431.
        guard st.st_size <= Self.maxKeyFileSize else {
            throw .unreadableFile(path: path, reason: "it is \(st.st_size) bytes, but a key file holds the API key alone (a few dozen characters); is it the right file?")
        }
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw .unreadableFile(path: path, reason: "cannot read")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .malformed(source: path) }
        let key = Self.unwrappingAssignment(text.trimmingWhitespace())
        guard !key.isEmpty else { throw .empty(source: path) }
        guard !key.contains(where: { $0.isWhitespace || $0.isNewline }) else { throw .malformed(source: path) }
        return bearer || looksLikeToken(key) ? .bearer(key) : .apiKey(key)
    }

    /// The value of a shell-style line (`DEEPGRAM_API_KEY=abc`, `export DEEPGRAM_API_KEY="abc"`,
    /// as env files hold it), or of a quoted value (`"abc"`); anything else as it is. The whole
    /// line went out as the key, and came back as HTTP 401 (found in QA). Keys and tokens hold
    /// no quotes or `=` signs at their start, so nothing real is changed.
    static func unwrappingAssignment(_ text: String) -> String {
        var t = Substring(text)
        if t.hasPrefix("export ") { t = t.dropFirst("export ".count).drop(while: { $0 == " " }) }
        for name in ["DEEPGRAM_API_KEY=", "DEEPGRAM_ACCESS_TOKEN="] where t.hasPrefix(name) {
            t = t.dropFirst(name.count)
            return String(unquoted(t))
        }
        return String(unquoted(Substring(text)))
    }

    private static func unquoted(_ value: Substring) -> Substring {
        guard value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q else { return value }
        return value.dropFirst().dropLast()
    }
}

/// Why a credential could not be loaded. Never contains the secret.
public enum CredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingEnvironment(String)
    case empty(source: String)
    case malformed(source: String)
    case unreadableFile(path: String, reason: String)
    case fileTooOpen(path: String, mode: Int)

    public var description: String {
        switch self {
        case .missingEnvironment(let v):
            return "no Deepgram API key: set \(v), or give a key file that only you can read"
        case .empty(let s):
            return "the Deepgram API key in \(s) is empty"
        case .malformed(let s):
            return "the Deepgram API key in \(s) is not a single token (it contains whitespace or is not UTF-8)"
        case .unreadableFile(let p, let r):
            return "cannot read the Deepgram key file \(p): \(r)"
        case .fileTooOpen(let p, let m):
            return "the Deepgram key file \(p) is readable by others (mode \(String(m, radix: 8))): run `chmod 600 \(p)`"
        }
    }
}
