import Foundation

/// Writes transcript text (an export, `transcribe` output) to standard output. On a terminal,
/// control characters a server put into the words — ESC sequences that retitle the window, write
/// the clipboard (OSC 52) or redraw the screen, carriage returns that overwrite lines — are
/// replaced with U+FFFD (tabs and newlines kept, CR dropped). Piped output stays byte-exact.
public enum TerminalSafeOutput {
    static func write(_ data: Data, isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        FileHandle.standardOutput.write(isTerminal ? sanitized(data) : data)
    }

    static func sanitized(_ data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        guard needsSanitizing(text) else { return data }
        return Data(sanitized(text).utf8)
    }

    /// A message for standard error, sanitized the same way whatever stderr is: error messages
    /// quote servers (`dg-error`, close reasons) and files, and are read on terminals.
    public static func errorText(_ text: String) -> String {
        needsSanitizing(text) ? sanitized(text) : text
    }

    private static func needsSanitizing(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F..<0xA0).contains($0.value) })
    }

    private static func sanitized(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            switch s.value {
            case 0x0A, 0x09: out.append(s)
            case 0x0D: continue
            case 0..<0x20, 0x7F..<0xA0: out.append("\u{FFFD}")
            default: out.append(s)
            }
        }
        return String(out)
    }
}
