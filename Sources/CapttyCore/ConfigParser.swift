import FoundationEssentials
import SystemSupport

/// A value in captty's config file (a small TOML subset).
public enum ConfigValue: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case array([ConfigValue])

    var typeName: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .double: return "a number"
        case .bool: return "true or false"
        case .array: return "a list"
        }
    }
}

/// One `key = value` entry with where it was written.
public struct ConfigEntry: Sendable, Equatable {
    /// `section.key`, or just `key` before any section header.
    public var path: String
    public var value: ConfigValue
    public var line: Int
}

/// A config file problem, naming the file, line and key.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var key: String?
    public var message: String

    public init(file: String, line: Int, key: String? = nil, message: String) {
        self.file = file; self.line = line; self.key = key; self.message = message
    }

    /// `file:line (key): message`; line 0 (the file as a whole) is left out ("x.toml:0").
    public var description: String {
        let k = key.map { " (\($0))" } ?? ""
        return "\(file)\(line > 0 ? ":\(line)" : "")\(k): \(message)"
    }
}

/// Parses the TOML subset captty's config uses: `[section]` headers, `key = value` lines with
/// basic and literal strings, integers, floats, booleans and arrays (over several lines too,
/// with comments and a trailing comma), and `#` comments. Anything else is an error that names
/// the line.
public enum ConfigParser {
    /// The most lines one list may span.
    static let maxListLines = 10_000

    public static func parse(_ text: String, file: String = "config.toml") throws(ConfigError) -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        var seen: Set<String> = []
        var section = ""
        // "\r\n" is one Character in Swift, so split on it as well as on "\n" (CRLF files).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { raw in
            raw.hasSuffix("\r") ? raw.dropLast() : raw
        }
        var next = 0
        while next < lines.count {
            let lineNo = next + 1
            let trimmed = lines[next].trimmingSpaces()
            next += 1
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("[") {
                let body = stripComment(trimmed)
                guard body.hasSuffix("]"), !body.hasPrefix("[["), body.count > 2 else {
                    throw ConfigError(file: file, line: lineNo, message: "a section header looks like [name]")
                }
                let name = String(body.dropFirst().dropLast()).trimmingSpaces()
                guard isBareKey(name) else {
                    throw ConfigError(file: file, line: lineNo, message: "section name '\(name)' may use only letters, digits, - and _")
                }
                section = name
                continue
            }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw ConfigError(file: file, line: lineNo, message: "expected key = value")
            }
            let key = trimmed[..<eq].trimmingSpaces()
            if let dot = key.firstIndex(of: "."), isBareKey(key[..<dot]), isBareKey(key[key.index(after: dot)...]) {
                // TOML's dotted keys: captty's config takes sections.
                let (sec, name) = (key[..<dot], key[key.index(after: dot)...])
                throw ConfigError(file: file, line: lineNo, key: key,
                                  message: "write \(name) = … under a [\(sec)] section header (dotted keys are not read)")
            }
            guard isBareKey(key) else {
                throw ConfigError(file: file, line: lineNo, key: key.isEmpty ? nil : key,
                                  message: "key '\(key)' may use only letters, digits, - and _")
            }
            let path = section.isEmpty ? key : "\(section).\(key)"
            if looksSecret(key) {
                // Refused before its value is read: no error may quote a key (a bare word is
                // quoted back in the message for other settings).
                throw ConfigError(file: file, line: lineNo, key: path,
                                  message: "API keys do not belong in the config file: set DEEPGRAM_API_KEY or use --api-key-file")
            }
            guard !seen.contains(path) else {
                throw ConfigError(file: file, line: lineNo, key: path, message: "\(path) is set twice")
            }
            seen.insert(path)
            var text = Array(trimmed[trimmed.index(after: eq)...].unicodeScalars)
            var brackets = BracketDepth()
            brackets.scan(text)
            while true {
                var scanner = ValueScanner(text)
                do throws(ValueError) {
                    scanner.skipSpaces()
                    let value = try scanner.value()
                    scanner.skipSpaces()
                    if !scanner.atEnd && scanner.peek != "#" { throw ValueError("unexpected text after the value") }
                    entries.append(ConfigEntry(path: path, value: value, line: lineNo))
                    break
                } catch {
                    // A list may go on over the next lines, as in TOML: read on until it closes.
                    if error.listUnclosed && next < lines.count && next - lineNo < maxListLines {
                        // Lines are added until the brackets could balance, then the whole list
                        // is read again (once, not once per line: a long list took seconds).
                        repeat {
                            let more = Array(lines[next].unicodeScalars)
                            text.append("\n")
                            text += more
                            brackets.scan(more)
                            next += 1
                        } while brackets.open > 0 && next < lines.count && next - lineNo < maxListLines
                        continue
                    }
                    if error.listUnclosed {
                        throw ConfigError(file: file, line: lineNo, key: path, message: "the list starting here is not closed with ]")
                    }
                    let at = lineNo + scanner.linesRead
                    if at > lineNo && looksLikeAnEntry(lines[at - 1]) {
                        // A section header or a setting inside the list: its ] is missing.
                        throw ConfigError(file: file, line: lineNo, key: path,
                                          message: "the list starting here is not closed with ] (line \(at) is not part of it)")
                    }
                    throw ConfigError(file: file, line: at, key: path,
                                      message: error.message + (at > lineNo ? " (in the list starting on line \(lineNo))" : ""))
                }
            }
        }
        return entries
    }

    /// Whether `line` reads as a `[section]` header or a `key = value` line.
    static func looksLikeAnEntry<S: StringProtocol>(_ line: S) -> Bool {
        let t = stripComment(line.trimmingSpaces())
        if t.hasPrefix("["), t.hasSuffix("]"), t.count > 2 { return isBareKey(t.dropFirst().dropLast().trimmingSpaces()) }
        guard let eq = t.firstIndex(of: "=") else { return false }
        return isBareKey(t[..<eq].trimmingSpaces())
    }

    static func isBareKey<S: StringProtocol>(_ s: S) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "-" || $0 == "_" }
    }

    /// A key that would hold a credential (`api_key`, `DEEPGRAM_API_KEY`, `token`, `password`…).
    static func looksSecret<S: StringProtocol>(_ key: S) -> Bool {
        let k = key.lowercased().replacingAll("-", with: "_")
        return k == "key" || ["api_key", "apikey", "token", "secret", "password", "passwd", "credential"].contains { k.contains($0) }
    }

    static func stripComment(_ s: String) -> String {
        guard let i = s.firstIndex(of: "#") else { return s }
        return s[..<i].trimmingSpaces()
    }
}

/// How many lists a value's text leaves open, line by line (strings and comments skipped): a
/// list over several lines is read once its brackets could balance.
struct BracketDepth {
    var open = 0

    mutating func scan(_ chars: [Unicode.Scalar]) {
        var quote: Unicode.Scalar?
        var escaped = false
        for c in chars {
            if let q = quote {
                if escaped { escaped = false } else if q == "\"" && c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "#": return
            case "[": open += 1
            case "]": open -= 1
            default: break
            }
        }
    }
}

struct ValueError: Error {
    var message: String
    /// The text ended inside a list (which may go on over the next lines).
    var listUnclosed = false
    init(_ m: String, listUnclosed: Bool = false) { message = m; self.listUnclosed = listUnclosed }
}

/// Scans one TOML value from a line.
struct ValueScanner {
    var chars: [Unicode.Scalar]
    var i = 0
    init(_ chars: [Unicode.Scalar]) { self.chars = chars }
    var atEnd: Bool { i >= chars.count }
    var peek: Unicode.Scalar? { atEnd ? nil : chars[i] }
    mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { i += 1 } }
    /// Lines ended before the scanner's position (inside a list over several lines).
    var linesRead: Int { chars[..<min(i, chars.count)].count { $0 == "\n" } }

    /// Inside a list: spaces, line ends and comments.
    mutating func skipListSpace() {
        while let c = peek {
            if c == " " || c == "\t" || c == "\n" || c == "\r" {
                i += 1
            } else if c == "#" {
                while let d = peek, d != "\n" { i += 1 }
            } else {
                return
            }
        }
    }

    mutating func value() throws(ValueError) -> ConfigValue {
        guard let c = peek else { throw ValueError("missing value after =") }
        switch c {
        case "\"": return .string(try basicString())
        case "'": return .string(try literalString())
        case "[": return try array()
        default: return try bare()
        }
    }

    mutating func basicString() throws(ValueError) -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while let c = peek, c != "\n" {
            i += 1
            switch c {
            case "\"": return String(out)
            case "\\":
                guard let e = peek else { throw ValueError("unfinished escape in string") }
                i += 1
                switch e {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                case "u", "U":
                    let n = e == "u" ? 4 : 8
                    guard i + n <= chars.count,
                          let v = UInt32(String(String.UnicodeScalarView(chars[i..<(i + n)])), radix: 16),
                          let s = Unicode.Scalar(v) else { throw ValueError("bad \\\(e) escape in string") }
                    out.append(s); i += n
                default: throw ValueError("unknown escape \\\(e) in string")
                }
            default: out.append(c)
            }
        }
        throw ValueError("string is not closed with \"")
    }

    mutating func literalString() throws(ValueError) -> String {
        i += 1
        var out = String.UnicodeScalarView()
        while let c = peek, c != "\n" {
            i += 1
            if c == "'" { return String(out) }
            out.append(c)
        }
        throw ValueError("string is not closed with '")
    }

    /// Lists open around the scanner's position.
    var depth = 0

    mutating func array() throws(ValueError) -> ConfigValue {
        i += 1
        depth += 1
        defer { depth -= 1 }
        // No setting nests lists; a deep nest is a mistake (and would exhaust the stack).
        guard depth <= 16 else { throw ValueError("lists are nested too deeply") }
        var items: [ConfigValue] = []
        while true {
            skipListSpace()
            guard let c = peek else { throw ValueError("list is not closed with ]", listUnclosed: true) }
            if c == "]" { i += 1; return .array(items) }
            items.append(try value())
            skipListSpace()
            guard let d = peek else { throw ValueError("list is not closed with ]", listUnclosed: true) }
            if d == "," { i += 1; continue }
            if d == "]" { i += 1; return .array(items) }
            throw ValueError("expected , or ] in list")
        }
    }

    mutating func bare() throws(ValueError) -> ConfigValue {
        let start = i
        while let c = peek, c != " ", c != "\t", c != ",", c != "]", c != "#", c != "\n", c != "\r" { i += 1 }
        let word = String(String.UnicodeScalarView(chars[start..<i]))
        if word == "true" { return .bool(true) }
        if word == "false" { return .bool(false) }
        let digits = word.replacingAll("_", with: "")
        if let n = Int(digits) { return .integer(n) }
        if let d = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            guard d.isFinite else { throw ValueError("\(word) is too large a number") }
            return .double(d)
        }
        if word.isEmpty { throw ValueError("missing value after =") }
        if ["nan", "+nan", "-nan", "inf", "+inf", "-inf"].contains(word) { throw ValueError("\(word) is not a number captty takes") }
        if digits.first.map({ $0 == "-" || $0 == "+" || $0.isNumber }) == true,
           digits.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }), digits.contains(where: \.isNumber) {
            throw ValueError(digits.hasPrefix("-") ? "\(word) is too large a negative number (at least \(Int.min))"
                                                   : "\(word) is too large a number (at most \(Int.max))")
        }
        // Quoted back only when short: a long bare word may be a credential pasted in.
        if word.count > 24 { throw ValueError("this is not a value: put text in quotes (\"…\")") }
        throw ValueError("'\(word)' is not a value: put text in quotes, e.g. \"\(word)\"")
    }
}
