/// Whether the screen may use colour.
///
/// `noColor` follows the `NO_COLOR` convention (https://no-color.org): any non-empty value of
/// the variable turns colour off. It draws exactly like `monochrome` (bold, dim, reverse only);
/// the two are kept apart so the status can say why colour is off.
public enum ColorMode: String, Hashable, Sendable, CaseIterable {
    case color
    case monochrome
    case noColor

    /// Picks the mode from the environment and what the terminal supports.
    public static func detect(environment: [String: String], terminalHasColors: Bool) -> ColorMode {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .noColor }
        return terminalHasColors ? .color : .monochrome
    }

    /// Whether colour pairs may be used.
    public var usesColor: Bool { self == .color }
}
