/// Plain text: one caption line per text line in order of start time, optionally
/// `[HH:MM:SS]` stamps and speaker labels (`[00:01:05] Speaker 2: …`); with more than one
/// channel each line names its channel (`[00:01:05] [ch 2] …`).
public enum PlainTextExporter {
    public static func render(_ lines: some Sequence<CaptionLine>, options: ExportOptions = ExportOptions()) -> String {
        let lines = ExportOrder.lines(lines)
        let multichannel = ChannelLabel.isMultichannel(lines)
        var out = ""
        var notes = TimedNote.all(options)[...]
        func gapNotes(before t: Double) {
            while let g = notes.first, g.start <= t {
                notes.removeFirst()
                out += (options.timestamps ? "[\(Timecode.clock(g.start))] " : "") + g.text + "\n"
            }
        }
        for line in lines where !line.words.isEmpty {
            // A dictated line break stays inside its line (one caption line per text line).
            let text = CaptionText.oneLine(line.text)
            if text.isEmpty { continue }
            gapNotes(before: line.start)
            if options.timestamps { out += "[\(Timecode.clock(line.start))] " }
            if multichannel { out += ChannelLabel.tag(line.channel) + " " }
            if options.speakers, let s = line.speaker { out += SpeakerLabel.name(s) + ": " }
            out += text
            if UnconfirmedSpan.marks(line, in: options.unconfirmed) { out += " " + UnconfirmedSpan.note }
            out += "\n"
        }
        gapNotes(before: .infinity)
        return out
    }
}
