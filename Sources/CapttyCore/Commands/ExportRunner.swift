import FoundationEssentials
import Transcript

/// `captty export JOURNAL --format F [-o OUT]`.
public enum ExportRunner {
    /// Exports a journal; warnings (skipped lines, a torn last line) go to `warn`.
    public static func run(journal: String, format: ExportFormat, output: String?, timestamps: Bool = true,
                           skipCorrupt: Bool = false, warn: (String) -> Void) throws {
        let options = ExportOptions(timestamps: timestamps, skipCorruptLines: skipCorrupt)
        do {
            let report = try ExportCommand.run(journal: URL(fileURLWithPath: journal), format: format,
                                               output: output.map { URL(fileURLWithPath: $0) }, options: options,
                                               standardOutput: { TerminalSafeOutput.write($0) })
            for w in report.warnings { warn(w) }
            if let out = report.output {
                warn("wrote \(NumberText.counted(report.lineCount, "line")) (\(NumberText.counted(report.wordCount, "word"))) to \(out.path)")
            }
        } catch {
            throw CapttyError.failed(error.description)
        }
    }
}
