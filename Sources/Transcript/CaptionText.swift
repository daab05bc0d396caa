/// Caption text kept on one line: Deepgram's dictation turns "new paragraph" into a `"\n\n"`
/// word and "new line" into `"\n"`, which would end a cue (a blank line ends an SRT or WebVTT
/// cue) or a paragraph of a plain text or Markdown export in the middle of its text.
enum CaptionText {
    /// `s` with every run of white space that holds a line break (CR, LF, U+2028…) replaced by
    /// one space, or removed at either end; `s` itself when it has no line break.
    static func oneLine(_ s: String) -> String {
        guard s.contains(where: \.isNewline) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count)
        var run = ""
        var runBreaks = false
        for ch in s {
            if ch.isWhitespace {
                run.append(ch)
                runBreaks = runBreaks || ch.isNewline
                continue
            }
            if !run.isEmpty { out += runBreaks ? (out.isEmpty ? "" : " ") : run }
            run = ""
            runBreaks = false
            out.append(ch)
        }
        if !runBreaks { out += run }
        return out
    }
}
