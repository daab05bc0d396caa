import CaptionUI
import Deepgram
import FoundationEssentials
import SystemSupport
import Glibc

/// Writes transcript text (an export, `transcribe` output) to standard output. On a terminal,
/// control characters a server put into the words — ESC sequences that retitle the window, write
/// the clipboard (OSC 52) or redraw the screen, carriage returns that overwrite lines — are
/// replaced with U+FFFD (tabs and newlines kept, CR dropped). Piped output stays byte-exact (text
/// exports have no control characters by then: `CaptionText`).
public enum TerminalSafeOutput {
    /// Nil when written, else the error ("No space left on device").
    @discardableResult
    static func write(_ data: Data, isTerminal: Bool = isatty(STDOUT_FILENO) == 1) -> String? {
        Files.writeAll(1, isTerminal ? sanitized(data) : data).map { StandardStreams.outputError($0, remedy: "give a file with -o, or redirect it: > FILE") }
    }

    static func sanitized(_ data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        let safe = ServerText.printable(text, lineBreaks: .kept)
        // Unchanged text keeps its exact bytes (invalid UTF-8 included: a file is not ours to fix).
        return safe == text ? data : Data(safe.utf8)
    }

    /// A message for standard error, sanitized the same way whatever stderr is: error messages
    /// quote servers (`dg-error`, close reasons) and files, and are read on terminals.
    public static func errorText(_ text: String) -> String {
        let safe = ServerText.printable(text, lineBreaks: .kept)
        // A terminal whose locale is not UTF-8 (`LANG=C`) shows "…" and "—" as mojibake: ASCII
        // look-alikes ("..." for "…": no columns to keep here). Pipes and files keep the text.
        return stderrIsNonUTF8Terminal ? AsciiFallback.ascii(safe, keepingColumns: false) : safe
    }

    static let stderrIsNonUTF8Terminal: Bool = isatty(STDERR_FILENO) == 1 && !localeIsUTF8(ProcessInfo.processInfo.environment)

    /// Whether the locale the environment names (LC_ALL, else LC_CTYPE, else LANG; C when none)
    /// encodes characters as UTF-8.
    static func localeIsUTF8(_ environment: [String: String]) -> Bool {
        let name = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? "C"
        let lower = name.lowercased()
        return lower.contains("utf-8") || lower.contains("utf8")
    }
}
