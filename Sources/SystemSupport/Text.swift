#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// The text of a C buffer up to its first NUL (all of it when there is none), as UTF-8
    /// (invalid bytes repaired): a `mkstemp` template, a name libc wrote into a buffer.
    public init(cBuffer buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The few string operations captty took from full Foundation (`NSString` bridging), with
/// Foundation's meaning, under names of their own so they never clash with Foundation's where
/// both are imported (tests).
extension StringProtocol {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: spaces (Unicode Zs), tabs and line
    /// breaks removed from both ends.
    public func trimmingWhitespace() -> String { trimming { Text.isSpace($0) || Text.isLineBreak($0) } }

    /// `trimmingCharacters(in: .whitespaces)`: spaces (Unicode Zs) and tabs removed from both
    /// ends; line breaks are kept.
    public func trimmingSpaces() -> String { trimming(Text.isSpace) }

    /// The string without the leading and trailing scalars for which `drop` is true.
    public func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[first...last])
        return String(kept)
    }

    /// `replacingOccurrences(of:with:)`: every non-overlapping occurrence of `target`, from the
    /// start, replaced. An empty `target` changes nothing.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        let s = String(self)
        guard !target.isEmpty else { return s }
        return s.replacing(target, with: replacement)
    }

    /// `removingPercentEncoding`: `%XX` escapes decoded; nil when an escape is malformed or the
    /// bytes are not UTF-8.
    public var percentDecoded: String? {
        var bytes: [UInt8] = []
        var it = utf8.makeIterator()
        while let b = it.next() {
            guard b == UInt8(ascii: "%") else { bytes.append(b); continue }
            guard let h = it.next().flatMap(Text.hexValue), let l = it.next().flatMap(Text.hexValue) else { return nil }
            bytes.append(h << 4 | l)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// File-system path strings, as `NSString`'s path methods treat them.
extension String {
    /// `appendingPathComponent`: `component` after one `/`.
    public func appendingPath(_ component: String) -> String {
        if isEmpty { return component }
        if component.isEmpty { return self }
        let head = hasSuffix("/") ? String(dropLast(1)) : self
        let tail = component.hasPrefix("/") ? String(component.dropFirst()) : component
        return head + "/" + tail
    }

    /// `lastPathComponent`: the part after the last `/` (trailing slashes ignored); "/" for the root.
    public var pathLastComponent: String {
        let trimmed = Text.withoutTrailingSlashes(self)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `deletingLastPathComponent`: the directory part ("" when there is none, "/" for a file at
    /// the root).
    public var pathDeletingLastComponent: String {
        let trimmed = Text.withoutTrailingSlashes(self)
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        return Text.withoutTrailingSlashes(String(trimmed[..<slash]))
    }

    /// `expandingTildeInPath`: a leading `~` or `~user` replaced by that home directory
    /// (`$HOME` for `~`); unchanged when the user is unknown.
    public var expandingTilde: String {
        guard hasPrefix("~") else { return self }
        let rest = dropFirst()
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let user = String(rest[..<slash])
        let home: String?
        if user.isEmpty {
            home = getenv("HOME").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? Text.homeOf(uid: getuid())
        } else {
            home = Text.homeOf(name: user)
        }
        guard let home else { return self }
        return Text.withoutTrailingSlashes(Text.withoutTrailingSlashes(home) + String(rest[slash...]))
    }
}

enum Text {
    /// Unicode Zs, a tab or ZERO WIDTH SPACE (Zs in older Unicode): Foundation's
    /// `CharacterSet.whitespaces`.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        s == "\t" || s == "\u{200B}" || s.properties.generalCategory == .spaceSeparator
    }

    /// U+000A–U+000D, NEL, LINE and PARAGRAPH SEPARATOR: Foundation's `CharacterSet.newlines`.
    static func isLineBreak(_ s: Unicode.Scalar) -> Bool {
        (0x0A...0x0D).contains(s.value) || s.value == 0x85 || s.value == 0x2028 || s.value == 0x2029
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func withoutTrailingSlashes(_ s: String) -> String {
        var t = Substring(s)
        while t.count > 1, t.hasSuffix("/") { t = t.dropLast() }
        return String(t)
    }

    static func homeOf(uid: uid_t) -> String? {
        guard let pw = getpwuid(uid), let dir = pw.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    static func homeOf(name: String) -> String? {
        guard let pw = getpwnam(name), let dir = pw.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }
}

extension Unicode.Scalar {
    /// Unicode general category P* (Pc, Pd, Ps, Pe, Pi, Pf, Po): Foundation's
    /// `CharacterSet.punctuationCharacters`.
    public var isPunctuation: Bool {
        switch properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// C0 controls, DEL, C1 controls and the bidirectional embeddings, overrides and isolates
    /// (U+202A…U+202E, U+2066…U+2069): what a server's text must not bring to a terminal or an
    /// export. An escape sequence can retitle the window or clear the screen; a U+202E reverses how
    /// the rest of a line reads. The one definition: the terminal sanitizer (CaptionUI), the
    /// server-text sanitizer (Deepgram) and the caption text of exports (Transcript) all use it.
    public var isControlOrBidiControl: Bool {
        value < 0x20 || (0x7F..<0xA0).contains(value) || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }
}

/// An XDG base directory (XDG Base Directory spec): `$name` when it is an absolute path,
/// otherwise `<home>/<fallback>`, where home is `$HOME` when not empty, else the password
/// database's. A relative `XDG_STATE_HOME` put the log under the current directory, and an
/// empty `HOME` made captty create `/.local` at the root.
public func xdgDirectory(_ name: String, fallback: String, environment: [String: String]) -> String {
    if let v = environment[name], v.hasPrefix("/") { return v }
    let home = environment["HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? Text.homeOf(uid: getuid()) ?? "/"
    return (home.hasSuffix("/") ? String(home.dropLast()) : home) + "/" + fallback
}
