import Deepgram

/// Layers option sources: built-in defaults, then the config file, then flags. A field set in
/// a higher layer wins; unset fields (nil, empty lists) fall through.
public enum OptionLayering {
    /// `top` over `base`.
    public static func overlay(_ top: LiveOptions, on base: LiveOptions) -> LiveOptions {
        var o = base
        func pick<T>(_ t: T?, _ b: T?) -> T? { t ?? b }
        func list<T>(_ t: [T], _ b: [T]) -> [T] { t.isEmpty ? b : t }
        o.model = pick(top.model, base.model)
        o.language = pick(top.language, base.language)
        o.encoding = pick(top.encoding, base.encoding)
        o.sampleRate = pick(top.sampleRate, base.sampleRate)
        o.channels = pick(top.channels, base.channels)
        o.multichannel = pick(top.multichannel, base.multichannel)
        o.interimResults = pick(top.interimResults, base.interimResults)
        o.punctuate = pick(top.punctuate, base.punctuate)
        o.smartFormat = pick(top.smartFormat, base.smartFormat)
        o.numerals = pick(top.numerals, base.numerals)
        o.profanityFilter = pick(top.profanityFilter, base.profanityFilter)
        o.diarize = pick(top.diarize, base.diarize)
        o.vadEvents = pick(top.vadEvents, base.vadEvents)
        o.dictation = pick(top.dictation, base.dictation)
        o.fillerWords = pick(top.fillerWords, base.fillerWords)
        o.endpointing = pick(top.endpointing, base.endpointing)
        o.utteranceEndMs = pick(top.utteranceEndMs, base.utteranceEndMs)
        o.redact = list(top.redact, base.redact)
        o.keyterm = list(top.keyterm, base.keyterm)
        o.keywords = list(top.keywords, base.keywords)
        o.search = list(top.search, base.search)
        o.replace = list(top.replace, base.replace)
        o.tag = list(top.tag, base.tag)
        o.extra = list(top.extra, base.extra)
        o.version = pick(top.version, base.version)
        o.callback = pick(top.callback, base.callback)
        o.callbackMethod = pick(top.callbackMethod, base.callbackMethod)
        o.mipOptOut = pick(top.mipOptOut, base.mipOptOut)
        o.detectEntities = pick(top.detectEntities, base.detectEntities)
        o.diarizeModel = pick(top.diarizeModel, base.diarizeModel)
        o.languageHint = (top.languageHint ?? []).isEmpty ? base.languageHint : top.languageHint
        o.additional = list(top.additional, base.additional)
        return o
    }
}
