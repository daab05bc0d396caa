/// One recognised word with the engine's confidence (0...1), if it gave one.
public struct CaptionWord: Equatable, Sendable {
    public var text: String
    public var confidence: Double?

    public init(_ text: String, confidence: Double? = nil) {
        self.text = text
        self.confidence = confidence
    }
}
