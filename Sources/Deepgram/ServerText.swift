import SystemSupport

/// Text a server chose — a `dg-error` header, an error body, a close reason, an `Error` message,
/// an excerpt of a malformed frame, a request id, the words of a transcript — made safe to show in
/// a terminal. The one sanitizer of the project: error lines use it as is, transcript output
/// (`TerminalSafeOutput`) keeps its line breaks.
///
/// Control characters become U+FFFD, so a hostile server at `--url` cannot retitle the window
/// (OSC 0), write the clipboard (OSC 52), clear the screen (CSI 2 J) or overwrite a line through
/// an error message or a word.
public enum ServerText {
    /// What happens to tab, line feed and carriage return.
    public enum LineBreaks: Sendable {
        /// Each becomes a space: the text stays on one line (error messages).
        case spaces
        /// Tab and line feed are kept, carriage return is dropped (it could overwrite a line).
        case kept
    }

    public static func printable(_ text: String, lineBreaks: LineBreaks = .spaces) -> String {
        guard text.unicodeScalars.contains(where: { needsReplacing($0, lineBreaks) }) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch (s.value, lineBreaks) {
            case (0x09, .spaces), (0x0A, .spaces), (0x0D, .spaces): out.append(" ")
            case (0x09, .kept), (0x0A, .kept): out.append(s)
            case (0x0D, .kept): continue
            case _ where isControl(s): out.append("\u{FFFD}")
            default: out.append(s)
            }
        }
        return String(out)
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool { s.isControlOrBidiControl }

    private static func needsReplacing(_ s: Unicode.Scalar, _ lineBreaks: LineBreaks) -> Bool {
        lineBreaks == .kept ? isControl(s) && s != "\n" && s != "\t" : isControl(s)
    }
}

extension LiveError {
    /// The error with every text field made printable (`ServerText`).
    func printable() -> LiveError {
        var e = self
        e.message = ServerText.printable(message)
        e.dgError = dgError.map { ServerText.printable($0) }
        e.requestID = requestID.map { ServerText.printable($0) }
        return e
    }
}
