/// How a run of cells looks: attributes plus optional foreground and background colours.
///
/// A `nil` colour means the terminal's default. Views never pick colours directly; they ask a
/// `Theme`, which leaves colours out in monochrome and `NO_COLOR` modes.
public struct TextStyle: Hashable, Sendable, CustomStringConvertible {
    /// Attributes every terminal can show without colour.
    public struct Attributes: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let bold = Attributes(rawValue: 1 << 0)
        public static let dim = Attributes(rawValue: 1 << 1)
        public static let italic = Attributes(rawValue: 1 << 2)
        public static let reverse = Attributes(rawValue: 1 << 3)
        public static let underline = Attributes(rawValue: 1 << 4)
    }

    public var attributes: Attributes
    public var foreground: TerminalColor?
    public var background: TerminalColor?

    public init(_ attributes: Attributes = [], foreground: TerminalColor? = nil, background: TerminalColor? = nil) {
        self.attributes = attributes
        self.foreground = foreground
        self.background = background
    }

    /// The terminal's default look.
    public static let plain = TextStyle()

    /// Whether this style uses any colour.
    public var hasColor: Bool { foreground != nil || background != nil }

    /// A compact description used in tests and style dumps, e.g. `bold+dim fg=red`.
    public var description: String {
        var parts: [String] = []
        let names: [(Attributes, String)] = [(.bold, "bold"), (.dim, "dim"), (.italic, "italic"),
                                             (.reverse, "reverse"), (.underline, "underline")]
        let attrs = names.filter { attributes.contains($0.0) }.map(\.1)
        if !attrs.isEmpty { parts.append(attrs.joined(separator: "+")) }
        if let f = foreground { parts.append("fg=\(f)") }
        if let b = background { parts.append("bg=\(b)") }
        return parts.isEmpty ? "plain" : parts.joined(separator: " ")
    }
}
