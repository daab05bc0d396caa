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
