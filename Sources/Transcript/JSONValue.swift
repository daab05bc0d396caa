/// A JSON value with ordered object keys, rendered deterministically (for the journal and the
/// JSON export: stable output, shortest round-trip numbers, no escaped slashes).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// Already rendered JSON text, inserted verbatim.
    case raw(String)

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered == b.rendered }

    /// Compact JSON text.
    public var rendered: String {
        var s = ""
        render(into: &s, indent: nil)
        return s
    }

    /// Indented JSON text (two spaces).
    public var pretty: String {
        var s = ""
        render(into: &s, indent: 0)
        return s
    }

    public func render(into out: inout String, indent: Int?) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if !d.isFinite { out += "null" }
            else if d == d.rounded(), abs(d) < 1e15 { out += String(Int64(d)) }
            else { out += String(d) }
        case .string(let s): Self.escape(s, into: &out)
        case .raw(let r): out += r
        case .array(let a):
            guard !a.isEmpty else { out += "[]"; return }
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                if let indent { Self.newline(&out, indent + 1) }
                v.render(into: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { Self.newline(&out, indent) }
            out += "]"
        case .object(let o):
            guard !o.isEmpty else { out += "{}"; return }
            if indent != nil, o.allSatisfy({ $0.1.isScalar }) {
                // Leaf objects (words) stay on one line even when pretty-printing.
                out += "{"
                for (i, (k, v)) in o.enumerated() {
                    if i > 0 { out += ", " }
                    Self.escape(k, into: &out)
                    out += ": "
                    v.render(into: &out, indent: nil)
                }
                out += "}"
                return
            }
            out += "{"
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { out += "," }
                if let indent { Self.newline(&out, indent + 1) }
                Self.escape(k, into: &out)
                out += indent == nil ? ":" : ": "
                v.render(into: &out, indent: indent.map { $0 + 1 })
            }
            if let indent { Self.newline(&out, indent) }
            out += "}"
        }
    }

    static func newline(_ out: inout String, _ level: Int) {
        out += "\n"
        out += String(repeating: "  ", count: level)
    }

    static func escape(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}

extension JSONValue {
    var isScalar: Bool {
        switch self {
        case .array, .object, .raw: return false
        default: return true
        }
    }

    /// A time in seconds, to the millisecond: binary noise (`10.350000000000009`, from adding
    /// offsets) is not written, and a server's own times keep every digit they have there.
    static func seconds(_ d: Double) -> JSONValue { .double(d.isFinite ? (d * 1000).rounded() / 1000 : d) }

    /// A confidence, to 8 decimals (as many as Deepgram gives): `0.4550000000000002` from an
    /// average is written 0.455.
    static func fraction(_ d: Double) -> JSONValue { .double(d.isFinite ? (d * 1e8).rounded() / 1e8 : d) }

    /// `.null` for nil, else the wrapped value.
    static func opt<T>(_ v: T?, _ f: (T) -> JSONValue) -> JSONValue { v.map(f) ?? .null }
}
