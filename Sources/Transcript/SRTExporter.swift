/// SubRip (`.srt`): numbered cues cut by `CueBuilder`; a speaker label opens the first cue of
/// a line whose speaker differs from the previous line's, and with more than one channel a
/// channel tag (`[ch 2]`) opens every cue.
public enum SRTExporter {
    public static func render(_ lines: some Sequence<CaptionLine>, options: ExportOptions = ExportOptions()) -> String {
        let lines = Array(lines)
        let multichannel = ChannelLabel.isMultichannel(lines)
        var lastSpeaker: [Int: Int] = [:]
        let cues = CueBuilder.cues(from: lines, rules: options.cueRules,
                                   cueLabel: { multichannel ? ChannelLabel.tag($0.channel) : nil }) { line in
            guard options.speakers, let s = line.speaker else { return nil }
            defer { lastSpeaker[line.channel] = s }
            return lastSpeaker[line.channel] == s ? nil : SpeakerLabel.name(s) + ":"
        }
        var out = ""
        for (i, c) in cues.enumerated() {
            out += "\(i + 1)\n"
            out += "\(Timecode.format(c.startMs, separator: ",")) --> \(Timecode.format(c.endMs, separator: ","))\n"
            out += c.lines.joined(separator: "\n")
            out += "\n\n"
        }
        return out
    }
}
