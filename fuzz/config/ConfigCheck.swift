// Properties of `ConfigParser.parse` and `CapttyConfig.parse` on arbitrary text (a damaged or
// hand-edited config file). Shared by the libFuzzer target (fuzz/config) and the regression
// replay in Tests/SecurityTests.
#if canImport(CapttyCore)
import CapttyCore
#endif

/// Checks one input; a violated property stops the process (libFuzzer records the input).
enum ConfigCheck {
    /// Stops with the message (`fatalError` prints it even in -O builds, unlike `precondition`).
    static func require(_ ok: Bool, _ why: @autoclosure () -> String = "property violated", line: UInt = #line) {
        if !ok { fail(why(), line: line) }
    }
    static func fail(_ why: String, line: UInt = #line) -> Never { fatalError("\(Self.self) line \(line): \(why)") }

    static func check(_ bytes: [UInt8]) {
        // CapttyConfig.load refuses files that are not UTF-8, so only valid text reaches the parser.
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).count

        let entries: [ConfigEntry]
        do {
            entries = try ConfigParser.parse(text, file: "fuzz.toml")
        } catch {
            // An error names a line of the file.
            Self.require((1...lines).contains(error.line), "error on line \(error.line) of \(lines): \(error)")
            Self.require(error.description.hasPrefix("fuzz.toml:\(error.line)"))
            check(crlf: text, sameAs: .failure(error))
            return
        }
        var seen = Set<String>()
        var last = 0
        for e in entries {
            Self.require(seen.insert(e.path).inserted, "\(e.path) returned twice")
            Self.require(e.line > last && e.line <= lines, "entry line \(e.line) out of order or range")
            last = e.line
        }
        check(crlf: text, sameAs: .success(entries))

        // What was parsed, written back as TOML, parses to the same values.
        let written = render(entries)
        guard let again = try? ConfigParser.parse(written, file: "again.toml") else {
            Self.fail("rendered config does not parse:\n\(written)")
        }
        Self.require(again.map(\.path) == entries.map(\.path) && again.map(\.value) == entries.map(\.value),
                     "rendered config parses differently:\n\(written)")

        // Validation never crashes; an error names the line of the entry it is about.
        do {
            let config = try CapttyConfig.parse(text, file: "fuzz.toml")
            for (action, line) in config.keyLines { Self.require(config.keys[action] != nil && line >= 1 && line <= lines) }
        } catch {
            Self.require(entries.contains { $0.line == error.line && $0.path == error.key }, "validation error not tied to an entry: \(error)")
            Self.require(!error.description.isEmpty)
        }
    }

    /// The same file saved with CRLF line endings means the same.
    static func check(crlf text: String, sameAs expected: Result<[ConfigEntry], ConfigError>) {
        guard !text.contains("\r") else { return }
        let crlf = text.replacingAll("\n", with: "\r\n")
        do {
            let e = try ConfigParser.parse(crlf, file: "fuzz.toml")
            guard case .success(let want) = expected, want == e else {
                Self.fail("CRLF line endings change the result: \(e) vs \(expected)")
            }
        } catch {
            guard case .failure(let want) = expected, want.line == error.line, want.key == error.key else {
                Self.fail("CRLF line endings change the result: \(error) vs \(expected)")
            }
        }
    }

    static func render(_ entries: [ConfigEntry]) -> String {
        var out = ""
        var section = ""
        for e in entries {
            let parts = e.path.split(separator: ".", maxSplits: 1)
            let (s, key) = parts.count == 2 ? (String(parts[0]), String(parts[1])) : ("", e.path)
            if s != section {
                Self.require(!s.isEmpty, "a top-level key after a section cannot be written back")
                out += "[\(s)]\n"; section = s
            }
            out += "\(key) = \(render(e.value))\n"
        }
        return out
    }

    static func render(_ v: ConfigValue) -> String {
        switch v {
        case .bool(let b): return b ? "true" : "false"
        case .integer(let n): return String(n)
        case .double(let d): return d.description.contains(where: { $0 == "." || $0 == "e" }) ? d.description : d.description + ".0"
        case .array(let items): return "[" + items.map(render).joined(separator: ", ") + "]"
        case .string(let s):
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default:
                    if u.value < 0x20 || u.value == 0x7F {
                        let hex = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
            return out + "\""
        }
    }
}

extension String {
    /// `replacingOccurrences` without Foundation, over Unicode scalars (so "\r\n" is two scalars).
    func replacingAll(_ target: Unicode.Scalar, with replacement: String) -> String {
        var out = String.UnicodeScalarView()
        for u in unicodeScalars { if u == target { out.append(contentsOf: replacement.unicodeScalars) } else { out.append(u) } }
        return String(out)
    }
}
