/// A box drawn over the captions; at most one at a time.
public enum Overlay: Equatable, Sendable {
    case none
    /// The key list, generated from the key-binding table.
    case help
    case devicePicker(DevicePickerState)
    case exportPrompt(ExportPromptState)
    case message(title: String, text: String)
}

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

/// The "save as" prompt: export formats and the highlighted one.
public struct ExportPromptState: Equatable, Sendable {
    /// Format names as the user types them, e.g. ["txt", "srt", "vtt", "json", "md"].
    public var formats: [String]
    public var selection: Int

    public init(formats: [String], selection: Int = 0) {
        self.formats = formats
        self.selection = formats.isEmpty ? 0 : min(max(0, selection), formats.count - 1)
    }

    /// The state with the highlight moved by `delta`, wrapping around.
    public func moved(by delta: Int) -> ExportPromptState {
        guard !formats.isEmpty else { return self }
        var s = self
        s.selection = ((selection + delta) % formats.count + formats.count) % formats.count
        return s
    }

    /// The format whose name starts with a typed letter, if exactly one does.
    public func format(forLetter letter: Character) -> Int? {
        let hits = formats.indices.filter { formats[$0].lowercased().first == Character(letter.lowercased()) }
        return hits.count == 1 ? hits[0] : nil
    }
}
