import FoundationEssentials
import SystemSupport
import Glibc

/// Why `captty export` failed.
public enum ExportError: Error, Sendable, Equatable, CustomStringConvertible {
    case journal(JournalError)
    /// The header (first line) cannot be read, but caption lines after it can (`--skip-corrupt`
    /// exports them with a stand-in header).
    case damagedHeader(path: String, reason: String, readableFinals: Int)
    /// Lines in the middle of the journal are corrupt; nothing was written.
    case corruptLines(path: String, issues: [JournalIssue])
    case cannotWrite(path: String, message: String)
    /// `-o` names the journal being exported: writing would replace the transcript with its export.
    case outputIsTheJournal(path: String)

    public var description: String {
        switch self {
        case .journal(let e): return e.description
        case .damagedHeader(let p, let r, let n):
            return "\(p) starts with a damaged journal header (\(r)), but \(n) caption record(s) after it can be read. "
                + "Re-run with --skip-corrupt to export them (the session's start time and engine are then unknown)."
        case .corruptLines(let p, let issues):
            let shown = issues.prefix(10).map { "  \($0)" }.joined(separator: "\n")
            let more = issues.count > 10 ? "\n  … and \(issues.count - 10) more" : ""
            return "\(p) has \(issues.count) corrupt line(s):\n\(shown)\(more)\n"
                + "Re-run with --skip-corrupt to export the readable lines."
        case .cannotWrite(_, let m): return m
        case .outputIsTheJournal(let p):
            return "\(p) is the journal being exported; writing the export there would replace the transcript. "
                + "Choose another output path with -o."
        }
    }
}

/// What an export did, for the CLI to print on stderr.
public struct ExportReport: Sendable, Equatable {
    public var lineCount: Int
    public var wordCount: Int
    /// Where the export went (nil: standard output).
    public var output: URL?
    /// Corrupt lines skipped (with `skipCorruptLines`).
    public var skipped: [JournalIssue]
    /// Whether a torn last line (a crash mid-write) was ignored.
    public var tornLastLine: Bool
    /// Lines left out that lost nothing (repeats).
    public var leftOut: [JournalIssue] = []

    /// Notes worth showing the user (empty when all went well).
    public var warnings: [String] {
        var w = skipped.map { "skipped corrupt \($0)" } + leftOut.map { "\($0)" }
        if tornLastLine { w.append("ignored an incomplete last line (the session ended abruptly)") }
        return w
    }
}

/// `captty export <journal> --format txt|srt|vtt|json|md [-o file]`: the logic behind the
/// subcommand. The CLI parses arguments and prints errors; this reads, renders and writes.
public enum ExportCommand {
    /// Reads `journal`, renders it as `format` and writes it atomically (mode 0600) to
    /// `output`, or hands it to `standardOutput` when `output` is nil.
    @discardableResult
    public static func run(journal: URL, format: ExportFormat, output: URL?, options: ExportOptions = ExportOptions(),
                           standardOutput: (Data) -> Void = { Files.writeAll(1, $0) }) throws(ExportError) -> ExportReport {
        if let output, Files.sameFile(output.path, journal.path) { throw .outputIsTheJournal(path: output.path) }
        let contents: JournalContents
        do {
            contents = try JournalReader.read(journal, recoveringHeader: options.skipCorruptLines)
        } catch {
            // A journal whose header alone is damaged was "not a captty journal", with no word of
            // --skip-corrupt, which recovers every line after it (found in QA). Only a file that
            // starts like one is read again (not a recording given by mistake).
            if case .notAJournal(let path, let reason) = error, !options.skipCorruptLines,
               JournalReader.firstLineNotAnObject(journal.path) == nil,
               let recovered = try? JournalReader.read(journal, recoveringHeader: true), !recovered.segments.isEmpty {
                throw .damagedHeader(path: path, reason: reason, readableFinals: recovered.segments.count)
            }
            throw .journal(error)
        }
        if !contents.issues.isEmpty && !options.skipCorruptLines {
            throw .corruptLines(path: journal.path, issues: contents.issues)
        }
        var withGaps = options
        withGaps.gaps = AudioGap.merged(options.gaps, contents.gaps)
        withGaps.unconfirmed = options.unconfirmed + contents.unconfirmed
        withGaps.audioEnd = options.audioEnd ?? contents.audioEnd
        withGaps.optionChanges = options.optionChanges + contents.optionChanges
        let text = Exporter.render(contents.lines, format: format, header: contents.header,
                                   metadata: contents.metadata.last, search: contents.search,
                                   entities: contents.entities, options: withGaps)
        let data = Data(text.utf8)
        if let output {
            do { try AtomicFile.write(data, to: output) } catch { throw .cannotWrite(path: output.path, message: error.message) }
        } else {
            standardOutput(data)
        }
        return ExportReport(lineCount: contents.lines.count, wordCount: contents.lines.reduce(0) { $0 + $1.words.count },
                            output: output, skipped: contents.issues, tornLastLine: contents.tornLastLine, leftOut: contents.notes)
    }
}
