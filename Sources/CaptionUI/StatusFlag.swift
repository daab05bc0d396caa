/// An engine option shown as on or off in the status bar (e.g. "punct").
public struct StatusFlag: Equatable, Sendable {
    public var label: String
    public var isOn: Bool
    public init(_ label: String, isOn: Bool) {
        self.label = label
        self.isOn = isOn
    }
}
