import CaptionUI
import Deepgram

/// What the engine-option keys do to `LiveOptions` (a pure function; the session applies the
/// result by opening a new connection).
public enum OptionToggles {
    /// Languages the `l` key cycles through when the config names none.
    public static let defaultLanguages = ["en", "es", "fr", "de"]
    /// Models the `m` key cycles through when the config names none.
    public static let defaultModels = ["nova-3", "nova-2"]

    /// The options after `action`, or nil when the action is not about engine options.
    public static func apply(_ action: KeyAction, to options: LiveOptions, languages: [String] = [],
                             models: [String] = []) -> LiveOptions? {
        var o = options
        switch action {
        case .togglePunctuate: o.punctuate = !(o.punctuate ?? false)
        case .toggleSmartFormat: o.smartFormat = !(o.smartFormat ?? false)
        case .toggleDiarize: o.diarize = !(o.diarize ?? false)
        case .toggleNumerals: o.numerals = !(o.numerals ?? false)
        case .toggleProfanityFilter: o.profanityFilter = !(o.profanityFilter ?? false)
        case .cycleLanguage:
            let list = languages.isEmpty ? defaultLanguages : languages
            o.language = .init(next(after: o.language?.rawValue ?? "en", in: list))
        case .cycleModel:
            let list = models.isEmpty ? defaultModels : models
            o.model = .init(next(after: o.model?.rawValue ?? "nova-3", in: list))
        default:
            return nil
        }
        return o
    }

    /// The entry after `current` in `list`, wrapping; the first entry when `current` is not in it.
    static func next(after current: String, in list: [String]) -> String {
        guard let i = list.firstIndex(of: current) else { return list.first ?? current }
        return list[(i + 1) % list.count]
    }
}
