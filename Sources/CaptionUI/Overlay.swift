/// A box drawn over the captions; at most one at a time.
public enum Overlay: Equatable, Sendable {
    case none
    /// The key list, generated from the key-binding table.
    case help
    case devicePicker(DevicePickerState)
    case exportPrompt(ExportPromptState)
    case message(title: String, text: String)
}
