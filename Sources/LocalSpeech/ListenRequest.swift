import SystemSupport
import Audio
import Deepgram

/// A validated `/v1/listen` upgrade request: the live options and the audio format to expect.
///
/// Pure: parsing and validation only, so every rule is tested without sockets.
public struct ListenRequest: Sendable, Equatable {
    /// The options as parsed from the query.
    public var options: LiveOptions
    /// Raw audio format, or nil when no `encoding` was given (the stream must then start with a
    /// WAV header, as Deepgram reads containerised audio).
    public var format: AudioFormat?
    /// Whether each channel is transcribed separately (`multichannel=true`): raw audio of more
    /// than one channel, or any WAV stream (its channels are known only from its header).
    public var multichannel: Bool

    /// Number of channels in the stream as the query gives it. A WAV stream's header wins over
    /// the query (Deepgram ignores `channels` and `sample_rate` for containerised audio).
    public var channels: Int { format?.channels ?? options.channels ?? 1 }

    /// Whether the stream's recognizers are known only once its WAV header arrives: a WAV stream
    /// (no `encoding`) with `multichannel=true`.
    public var channelsFromHeader: Bool { multichannel && format == nil }

    /// Recognition sessions the stream runs at the upgrade: one per channel for raw multichannel
    /// audio, else one. Each holds its own decoder (about 100 MB), so the server counts them
    /// against its limit. A multichannel WAV stream counts one here (the least it needs) and
    /// claims the rest when its header shows its channels (`DeepgramServer`, `ListenStream`).
    public var recognizers: Int { multichannel && format != nil ? channels : 1 }

    /// Why a request was refused: an HTTP status and Deepgram's `dg-error` text.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public var status: Int
        public var dgError: String
        public var description: String { "HTTP \(status): \(dgError)" }
        static func bad(_ s: String) -> Rejection { Rejection(status: 400, dgError: s) }
    }

    /// Encodings the local server decodes.
    public static let encodings: [String: SampleEncoding] = [
        "linear16": .linear16, "linear32": .float32, "mulaw": .mulaw, "alaw": .alaw,
    ]

    static let booleans: Set<String> = [
        "interim_results", "punctuate", "smart_format", "numerals", "profanity_filter", "diarize",
        "vad_events", "dictation", "filler_words", "multichannel", "mip_opt_out", "detect_entities",
    ]
    /// Accepted and ignored: they change nothing the local engine does, or are hints it may
    /// do without (key terms, search, speaker labels).
    static let ignored: Set<String> = [
        "keyterm", "keywords", "search", "tag", "version", "callback_method", "diarize_model", "diarize_version",
        "language_hint", "mip_opt_out", "detect_entities",
    ]

    /// Options that may be given more than once, each time adding a value.
    static let repeatable: Set<String> = ["keyterm", "keywords", "search", "tag", "extra", "replace", "redact"]

    /// Refused: ignoring them would harm a client that relies on them. Redaction not done
    /// shows what was to be hidden (card numbers in clear text), a replacement or a profanity
    /// filter not applied shows what was to be changed, and a callback never made loses the
    /// results sent to it.
    static func unavailable(_ k: String, _ v: String) -> String? {
        let what: String
        switch k {
        // `redact=false` asks for none (the Python SDK 3.x sends it for `redact=False`).
        case "redact" where v.lowercased() != "false": what = "redaction (redact=\(v))"
        case "replace": what = "find-and-replace (replace=\(v))"
        case "callback": what = "callbacks (callback)"
        case "profanity_filter" where v.lowercased() == "true": what = "the profanity filter (profanity_filter=true)"
        default: return nil
        }
        return "Unsupported option: the local engine does not offer \(what); remove it, or use Deepgram's API for it."
    }

    /// The paths served: Deepgram's live endpoint.
    public static let paths: Set<String> = ["/v1/listen", "/v1/listen/"]
    static let notFound = "Not found: this server serves /v1/listen only (Deepgram's live streaming API)."

    /// Validates the request target (`path`, percent-decoded `query` pairs).
    public static func parse(path: String, query: [(String, String)]) -> Result<ListenRequest, Rejection> {
        guard paths.contains(path) else { return .failure(Rejection(status: 404, dgError: notFound)) }
        var o = LiveOptions()
        var encoding: SampleEncoding?
        var sampleRate: Int?
        var channels = 1
        func bool(_ k: String, _ v: String) throws(Rejection) -> Bool {
            switch v.lowercased() {
            case "true": return true
            case "false": return false
            default: throw .bad("Invalid value '\(v)' for \(k): expected true or false.")
            }
        }
        func int(_ k: String, _ v: String, _ range: ClosedRange<Int>) throws(Rejection) -> Int {
            guard let n = Int(v), range.contains(n) else {
                throw .bad("Invalid value '\(v)' for \(k): expected an integer in \(range.lowerBound)...\(range.upperBound).")
            }
            return n
        }
        do throws(Rejection) {
            var given: [String: String] = [:]
            for (k, v) in query {
                if let why = unavailable(k, v) { throw .bad(why) }
                // An option that takes one value, given twice with two: the last one won, and
                // 16 kHz audio was read as 8 kHz (`sample_rate=16000&sample_rate=8000`; found in QA).
                if !repeatable.contains(k), let first = given[k], first != v {
                    throw .bad("Conflicting values for \(k): '\(first)' and '\(v)'; give it once.")
                }
                given[k] = v
                switch k {
                case "model": o.model = LiveOptions.Model(v)
                case "language":
                    let lang = LiveOptions.Language(v)
                    guard lang.isWellFormed else { throw .bad("Invalid value '\(v)' for language: expected a BCP-47 tag such as en or en-US.") }
                    guard v.lowercased() == "en" || v.lowercased().hasPrefix("en-") else {
                        throw .bad("No such model/language combination: the local engine transcribes English (en) only, not '\(v)'.")
                    }
                    o.language = lang
                case "encoding":
                    guard let e = encodings[v] else {
                        throw .bad("Invalid value '\(v)' for encoding: the local server takes linear16, linear32, mulaw or alaw (or a WAV stream with no encoding).")
                    }
                    encoding = e; o.encoding = LiveOptions.Encoding(rawValue: v)
                case "sample_rate": sampleRate = try int(k, v, 1_000...192_000); o.sampleRate = sampleRate
                case "channels": channels = try int(k, v, 1...32); o.channels = channels
                case "endpointing":
                    // `true` is Deepgram's default pause (10 ms): the Python SDK's 3.x API sends it
                    // for `endpointing=True`, and its start() failed on a 400.
                    if v.trimmingSpaces().lowercased() == "true" { o.endpointing = .milliseconds(10); break }
                    guard let e = LiveOptions.Endpointing(parsing: v) else {
                        throw .bad("Invalid value '\(v)' for endpointing: expected milliseconds, true or false.")
                    }
                    o.endpointing = e
                case "utterance_end_ms": o.utteranceEndMs = try int(k, v, 0...60_000)
                case "extra":
                    // Passed back in the Metadata, as Deepgram does (`metadata.extra`).
                    guard let kv = KeyValue(parsing: v, separator: ":") else {
                        throw .bad("Invalid value '\(v)' for extra: expected KEY:VALUE.")
                    }
                    o.extra.append(kv)
                case _ where booleans.contains(k):
                    let b = try bool(k, v)
                    switch k {
                    case "interim_results": o.interimResults = b
                    case "punctuate": o.punctuate = b
                    case "smart_format": o.smartFormat = b
                    case "numerals": o.numerals = b
                    case "profanity_filter": o.profanityFilter = b
                    case "diarize": o.diarize = b
                    case "vad_events": o.vadEvents = b
                    case "dictation": o.dictation = b
                    case "filler_words": o.fillerWords = b
                    case "multichannel": o.multichannel = b
                    case "mip_opt_out": o.mipOptOut = b
                    default: break
                    }
                // The newest official SDK sends `extra={"k": "v"}` as `extra[k]=v`: the same pair
                // (it was kept as an unknown option, and Metadata had no `extra`).
                case _ where k.hasPrefix("extra[") && k.hasSuffix("]") && k.count > 7:
                    o.extra.append(KeyValue(String(k.dropFirst(6).dropLast()), v))
                default:
                    if !ignored.contains(k) { o.additional.append(KeyValue(k, v)) }
                }
            }
            if encoding != nil && sampleRate == nil {
                throw .bad("Missing sample_rate: raw audio (encoding=\(o.encoding?.rawValue ?? "")) needs sample_rate.")
            }
            if o.utteranceEndMs != nil && o.interimResults != true {
                throw .bad("utterance_end_ms requires interim_results=true.")
            }
        } catch {
            // A value quoted back is cut short: a 15 000-character one made a 15 KB header
            // line, which the SDKs' HTTP parser refused, so the client saw no answer at all.
            var shown = error
            for (_, v) in query where v.count > 100 {
                shown.dgError = shown.dgError.replacingAll(v, with: v.prefix(60) + "… (\(v.count) characters)")
            }
            return .failure(shown)
        }
        let format = encoding.map { AudioFormat(encoding: $0, sampleRate: sampleRate ?? 16_000, channels: channels) }
        // Raw mono audio has nothing to separate. A WAV stream with multichannel=true keeps its
        // header's channels apart, however many the query claims (the container wins, as with a
        // mixed-down WAV stream); a mono one gives channel_index [0, 1].
        let multichannel = o.multichannel == true && (encoding == nil || channels > 1)
        return .success(ListenRequest(options: o, format: format, multichannel: multichannel))
    }
}
