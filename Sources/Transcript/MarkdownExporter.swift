/// Markdown: a title, a line about the session, then one paragraph per utterance (caption
/// line) in order of start time, each opened by its time stamp, channel (when there is more
/// than one) and speaker in bold.
public enum MarkdownExporter {
    public static func render(_ lines: some Sequence<CaptionLine>, header: JournalHeader? = nil,
                              options: ExportOptions = ExportOptions()) -> String {
        var out = "# Transcript\n\n"
        if let h = header {
            var about = "Recorded \(h.startISO8601) with \(h.engine)"
            if let m = h.model { about += " (\(m))" }
            about += ", captty \(h.capttyVersion)."
            out += "_" + escape(about) + "_\n\n"
        }
        let lines = ExportOrder.lines(lines)
        let multichannel = ChannelLabel.isMultichannel(lines)
        var notes = TimedNote.all(options)[...]
        func gapNotes(before t: Double) {
            while let g = notes.first, g.start <= t {
                notes.removeFirst()
                let stamp = options.timestamps ? "**[\(Timecode.clock(g.start))]** " : ""
                out += stamp + "_" + escape(g.text) + "_\n\n"
            }
        }
        for line in lines where !line.words.isEmpty {
            // A dictated paragraph break would end the paragraph and start an unescaped one.
            let text = CaptionText.oneLine(line.text)
            if text.isEmpty { continue }
            gapNotes(before: line.start)
            var lead: [String] = []
            if options.timestamps { lead.append("[\(Timecode.clock(line.start))]") }
            if multichannel { lead.append(ChannelLabel.tag(line.channel)) }
            if options.speakers, let s = line.speaker { lead.append(SpeakerLabel.name(s) + ":") }
            if !lead.isEmpty { out += "**" + lead.joined(separator: " ") + "** " }
            out += lead.isEmpty ? escapeLeading(escape(text)) : escape(text)
            if UnconfirmedSpan.marks(line, in: options.unconfirmed) { out += " _" + escape(UnconfirmedSpan.note) + "_" }
            out += "\n\n"
        }
        gapNotes(before: .infinity)
        return out
    }

    /// Backslash-escapes Markdown's inline syntax characters (and `&`, so that `&amp;` stays literal).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            if "\\`*_[]<>#|~&".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// Keeps a paragraph from starting a list, heading or quote (`1. `, `- `, `+ `, `> `).
    static func escapeLeading(_ s: String) -> String {
        if let f = s.first, "-+".contains(f) { return "\\" + s }
        let digits = s.prefix { $0.isNumber }
        if !digits.isEmpty, s.dropFirst(digits.count).first.map({ $0 == "." || $0 == ")" }) == true {
            return digits + "\\" + s.dropFirst(digits.count)
        }
        return s
    }
}
