import FoundationEssentials
import SystemSupport
import Glibc

/// captty's settings file (`~/.config/captty/config.toml`): the defaults of every option and
/// key binding. Flags override it.
///
/// ```toml
/// engine = "auto"            # auto | deepgram | local
/// url = "wss://api.deepgram.com"
/// device = "USB"             # a PulseAudio source (name, index or unique part)
/// journal_dir = "~/captions"
/// plain = false
/// chunk_ms = 50              # audio per message, 20–250 ms
///
/// [deepgram]
/// model = "nova-3"
/// language = "en"
/// languages = ["en", "es", "de"]   # the `l` key cycles through these
/// models = ["nova-3", "nova-2"]    # the `m` key cycles through these
/// punctuate = true
/// smart_format = true
/// diarize = false
/// endpointing = 300          # or false
/// keyterm = ["captty"]
///
/// [display]
/// interim = true
/// timestamps = false
/// speaker_labels = true
/// confidence_dimming = false
/// low_confidence = 0.6
///
/// [keys]
/// pause = "space"
/// quit = "q"
/// ```
public struct CapttyConfig: Sendable, Equatable {
    public var engine: EngineChoice?
    public var url: String?
    public var device: String?
    public var journalDirectory: String?
    public var plain: Bool?
    /// Milliseconds of audio per chunk sent to the engine (`chunk_ms`).
    public var chunkMilliseconds: Int?
    /// The milliseconds `chunk_ms` and `--chunk-ms` accept (Deepgram recommends 20–250 ms).
    public static let chunkMillisecondsRange = 20...250
    /// Deepgram option defaults (unset fields stay unset).
    public var options = LiveOptions()
    /// Languages the `l` key cycles through.
    public var languages: [String] = []
    /// Models the `m` key cycles through.
    public var models: [String] = []
    public var display = DisplayDefaults()
    /// Action name → key name overrides, applied to the key table by the UI.
    public var keys: [String: String] = [:]
    /// Where each key was set, for error messages about bindings.
    public var keyLines: [String: Int] = [:]
    /// The file this came from (for messages).
    public var source: String?

    public init() {}

    /// Display toggles' starting values.
    public struct DisplayDefaults: Sendable, Equatable {
        public var interim = true
        public var timestamps = false
        public var speakerLabels = true
        public var confidenceDimming = false
        public var lowConfidence = 0.6
        public var meter = true
        public init() {}
    }

    /// `$XDG_CONFIG_HOME/captty/config.toml`, else `~/.config/captty/config.toml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        xdgDirectory("XDG_CONFIG_HOME", fallback: ".config", environment: environment) + "/captty/config.toml"
    }

    /// Loads a config file. A missing file at the default path is an empty config; a missing
    /// file the user named explicitly is an error.
    public static func load(path: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> CapttyConfig {
        if path?.isEmpty == true {
            throw ConfigError(file: "--config", line: 0, message: "the config path is empty: name a file (--config /dev/null reads none)")
        }
        let p = path ?? defaultPath(environment: environment)
        guard FileManager.default.fileExists(atPath: p) else {
            if path != nil { throw ConfigError(file: p, line: 0, message: "no such config file") }
            return CapttyConfig()
        }
        let data = try contents(of: p)
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: p, line: 0, message: "the config file is not UTF-8 text")
        }
        return try parse(text, file: p)
    }

    /// The largest config file read: a config is a few KB; a bigger file is not one.
    static let maxFileBytes = 1 << 20

    /// The file's bytes. `/dev/null` reads as an empty config (the usual way to skip a broken
    /// default one); a directory, a FIFO, a device or a file past `maxFileBytes` is refused
    /// with what it is, not blamed on permissions.
    static func contents(of p: String) throws(ConfigError) -> Data {
        var st = stat()
        guard stat(p, &st) == 0 else {
            throw ConfigError(file: p, line: 0, message: "cannot read the config file: \(String(cString: strerror(errno)))")
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw ConfigError(file: p, line: 0, message: "is a directory, not a config file")
        case S_IFCHR where st.st_rdev == Self.devNull: return Data()
        default: throw ConfigError(file: p, line: 0, message: "is not a regular file (a config is a text file; --config /dev/null reads none)")
        }
        guard st.st_size <= Int64(maxFileBytes) else {
            throw ConfigError(file: p, line: 0, message: "is \(NumberText.fixed(Double(st.st_size) / 1_048_576, decimals: 1)) MiB: "
                              + "too large for a config file (at most 1 MiB); is it the right file?")
        }
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw ConfigError(file: p, line: 0, message: "cannot read the config file: \(String(cString: strerror(e)))"
                              + (e == EACCES ? " (check its permissions)" : ""))
        }
        defer { close(fd) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 64 * 1024)
        while out.count <= maxFileBytes {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw ConfigError(file: p, line: 0, message: "cannot read the config file: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            out += buf[0 ..< n]
        }
        guard out.count <= maxFileBytes else {
            throw ConfigError(file: p, line: 0, message: "too large for a config file (at most 1 MiB); is it the right file?")
        }
        return Data(out)
    }

    /// `/dev/null`'s device number.
    private static let devNull: dev_t = {
        var st = stat()
        return stat("/dev/null", &st) == 0 ? st.st_rdev : dev_t.max
    }()

    /// Every setting a config file may hold, as `section.key` (top-level ones bare).
    static let knownSettings = [
        "engine", "url", "device", "journal_dir", "plain", "chunk_ms",
        "deepgram.model", "deepgram.language", "deepgram.languages", "deepgram.models", "deepgram.encoding",
        "deepgram.sample_rate", "deepgram.channels", "deepgram.multichannel", "deepgram.interim_results",
        "deepgram.punctuate", "deepgram.smart_format", "deepgram.numerals", "deepgram.profanity_filter",
        "deepgram.diarize", "deepgram.vad_events", "deepgram.dictation", "deepgram.filler_words",
        "deepgram.endpointing", "deepgram.utterance_end_ms", "deepgram.redact", "deepgram.keyterm",
        "deepgram.keywords", "deepgram.search", "deepgram.replace", "deepgram.extra", "deepgram.params",
        "deepgram.version", "deepgram.callback", "deepgram.callback_method", "deepgram.tag", "deepgram.mip_opt_out",
        "deepgram.detect_entities", "deepgram.diarize_model", "deepgram.language_hint",
        "display.interim", "display.timestamps", "display.speaker_labels", "display.confidence_dimming",
        "display.meter", "display.low_confidence",
    ]

    /// The setting an unknown one was probably meant to be: the same name in another section
    /// (`display.chunk_ms` for `chunk_ms`), or a name within two typos in the same section
    /// (`deepgram.modle`).
    static func suggestion(for path: String) -> String? {
        let name = path.split(separator: ".").last.map(String.init) ?? path
        if let moved = knownSettings.first(where: { ($0.split(separator: ".").last.map(String.init) ?? $0) == name }) { return moved }
        let section = path.contains(".") ? String(path[..<path.lastIndex(of: ".")!]) : ""
        let near = knownSettings.filter { k in
            let kSection = k.contains(".") ? String(k[..<k.lastIndex(of: ".")!]) : ""
            return kSection == section && editDistance(k, path) <= 2
        }
        return near.min { editDistance($0, path) < editDistance($1, path) }
    }

    /// Levenshtein distance (for "did you mean" suggestions).
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var prev = row[0]
            row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    /// Parses and validates config text.
    public static func parse(_ text: String, file: String = "config.toml") throws(ConfigError) -> CapttyConfig {
        var c = CapttyConfig()
        c.source = file
        for e in try ConfigParser.parse(text, file: file) {
            try c.apply(e, file: file)
        }
        return c
    }

    private mutating func apply(_ e: ConfigEntry, file: String) throws(ConfigError) {
        func fail(_ m: String) -> ConfigError { ConfigError(file: file, line: e.line, key: e.path, message: m) }
        func string() throws(ConfigError) -> String {
            guard case .string(let s) = e.value else { throw fail("expected a string in quotes, found \(e.value.typeName)") }
            return s
        }
        func bool() throws(ConfigError) -> Bool {
            guard case .bool(let b) = e.value else { throw fail("expected true or false, found \(e.value.typeName)") }
            return b
        }
        func int(_ range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard case .integer(let n) = e.value else { throw fail("expected a whole number, found \(e.value.typeName)") }
            guard range.contains(n) else { throw fail("\(n) is out of range \(range.lowerBound)…\(range.upperBound)") }
            return n
        }
        func strings() throws(ConfigError) -> [String] {
            if case .string(let s) = e.value { return [s] }
            guard case .array(let items) = e.value else { throw fail("expected a list of strings, found \(e.value.typeName)") }
            var out: [String] = []
            for item in items {
                guard case .string(let s) = item else { throw fail("expected a list of strings; \(item.typeName) found in it") }
                out.append(s)
            }
            return out
        }
        /// A string or a list of them, each parsed (`shape` says what each must look like).
        func parsed<T>(_ shape: String, _ parse: (String) -> T?) throws(ConfigError) -> [T] {
            var out: [T] = []
            for s in try strings() {
                guard let v = parse(s) else { throw fail("'\(s)' must be \(shape)") }
                out.append(v)
            }
            return out
        }
        switch e.path {
        case "engine":
            let s = try string()
            guard let v = EngineChoice(rawValue: s) else { throw fail("'\(s)' is not an engine: use auto, deepgram or local") }
            engine = v
        case "url":
            // Checked here, with the file and line (it failed later, as "transcription failed").
            let u = try string()
            if !u.trimmingWhitespace().isEmpty {
                do throws(LiveOptionsError) { _ = try LiveOptions().url(base: u) } catch { throw fail("\(error)") }
            }
            url = u
        case "device":
            device = try string()
            guard !device!.trimmingWhitespace().isEmpty else { throw fail("the device is empty: name one (`captty devices` lists them), or leave the key out") }
        case "journal_dir":
            journalDirectory = try string()
            guard !journalDirectory!.trimmingWhitespace().isEmpty else {
                throw fail("the directory is empty (the journal went to the current directory): name one, or leave the key out")
            }
        case "plain": plain = try bool()
        case "chunk_ms": chunkMilliseconds = try int(Self.chunkMillisecondsRange)
        case "api_key", "deepgram.api_key", "key":
            throw fail("API keys do not belong in the config file: set DEEPGRAM_API_KEY or use --api-key-file")
        case "deepgram.model":
            let m = try string()
            guard !m.trimmingWhitespace().isEmpty else { throw fail("the model name is empty: name one, e.g. \"nova-3\"") }
            options.model = .init(m)
        case "deepgram.language":
            let l = LiveOptions.Language(try string())
            guard l.isWellFormed else { throw fail("'\(l.rawValue)' is not a language tag such as en, en-GB or multi") }
            options.language = l
        case "deepgram.languages":
            languages = try strings()
            if let bad = languages.first(where: { !LiveOptions.Language($0).isWellFormed }) {
                throw fail("'\(bad)' is not a language tag such as en, en-GB or multi")
            }
        case "deepgram.models":
            models = try strings()
            if models.contains(where: { $0.trimmingWhitespace().isEmpty }) { throw fail("a model name is empty: name each, e.g. [\"nova-3\", \"nova-2\"]") }
        case "deepgram.encoding":
            let enc = try string()
            guard LiveOptions.Encoding.sendable.map(\.rawValue).contains(enc) else {
                throw fail("'\(enc)' is not an encoding captty sends: use linear16 (the default), linear32, mulaw or alaw")
            }
            options.encoding = .init(rawValue: enc)
        case "deepgram.sample_rate": options.sampleRate = try int(1_000...384_000)
        case "deepgram.channels": options.channels = try int(1...64)
        case "deepgram.multichannel": options.multichannel = try bool()
        case "deepgram.interim_results": options.interimResults = try bool()
        case "deepgram.punctuate": options.punctuate = try bool()
        case "deepgram.smart_format": options.smartFormat = try bool()
        case "deepgram.numerals": options.numerals = try bool()
        case "deepgram.profanity_filter": options.profanityFilter = try bool()
        case "deepgram.diarize": options.diarize = try bool()
        case "deepgram.vad_events": options.vadEvents = try bool()
        case "deepgram.dictation": options.dictation = try bool()
        case "deepgram.filler_words": options.fillerWords = try bool()
        case "deepgram.endpointing":
            switch e.value {
            case .bool(false): options.endpointing = .disabled
            case .integer(let n) where n >= 0: options.endpointing = .milliseconds(n)
            default: throw fail("expected a number of milliseconds or false")
            }
        case "deepgram.utterance_end_ms": options.utteranceEndMs = try int(0...60_000)
        case "deepgram.redact": options.redact = try strings().map { .init(rawValue: $0) }
        case "deepgram.keyterm":
            options.keyterm = try strings()
            if options.keyterm.contains(where: { $0.trimmingWhitespace().isEmpty }) { throw fail("a key term is empty: give a word or phrase") }
        case "deepgram.keywords": options.keywords = try parsed("word or word:boost, the boost a number") { LiveOptions.Keyword(parsing: $0) }
        case "deepgram.search": options.search = try strings()
        case "deepgram.replace": options.replace = try parsed("find:replacement, with something to find") { LiveOptions.Replacement(parsing: $0) }
        case "deepgram.extra": options.extra = try parsed("key:value") { KeyValue(parsing: $0, separator: ":") }
        case "deepgram.params":
            options.additional = try parsed("key=value") { KeyValue(parsing: $0, separator: "=") }
            // The audio is encoded as the typed settings say (as for --param).
            let format = ["encoding", "sample_rate", "channels", "multichannel"]
            if let p = options.additional.first(where: { format.contains($0.key) }) {
                throw fail("'\(p.key)=\(p.value)' would tell the server another audio format than the one sent: "
                           + "set \(p.key) = … in [deepgram] instead (captty then sends the audio that way)")
            }
        case "deepgram.version": options.version = try string()
        case "deepgram.callback": options.callback = try string()
        case "deepgram.callback_method":
            let m = try string()
            guard let v = LiveOptions.CallbackMethod(rawValue: m.uppercased()) else { throw fail("'\(m)' is not POST or PUT") }
            options.callbackMethod = v
        case "deepgram.tag":
            options.tag = try strings()
            if options.tag.contains(where: { $0.trimmingWhitespace().isEmpty }) { throw fail("a tag is empty: give a name") }
        case "deepgram.mip_opt_out": options.mipOptOut = try bool()
        case "deepgram.detect_entities": options.detectEntities = try bool()
        case "deepgram.diarize_model": options.diarizeModel = try string()
        case "deepgram.language_hint": options.languageHint = try strings()
        case "display.interim": display.interim = try bool()
        case "display.timestamps": display.timestamps = try bool()
        case "display.speaker_labels": display.speakerLabels = try bool()
        case "display.confidence_dimming": display.confidenceDimming = try bool()
        case "display.meter": display.meter = try bool()
        case "display.low_confidence":
            switch e.value {
            case .double(let d) where (0...1).contains(d): display.lowConfidence = d
            case .integer(let n) where (0...1).contains(n): display.lowConfidence = Double(n)
            default: throw fail("expected a confidence between 0 and 1")
            }
        default:
            if e.path.hasPrefix("keys.") {
                let action = String(e.path.dropFirst(5))
                keys[action] = try string()
                keyLines[action] = e.line
            } else {
                throw fail("unknown setting '\(e.path)'" + (Self.suggestion(for: e.path).map { "; did you mean '\($0)'?" } ?? "")
                           + " (a sample with every setting: share/captty/config.toml where captty is installed, Assets/config.toml in its source)")
            }
        }
    }
}
