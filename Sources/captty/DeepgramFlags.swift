import ArgumentParser
import CapttyCore


/// One flag per Deepgram live option. Unset flags are not sent.
struct DeepgramFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Model (default nova-3).", valueName: "model"))
    var model: String?
    @Option(help: ArgumentHelp("Language: a BCP-47 tag such as en, en-GB, de, or multi.", valueName: "lang"))
    var language: String?
    @Option(help: ArgumentHelp("Audio encoding sent to the engine (default: chosen from the audio).", valueName: "enc"))
    var encoding: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Sample rate sent to the engine in Hz (default 16000).", valueName: "hz"))
    var sampleRate: Int?
    @Option(parsing: .unconditional, help: ArgumentHelp("Number of audio channels sent.", valueName: "n"))
    var channels: Int?
    @Flag(inversion: .prefixedNo, help: "Transcribe each channel independently.")
    var multichannel: Bool?
    @Flag(inversion: .prefixedNo, help: "Show interim (not yet final) guesses (default on).")
    var interimResults: Bool?
    @Flag(inversion: .prefixedNo, help: "Add punctuation and capitalisation (default on).")
    var punctuate: Bool?
    @Flag(inversion: .prefixedNo, help: "Format numbers, dates, currency… (default on).")
    var smartFormat: Bool?
    @Flag(inversion: .prefixedNo, help: "Write numbers as digits.")
    var numerals: Bool?
    @Flag(inversion: .prefixedNo, help: "Mask profanity.")
    var profanityFilter: Bool?
    @Flag(inversion: .prefixedNo, help: "Label speakers.")
    var diarize: Bool?
    @Flag(inversion: .prefixedNo, help: "Report when speech starts (default on).")
    var vadEvents: Bool?
    @Flag(inversion: .prefixedNo, help: "Spoken punctuation commands (\"comma\", \"period\").")
    var dictation: Bool?
    @Flag(inversion: .prefixedNo, help: "Keep filler words (uh, um).")
    var fillerWords: Bool?
    @Option(parsing: .unconditional, help: ArgumentHelp("Pause in ms that ends a caption line, or false.", valueName: "ms|false"))
    var endpointing: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Silence in ms after the last word that ends an utterance (default 1000).", valueName: "ms"))
    var utteranceEndMs: Int?
    @Option(help: ArgumentHelp("Redact: pci, numbers, ssn or true (repeatable).", valueName: "kind"))
    var redact: [String] = []
    @Option(help: ArgumentHelp("Boost a key term (nova-3; repeatable).", valueName: "term"))
    var keyterm: [String] = []
    @Option(help: ArgumentHelp("Boost a keyword as word[:boost] (not nova-3; repeatable).", valueName: "word:boost"))
    var keywords: [String] = []
    @Option(help: ArgumentHelp("Search for a term (repeatable).", valueName: "term"))
    var search: [String] = []
    @Option(help: ArgumentHelp("Replace a term as find:replacement (repeatable).", valueName: "find:repl"))
    var replace: [String] = []
    @Option(help: ArgumentHelp("Tag the request (repeatable).", valueName: "tag"))
    var tag: [String] = []
    @Option(help: ArgumentHelp("Extra metadata as key:value (repeatable).", valueName: "key:value"))
    var extra: [String] = []
    @Option(name: .customLong("model-version"), help: ArgumentHelp("Model version.", valueName: "v"))
    var modelVersion: String?
    @Option(help: ArgumentHelp("Callback URL.", valueName: "url"))
    var callback: String?
    @Option(help: ArgumentHelp("Callback method: POST or PUT.", valueName: "method"))
    var callbackMethod: String?
    @Flag(inversion: .prefixedNo, help: "Opt out of the Deepgram Model Improvement Program.")
    var mipOptOut: Bool?
    @Flag(inversion: .prefixedNo, help: "Detect entities (names, numbers, addresses…); the JSON export lists them.")
    var detectEntities: Bool?
    @Option(help: ArgumentHelp("Diarization model: v1 or latest (turns diarization on).", valueName: "version"))
    var diarizeModel: String?
    @Option(help: ArgumentHelp("A language to expect, e.g. with --language multi (repeatable).", valueName: "lang"))
    var languageHint: [String] = []
    @Option(name: .customLong("param"), help: ArgumentHelp("Any other query parameter as key=value (repeatable); one named like a typed option replaces all its values.", valueName: "key=value"))
    var params: [String] = []

    func validate() throws {
        _ = try options(base: LiveOptions())
    }

    /// Applies the flags over `base` (built-in defaults with the config file's options over
    /// them), then checks what Deepgram would refuse.
    /// `deepgram`: whether they go to Deepgram (the offline engine names the options it ignores).
    func options(base: LiveOptions, deepgram: Bool = true) throws -> LiveOptions {
        var o = try flagged(over: base)
        // Only `--utterance-end-ms` itself is a choice to refuse: the config file's value (the
        // sample has the default, 1000) gives way to `--no-interim-results` (found in QA: the
        // sample config made `--no-interim-results` fail).
        try Self.check(&o, utteranceEndChosen: utteranceEndMs != nil, deepgram: deepgram)
        return o
    }

    /// The options a command runs with: captty's caption defaults, the config file's options
    /// over them, these flags over both (live captions and `transcribe` alike).
    func options(config cfg: CapttyConfig, engine: EngineSettings) throws -> LiveOptions {
        try options(base: OptionLayering.overlay(cfg.options, on: .captionDefaults),
                    deepgram: engine.resolve() == .deepgram)
    }

    /// Deepgram refuses `utterance_end_ms` without interim results (HTTP 400): the built-in
    /// default is left out then (`--no-interim-results` could never connect), one the user chose
    /// is an error. Empty names, and boosts that are not numbers, are refused before connecting.
    static func check(_ o: inout LiveOptions, utteranceEndChosen: Bool, deepgram: Bool) throws {
        let utteranceEndChosen = foldTypedParameters(&o) || utteranceEndChosen
        if o.interimResults == false, o.utteranceEndMs != nil {
            guard !utteranceEndChosen || !deepgram else {
                throw ValidationError("utterance_end_ms needs interim results (Deepgram refuses it with interim_results=false): "
                                      + "drop --utterance-end-ms (or deepgram.utterance_end_ms in the config), or keep interim results on")
            }
            o.utteranceEndMs = nil
        }
        if o.model?.rawValue.trimmingWhitespace().isEmpty == true { throw ValidationError("the model name is empty: name one, e.g. --model nova-3") }
        if o.keyterm.contains(where: { $0.trimmingWhitespace().isEmpty }) { throw ValidationError("a key term is empty: give --keyterm a word or phrase") }
        if o.search.contains(where: { $0.trimmingWhitespace().isEmpty }) { throw ValidationError("a search term is empty: give --search a word or phrase") }
        if o.tag.contains(where: { $0.trimmingWhitespace().isEmpty }) { throw ValidationError("a tag is empty: give --tag a name") }
        // (These went out empty, `redact=` and `callback=`, where other empty values are refused; found in QA.)
        if o.redact.contains(where: { $0.rawValue.trimmingWhitespace().isEmpty }) {
            throw ValidationError("a redaction is empty: give --redact what to redact, e.g. pci, pii or numbers")
        }
        if o.callback?.trimmingWhitespace().isEmpty == true { throw ValidationError("--callback is empty: give the URL Deepgram should call") }
        if o.version?.trimmingWhitespace().isEmpty == true { throw ValidationError("--model-version is empty: give a version, e.g. latest") }
        if let e = o.extra.first(where: { $0.value.trimmingWhitespace().isEmpty }) {
            throw ValidationError("--extra '\(e.key):' has no value: give key:value")
        }
        if let bad = o.keywords.first(where: { $0.boost.map { !$0.isFinite } == true }) {
            throw ValidationError("--keywords '\(bad.word)' needs a boost that is a finite number, e.g. \(bad.word):2")
        }
        if deepgram, !o.keywords.isEmpty, o.model?.rawValue.hasPrefix("nova-3") == true {
            throw ValidationError("keywords do not work with \(o.model!.rawValue) (Deepgram refuses them): use --keyterm with nova-3, "
                                  + "or choose another model, e.g. --model nova-2")
        }
        // The audio is encoded as the typed options say: a parameter that names another format
        // told the server mu-law or two channels while 16 kHz mono linear16 was sent (noise, or
        // the wrong speed).
        let formatFlags = ["encoding": "--encoding", "sample_rate": "--sample-rate", "channels": "--channels", "multichannel": "--multichannel"]
        if let p = o.additional.first(where: { formatFlags[$0.key] != nil }), let flag = formatFlags[p.key] {
            throw ValidationError("--param \(p.key)=\(p.value) would tell the server another audio format than the one sent: use \(flag)"
                                  + (flag == "--multichannel" ? "" : " \(p.value)") + " instead (captty then sends the audio that way)")
        }
        // Key terms are nova-3's (older models ignore `keyterm`): an older model gets them as
        // keywords, as the model key does when it switches to one.
        if deepgram, !o.keyterm.isEmpty, let model = o.model?.rawValue, !OptionToggles.Vocabulary.takesKeyterms(model) {
            let words = OptionToggles.Vocabulary(o).form(for: model)
            o.keyterm = words.keyterm
            o.keywords = words.keywords
        }
    }

    /// `--param model=…`, `interim_results=…` and `utterance_end_ms=…` (one value each, of the
    /// right kind) become the typed options they name, so that the checks and the key term
    /// conversion see what is sent: keywords went to nova-3 and a refused
    /// `interim_results=false&utterance_end_ms=1000` went out (found in QA). Returns whether
    /// `utterance_end_ms` came this way (the user chose it).
    static func foldTypedParameters(_ o: inout LiveOptions) -> Bool {
        func single(_ key: String) -> String? {
            let values = o.additional.filter { $0.key == key }
            return values.count == 1 ? values[0].value : nil
        }
        var folded: Set<String> = []
        if let m = single("model"), !m.trimmingWhitespace().isEmpty { o.model = .init(m); folded.insert("model") }
        if let v = single("interim_results"), let b = ["true": true, "false": false][v.lowercased()] {
            o.interimResults = b
            folded.insert("interim_results")
        }
        if let v = single("utterance_end_ms"), let ms = Int(v) { o.utteranceEndMs = ms; folded.insert("utterance_end_ms") }
        o.additional.removeAll { folded.contains($0.key) }
        return folded.contains("utterance_end_ms")
    }

    private func flagged(over base: LiveOptions) throws -> LiveOptions {
        var o = base
        if let model { o.model = .init(model) }
        if let language {
            let l = LiveOptions.Language(language)
            guard l.isWellFormed else {
                throw ValidationError("--language '\(language)' is not a language tag: use a BCP-47 tag such as en, en-US, de, or multi")
            }
            o.language = l
        }
        if let encoding {
            // Said up front (it failed after the audio was opened, with exit 1).
            guard LiveOptions.Encoding.sendable.map(\.rawValue).contains(encoding) else {
                throw ValidationError("--encoding \(encoding) cannot be sent: captty sends uncompressed audio, as linear16 (the default), "
                                      + "linear32, mulaw or alaw")
            }
            o.encoding = .init(rawValue: encoding)
        }
        if let sampleRate {
            // The range an engine takes (checked here, not once the audio is read: exit 64, not 1).
            guard (1000 ... 384_000).contains(sampleRate) else {
                throw ValidationError("--sample-rate must be a number of Hz between 1000 and 384000 (e.g. 16000), not \(sampleRate)")
            }
            o.sampleRate = sampleRate
        }
        if let channels {
            guard channels > 0 else { throw ValidationError("--channels must be at least 1") }
            o.channels = channels
        }
        if let multichannel { o.multichannel = multichannel }
        if let interimResults { o.interimResults = interimResults }
        if let punctuate { o.punctuate = punctuate }
        if let smartFormat { o.smartFormat = smartFormat }
        if let numerals { o.numerals = numerals }
        if let profanityFilter { o.profanityFilter = profanityFilter }
        if let diarize { o.diarize = diarize }
        if let vadEvents { o.vadEvents = vadEvents }
        if let dictation { o.dictation = dictation }
        if let fillerWords { o.fillerWords = fillerWords }
        if let endpointing {
            guard let e = LiveOptions.Endpointing(parsing: endpointing) else {
                throw ValidationError("--endpointing '\(endpointing)' must be a number of milliseconds (0 or more) or false")
            }
            o.endpointing = e
        }
        if let utteranceEndMs {
            guard utteranceEndMs >= 0 else { throw ValidationError("--utterance-end-ms must not be negative") }
            o.utteranceEndMs = utteranceEndMs
        }
        if !redact.isEmpty { o.redact = redact.map { .init(rawValue: $0) } }
        if !keyterm.isEmpty { o.keyterm = keyterm }
        if !keywords.isEmpty {
            o.keywords = try keywords.map { k in
                guard let kw = LiveOptions.Keyword(parsing: k) else { throw ValidationError("--keywords '\(k)' must be word or word:boost, the boost a number (e.g. captty:2)") }
                return kw
            }
        }
        if !search.isEmpty { o.search = search }
        if !replace.isEmpty {
            o.replace = try replace.map { r in
                guard let rp = LiveOptions.Replacement(parsing: r) else { throw ValidationError("--replace '\(r)' must be find:replacement, with something to find") }
                return rp
            }
        }
        if !tag.isEmpty { o.tag = tag }
        if !extra.isEmpty {
            o.extra = try extra.map { e in
                guard let kv = KeyValue(parsing: e, separator: ":") else { throw ValidationError("--extra '\(e)' must be key:value") }
                return kv
            }
        }
        if let modelVersion { o.version = modelVersion }
        if let callback { o.callback = callback }
        if let callbackMethod {
            guard let m = LiveOptions.CallbackMethod(rawValue: callbackMethod.uppercased()) else {
                throw ValidationError("--callback-method must be POST or PUT")
            }
            o.callbackMethod = m
        }
        if let mipOptOut { o.mipOptOut = mipOptOut }
        if let detectEntities { o.detectEntities = detectEntities }
        if let diarizeModel {
            guard !diarizeModel.trimmingWhitespace().isEmpty else { throw ValidationError("--diarize-model is empty: give v1 or latest") }
            // (Sent as diarize=false&diarize_model=v1; found in QA.)
            guard o.diarize != false else {
                throw ValidationError("--diarize-model chooses how speakers are told apart, and --no-diarize turns that off: drop one of them")
            }
            o.diarizeModel = diarizeModel
            // As its help says: a diarization model turns diarization on (it sent only
            // `diarize_model`), unless --no-diarize says otherwise.
            if o.diarize == nil { o.diarize = true }
        }
        if !languageHint.isEmpty {
            if let bad = languageHint.first(where: { !LiveOptions.Language($0).isWellFormed }) {
                throw ValidationError("--language-hint '\(bad)' is not a language tag: use a BCP-47 tag such as en, de or es-419")
            }
            o.languageHint = languageHint
        }
        if !params.isEmpty {
            o.additional = try params.map { p in
                guard let kv = KeyValue(parsing: p, separator: "=") else { throw ValidationError("--param '\(p)' must be key=value") }
                return kv
            }
        }
        return o
    }
}
