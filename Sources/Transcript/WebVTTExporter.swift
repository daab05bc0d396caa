import FoundationEssentials
import SystemSupport

/// WebVTT (`.vtt`): a `NOTE` block describing the session, then cues cut by `CueBuilder`,
/// with `<v Speaker N>` voice tags when the transcript is diarized and `<v Channel N>` (or
/// `<v Channel N, Speaker M>`) when it has more than one channel.
public enum WebVTTExporter {
    public static func render(_ lines: some Sequence<CaptionLine>, header: JournalHeader? = nil,
                              options: ExportOptions = ExportOptions()) -> String {
        var out = "WEBVTT\n\n"
        var note = ["Transcript by captty" + (header.map { " \($0.capttyVersion)" } ?? "")]
        if let h = header {
            note.append("Engine: \(h.engine)" + (h.model.map { ", model \($0)" } ?? ""))
            note.append("Session started: \(h.startISO8601)")
        }
        out += "NOTE\n" + note.map(noteSafe).joined(separator: "\n") + "\n\n"
        let lines = Array(lines)
        let multichannel = ChannelLabel.isMultichannel(lines)
        // Words the engine never made final are marked on each of their cues, as in the text export.
        let cues = Cue.merging(CueBuilder.cues(from: lines, rules: options.cueRules, audioEnd: options.audioEnd, cueLabel: {
            UnconfirmedSpan.marks($0, in: options.unconfirmed) ? UnconfirmedSpan.cueMark : nil
        }), gaps: options.gaps, rules: options.cueRules)
        // Options changed mid-session: a NOTE before the first cue they apply to.
        var changes = options.optionChanges.sorted { $0.start < $1.start }[...]
        func changeNotes(before ms: Int64) {
            while let c = changes.first, Int64((c.start * 1000).rounded()) <= ms {
                changes.removeFirst()
                out += "NOTE\n" + noteSafe("From \(Timecode.format(Int64((c.start * 1000).rounded()), separator: ".")): "
                                            + c.note) + "\n\n"
            }
        }
        for (i, c) in cues.enumerated() {
            changeNotes(before: c.startMs)
            out += "\(i + 1)\n"
            out += "\(Timecode.format(c.startMs, separator: ".")) --> \(Timecode.format(c.endMs, separator: "."))\n"
            let body = c.lines.map(escape).joined(separator: "\n")
            var voice: [String] = []
            if multichannel && c.lineID >= 0 { voice.append(ChannelLabel.name(c.channel)) }
            if options.speakers, let s = c.speaker { voice.append(SpeakerLabel.name(s)) }
            if !voice.isEmpty { out += "<v \(voice.joined(separator: ", "))>" }
            out += body
            out += "\n\n"
        }
        changeNotes(before: .max)
        return out
    }

    /// Cue text escaping: `&`, `<`, `>` as entities.
    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return s }
        return s.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;")
            .replacingAll(">", with: "&gt;")
    }

    /// A NOTE may not contain `-->` nor blank lines.
    /// One line (CR, CRLF and other line breaks too: "\r\n" is one Character, and a CR kept
    /// in a model name made players refuse the file), without "-->".
    static func noteSafe(_ s: String) -> String {
        CaptionText.oneLine(s).replacingAll("-->", with: "->")
    }
}
