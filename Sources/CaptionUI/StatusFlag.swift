/// An engine option shown as on or off in the status bar (e.g. "punct").
public struct StatusFlag: Equatable, Sendable {
    public var label: String
    public var isOn: Bool
    /// The action that toggles it (its key is shown when the bar has room for a letter only).
    public var toggle: KeyAction?
    /// That action's key as the key table binds it, filled in by the screen (nil: unknown).
    public var key: String?
    public init(_ label: String, isOn: Bool, toggle: KeyAction? = nil) {
        self.label = label
        self.isOn = isOn
        self.toggle = toggle
    }
}
