/// The groups of the key list, in the order they are shown.
public enum KeyCategory: String, CaseIterable, Hashable, Sendable {
    case captioning = "Captioning"
    case engine = "Deepgram options"
    case display = "Display"
    case scrolling = "Scrolling"
    case app = "App"

    public var title: String { rawValue }
}
