/// Text a server chose — a `dg-error` header, an error body, a close reason, an `Error` message,
/// an excerpt of a malformed frame, a request id — made safe to show in a terminal.
///
/// Control characters become U+FFFD (tab, line feed and carriage return become a space), so a
/// hostile server at `--url` cannot retitle the window (OSC 0), write the clipboard (OSC 52),
/// clear the screen (CSI 2 J) or overwrite a line through an error message.
enum ServerText {
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s.value {
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case _ where isControl(s): out.append("\u{FFFD}")
            default: out.append(s)
            }
        }
        return String(out)
    }

    /// C0 controls, DEL and C1 controls.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F..<0xA0).contains(s.value)
    }
}

extension LiveError {
    /// The error with every text field made printable (`ServerText`).
    func printable() -> LiveError {
        var e = self
        e.message = ServerText.printable(message)
        e.dgError = dgError.map(ServerText.printable)
        e.requestID = requestID.map(ServerText.printable)
        return e
    }
}
