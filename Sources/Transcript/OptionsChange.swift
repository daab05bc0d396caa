import Deepgram

/// Engine options changed during a session (a key: `l` language, `m` model, `p` punctuation…):
/// the captions from `start` on come with `options`. Journaled as an `options` record and
/// marked in the exports where it happened: a transcript that switched to Spanish half-way
/// said "language en" for all of it (its header has the options the session began with).
public struct OptionsChange: Sendable, Equatable {
    /// Session time from which the new options apply (the first audio sent with them).
    public var start: Double
    public var options: LiveOptions
    /// What changed, in words ("language es", "punctuation off"); never empty.
    public var changes: [String]

    public init(start: Double, options: LiveOptions, changes: [String]) {
        self.start = start; self.options = options; self.changes = changes.isEmpty ? ["other options"] : changes
    }

    /// The change from `old` to `new`, described.
    public init(start: Double, from old: LiveOptions, to new: LiveOptions) {
        self.init(start: start, options: new, changes: Self.differences(from: old, to: new))
    }

    /// The options a caption reader cares about, in words, that differ between `old` and `new`
    /// ("other options" when only others did).
    public static func differences(from old: LiveOptions, to new: LiveOptions) -> [String] {
        func onOff(_ v: Bool?) -> String { v == true ? "on" : "off" }
        var out: [String] = []
        if old.language != new.language { out.append("language \(new.language?.rawValue ?? "default")") }
        if old.model != new.model { out.append("model \(new.model?.rawValue ?? "default")") }
        if (old.punctuate ?? false) != (new.punctuate ?? false) { out.append("punctuation \(onOff(new.punctuate))") }
        if (old.smartFormat ?? false) != (new.smartFormat ?? false) { out.append("smart formatting \(onOff(new.smartFormat))") }
        if (old.diarize ?? false) != (new.diarize ?? false) { out.append("speaker labels \(onOff(new.diarize))") }
        if (old.numerals ?? false) != (new.numerals ?? false) { out.append("numerals \(onOff(new.numerals))") }
        if (old.profanityFilter ?? false) != (new.profanityFilter ?? false) {
            out.append("profanity filter \(onOff(new.profanityFilter))")
        }
        if out.isEmpty && old != new { out.append("other options") }
        return out
    }

    /// `[options changed: language es, model nova-2]`, as text and Markdown show it.
    public var note: String { "[options changed: \(CaptionText.oneLine(changes.joined(separator: ", ")))]" }
}
