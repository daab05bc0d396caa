import FoundationEssentials
import Glibc
import Transcript

/// `captty export JOURNAL --format F [-o OUT]`.
public enum ExportRunner {
    /// Exports a journal; warnings (skipped lines, a torn last line) go to `warn`.
    public static func run(journal: String, format: ExportFormat, output: String?, timestamps: Bool = true,
                           skipCorrupt: Bool = false, warn: (String) -> Void) throws {
        // An empty name was taken as the current directory ("cannot replace …: Is a directory").
        if output?.isEmpty == true { throw CapttyError.usage("-o needs a file name (or - for standard output)") }
        if let output, output != "-", let problem = OutputFile.problem(with: output) { throw CapttyError.failed(problem) }
        // A reader that goes away is said and exits 1, as for transcribe (SIGPIPE killed it: 141).
        signal(SIGPIPE, SIG_IGN)
        let options = ExportOptions(timestamps: timestamps, skipCorruptLines: skipCorrupt)
        var stdoutError: String?
        do {
            let report = try ExportCommand.run(journal: URL(fileURLWithPath: journal), format: format,
                                               output: output.map { URL(fileURLWithPath: $0) }, options: options,
                                               standardOutput: { stdoutError = TerminalSafeOutput.write($0) })
            if let stdoutError { throw CapttyError.failed("cannot write the export to standard output: \(stdoutError)") }
            for w in report.warnings { warn(w) }
            if let out = report.output {
                warn("wrote \(NumberText.counted(report.lineCount, "line")) (\(NumberText.counted(report.wordCount, "word"))) to \(out.path)")
            }
        } catch let e as CapttyError {
            throw e
        } catch {
            throw CapttyError.failed("\(error)")
        }
    }
}
