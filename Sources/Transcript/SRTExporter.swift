/// SubRip (`.srt`): numbered cues cut by `CueBuilder`; a speaker label opens the first cue of
/// a line whose speaker differs from the previous line's, and with more than one channel a
/// channel tag (`[ch 2]`) opens every cue.
public enum SRTExporter {
    public static func render(_ lines: some Sequence<CaptionLine>, options: ExportOptions = ExportOptions()) -> String {
        let lines = Array(lines)
        let multichannel = ChannelLabel.isMultichannel(lines)
        var lastSpeaker: [Int: Int] = [:]
        let cues = Cue.merging(CueBuilder.cues(from: lines, rules: options.cueRules, audioEnd: options.audioEnd,
                                               cueLabel: { line in
            // Words the engine never made final are marked on the cue, as the text export
            // marks them: a caption file showed them as confirmed speech (found in QA).
            let parts = [multichannel ? ChannelLabel.tag(line.channel) : nil,
                         UnconfirmedSpan.marks(line, in: options.unconfirmed) ? UnconfirmedSpan.cueMark : nil].compactMap { $0 }
            return parts.isEmpty ? nil : parts.joined(separator: " ")
        }) { line in
            guard options.speakers, let s = line.speaker else { return nil }
            defer { lastSpeaker[line.channel] = s }
            return lastSpeaker[line.channel] == s ? nil : SpeakerLabel.name(s) + ":"
        }, gaps: options.gaps, rules: options.cueRules)
        var out = ""
        for (i, c) in cues.enumerated() {
            out += "\(i + 1)\n"
            out += "\(Timecode.format(c.startMs, separator: ",")) --> \(Timecode.format(c.endMs, separator: ","))\n"
            out += c.lines.map(defuseMarkup).joined(separator: "\n")
            out += "\n\n"
        }
        return out
    }

    /// SRT has no escaping, yet players read `<b>`, `</i>`, `<font …>` as markup (some strip
    /// anything between `<` and `>`) and `{\an8}` as an override: spoken text that looked like
    /// either (a dictated tag, code read aloud) vanished or restyled the cue. A tag-like `<`
    /// becomes `‹` (U+2039, its look-alike); a word joiner (U+2060, invisible) after a `{`
    /// followed by `\` keeps the override as text.
    static func defuseMarkup(_ s: String) -> String {
        // "-->" in a text line is read as a timing line by lenient parsers (WebVTT forbids it
        // outright): a word joiner keeps the arrow as text.
        if s.contains("-->") { return defuseMarkup(s.replacingAll("-->", with: "--\u{2060}>")) }
        guard s.contains("<") || s.contains("{") else { return s }
        var out = String.UnicodeScalarView()
        let scalars = Array(s.unicodeScalars)
        for (i, u) in scalars.enumerated() {
            let next = i + 1 < scalars.count ? scalars[i + 1] : nil
            if u == "<", let next, next == "/" || next.properties.isAlphabetic {
                out.append("\u{2039}")
                continue
            }
            out.append(u)
            if u == "{" && next == "\\" { out.append("\u{2060}") }
        }
        return String(out)
    }
}
