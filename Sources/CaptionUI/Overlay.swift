/// A box drawn over the captions; at most one at a time.
public enum Overlay: Equatable, Sendable {
    case none
    /// The key list, generated from the key-binding table; `page` when it needs more than one
    /// screen (see `HelpOverlayView.pageCount`).
    case help(page: Int = 0)
    case devicePicker(DevicePickerState)
    case exportPrompt(ExportPromptState)
    /// A message; `footer` says how it goes away ("" for none: e.g. while finishing).
    case message(title: String, text: String, footer: String = "any key closes")
}
