import CaptionUI
import Deepgram

/// What the engine-option keys do to `LiveOptions` (a pure function; the session applies the
/// result by opening a new connection).
public enum OptionToggles {
    /// Languages the `l` key cycles through when the config names none.
    public static let defaultLanguages = ["en", "es", "fr", "de"]
    /// Models the `m` key cycles through when the config names none.
    public static let defaultModels = ["nova-3", "nova-2"]

    /// The words the user asked the engine to listen for: nova-3 models take them as `keyterm`
    /// and refuse `keywords`; older models (nova-2, enhanced, base) take `keywords` (single
    /// words, optional boost) and ignore `keyterm`.
    public struct Vocabulary: Sendable, Equatable {
        public var keyterm: [String]
        public var keywords: [LiveOptions.Keyword]
        public init(keyterm: [String] = [], keywords: [LiveOptions.Keyword] = []) { self.keyterm = keyterm; self.keywords = keywords }
        public init(_ options: LiveOptions) { self.init(keyterm: options.keyterm, keywords: options.keywords) }

        /// Whether `model` takes `keyterm` (and refuses `keywords`).
        public static func takesKeyterms(_ model: String) -> Bool { model.lowercased().hasPrefix("nova-3") }

        /// The vocabulary in the form `model` takes: nothing is dropped, a phrase goes to an
        /// older model as its words, a keyword to nova-3 as a key term (without its boost).
        public func form(for model: String) -> Vocabulary {
            if Self.takesKeyterms(model) {
                var terms = keyterm
                var seen = Set(terms.map { $0.lowercased() })
                for k in keywords where seen.insert(k.word.lowercased()).inserted { terms.append(k.word) }
                return Vocabulary(keyterm: terms)
            }
            var words = keywords
            var seen = Set(words.map { $0.word.lowercased() })
            for term in keyterm {
                for w in Self.words(of: term) where seen.insert(w.lowercased()).inserted {
                    words.append(.init(w))
                }
            }
            return Vocabulary(keywords: words)
        }

        /// A key term's words as keywords: letters and digits, with the apostrophes and hyphens
        /// inside a word (`O'Brien`, `co-op`). Punctuation went out as keywords of its own (`&`)
        /// or inside one (`Who:`, which Deepgram reads as a keyword with a bad boost).
        static func words(of term: String) -> [String] {
            var out: [String] = []
            var word = ""
            func flush() {
                let joiner: (Character) -> Bool = { "'’-".contains($0) }
                let w = word.reversed().drop(while: joiner).reversed().drop(while: joiner)
                if !w.isEmpty { out.append(String(w)) }
                word = ""
            }
            for c in term {
                if c.isLetter || c.isNumber || (!word.isEmpty && "'’-".contains(c)) {
                    word.append(c)
                } else {
                    flush()
                }
            }
            flush()
            return out
        }
    }

    /// The options after `action`, or nil when the action is not about engine options.
    /// `vocabulary` is the user's own (as configured): a model change puts it in the form the
    /// new model takes (derived from it each time, so cycling back gives the phrases back).
    public static func apply(_ action: KeyAction, to options: LiveOptions, languages: [String] = [],
                             models: [String] = [], vocabulary: Vocabulary? = nil) -> LiveOptions? {
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
            let model = next(after: o.model?.rawValue ?? "nova-3", in: list)
            o.model = .init(model)
            let words = (vocabulary ?? Vocabulary(options)).form(for: model)
            o.keyterm = words.keyterm
            o.keywords = words.keywords
        default:
            return nil
        }
        return o
    }

    /// What an option key did, for the meter row (`after`: the options it set). Said because
    /// a change shows only in what is captioned from then on, and the status bar's flags are
    /// easy to miss: a press read as ignored. Nil for other actions.
    public static func notice(after action: KeyAction, options o: LiveOptions) -> String? {
        func onOff(_ v: Bool?) -> String { v == true ? "on" : "off" }
        let what: String
        switch action {
        case .togglePunctuate: what = "punctuation \(onOff(o.punctuate))"
        case .toggleSmartFormat: what = "smart formatting \(onOff(o.smartFormat))"
        case .toggleDiarize: what = o.diarize == true ? "telling speakers apart" : "not telling speakers apart"
        case .toggleNumerals: what = "numerals \(onOff(o.numerals))"
        case .toggleProfanityFilter: what = "profanity filter \(onOff(o.profanityFilter))"
        case .cycleLanguage: what = "language \(o.language?.rawValue ?? "en")"
        case .cycleModel: what = "model \(o.model?.rawValue ?? "nova-3")"
        default: return nil
        }
        return what + ", from what is said next"
    }

    /// The entry after `current` in `list`, wrapping; the first entry when `current` is not in it.
    static func next(after current: String, in list: [String]) -> String {
        guard let i = list.firstIndex(of: current) else { return list.first ?? current }
        return list[(i + 1) % list.count]
    }
}
