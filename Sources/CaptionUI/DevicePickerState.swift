/// The device picker: input devices and the highlighted one.
public struct DevicePickerState: Equatable, Sendable {
    /// Human names of the input devices.
    public var devices: [String]
    /// The highlighted row.
    public var selection: Int
    /// The device in use now (marked in the list), if it is in the list.
    public var current: Int?

    public init(devices: [String], selection: Int = 0, current: Int? = nil) {
        self.devices = devices
        self.selection = devices.isEmpty ? 0 : min(max(0, selection), devices.count - 1)
        self.current = current
    }

    /// The state with the highlight moved by `delta` rows, wrapping around.
    public func moved(by delta: Int) -> DevicePickerState {
        guard !devices.isEmpty else { return self }
        var s = self
        s.selection = ((selection + delta) % devices.count + devices.count) % devices.count
        return s
    }
}
