import SystemSupport

/// Caption text kept on one line: Deepgram's dictation turns "new paragraph" into a `"\n\n"`
/// word and "new line" into `"\n"`, which would end a cue (a blank line ends an SRT or WebVTT
/// cue) or a paragraph of a plain text or Markdown export in the middle of its text.
enum CaptionText {
    /// `s` with every run of white space that holds a line break (CR, LF, U+2028…) replaced by
    /// one space, or removed at either end, a tab by a space and any other control character
    /// (C0, DEL, C1: an escape sequence a server put in a word; a bidi override) by U+FFFD, as
    /// on the terminal;
    /// `s` itself when it has none of them.
    static func oneLine(_ s: String) -> String {
        let controls = s.unicodeScalars.contains { isControl($0) && !Character($0).isNewline }
        let text = controls ? withoutControls(s) : s
        guard text.contains(where: \.isNewline) else { return text }
        return joinedLines(text)
    }

    /// C0 controls, DEL, C1 controls and the bidi controls (`isControlOrBidiControl`): a
    /// server's U+202E reversed how the rest of a caption read, in every player of the exports.
    static func isControl(_ u: Unicode.Scalar) -> Bool { u.isControlOrBidiControl }

    private static func withoutControls(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u == "\t" { out.append(" ") }
            else if isControl(u) && !Character(u).isNewline { out.append("\u{FFFD}") }
            else { out.append(u) }
        }
        return String(out)
    }

    private static func joinedLines(_ s: String) -> String {
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
