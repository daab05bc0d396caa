/// The formats `captty export` writes.
public enum ExportFormat: String, Sendable, CaseIterable, Codable {
    case txt, srt, vtt, json, md

    /// The usual file extension.
    public var fileExtension: String { rawValue }

    /// Parses a format name or file extension (`txt`, `text`, `srt`, `vtt`, `webvtt`, `json`,
    /// `md`, `markdown`), case-insensitively.
    public init?(name: String) {
        switch name.lowercased() {
        case "txt", "text", "plain": self = .txt
        case "srt", "subrip": self = .srt
        case "vtt", "webvtt": self = .vtt
        case "json": self = .json
        case "md", "markdown": self = .md
        default: return nil
        }
    }

    /// The format a file name asks for by its extension (`notes.srt`, `talk.VTT`), if any.
    public init?(path: String) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        self.init(name: String(name[name.index(after: dot)...]))
    }

    /// `explicit` when given, else the output file's extension, else plain text.
    public static func chosen(_ explicit: ExportFormat?, output: String?) -> ExportFormat {
        explicit ?? output.flatMap { ExportFormat(path: $0) } ?? .txt
    }

    /// A note when the file written will not be what its name says: `-o notes.srt --format vtt`
    /// writes WebVTT into a .srt file, `-o notes.docx` writes plain text. Nil when they agree,
    /// or the name has no extension.
    public static func mismatch(_ explicit: ExportFormat?, output: String?) -> String? {
        guard let output, output != "-" else { return nil }
        let name = output.split(separator: "/").last.map(String.init) ?? output
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = String(name[name.index(after: dot)...])
        let written = chosen(explicit, output: output)
        if let named = ExportFormat(path: output) {
            return named == written ? nil
                : "note: writing \(written.fileExtension) to \(name), whose extension says \(named.fileExtension) (--format chose \(written.fileExtension))"
        }
        return "note: .\(ext) is not an export format; writing \(written.fileExtension) to \(name)"
            + (explicit == nil ? " (name the file .txt, .srt, .vtt, .json or .md, or choose with --format)" : "")
    }
}

/// Choices that shape an export.
public struct ExportOptions: Sendable, Equatable {
    /// `[HH:MM:SS]` stamps in plain text and Markdown.
    public var timestamps: Bool
    /// Speaker labels (when the transcript is diarized).
    public var speakers: Bool
    /// Cue limits for SRT and WebVTT.
    public var cueRules: CueRules
    /// Export the readable lines of a journal that has corrupt lines in its middle (they are
    /// listed in the report) instead of failing.
    public var skipCorruptLines: Bool
    /// Audio lost in the session, marked where it was (a note in text and Markdown, a cue in
    /// SRT and WebVTT, `metadata.captty.gaps` in JSON).
    public var gaps: [AudioGap]
    /// Words the engine never made final, marked after their line in text and Markdown and as
    /// `metadata.captty.unconfirmed` in JSON.
    public var unconfirmed: [UnconfirmedSpan]
    /// Where the audio ended, in seconds on the session clock, when known: SRT and WebVTT cues
    /// end by it (a short last cue is not stretched past the end of the media).
    public var audioEnd: Double?
    /// Engine options changed mid-session (a note in text and Markdown, a `NOTE` in WebVTT,
    /// `metadata.captty.option_changes` in JSON; SRT, read by players, has no place for them).
    public var optionChanges: [OptionsChange]

    public init(timestamps: Bool = true, speakers: Bool = true, cueRules: CueRules = .broadcast, skipCorruptLines: Bool = false,
                gaps: [AudioGap] = [], unconfirmed: [UnconfirmedSpan] = [], audioEnd: Double? = nil,
                optionChanges: [OptionsChange] = []) {
        self.timestamps = timestamps; self.speakers = speakers; self.cueRules = cueRules
        self.skipCorruptLines = skipCorruptLines; self.gaps = gaps; self.unconfirmed = unconfirmed
        self.audioEnd = audioEnd; self.optionChanges = optionChanges
    }
}

/// How speakers are named in exports: Deepgram's 0-based speaker numbers shown 1-based.
public enum SpeakerLabel {
    /// `Speaker N`; any Int, even one read from a damaged journal, gives a label (no overflow).
    public static func name(_ speaker: Int) -> String { "Speaker \(speaker < Int.max ? speaker + 1 : speaker)" }
}

/// How channels are named in exports, which label them only when a transcript has more than
/// one: Deepgram's 0-based channel index shown 1-based, like speakers.
public enum ChannelLabel {
    /// `Channel N` (a WebVTT voice).
    public static func name(_ channel: Int) -> String { "Channel \(oneBased(channel))" }
    /// `[ch N]`: short, as it takes room in the line (plain text, Markdown, SRT).
    public static func tag(_ channel: Int) -> String { "[ch \(oneBased(channel))]" }

    /// Whether the lines with words come from more than one channel.
    public static func isMultichannel(_ lines: some Sequence<CaptionLine>) -> Bool {
        var first: Int?
        for l in lines where !l.words.isEmpty {
            if let f = first, f != l.channel { return true }
            first = l.channel
        }
        return false
    }

    static func oneBased(_ channel: Int) -> Int { channel < Int.max ? channel + 1 : channel }
}
