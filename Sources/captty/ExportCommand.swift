import ArgumentParser
import CapttyCore
import FoundationEssentials
import Glibc

/// `captty export JOURNAL`: turn a session journal into a transcript file.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a session journal as txt, srt, vtt, json or md.")

    @Argument(help: ArgumentHelp("A session journal (.jsonl).", valueName: "journal"))
    var journal: String
    @Option(help: "Output format: txt, srt, vtt, json or md (default: from the -o file's extension; txt on standard output, as transcribe).")
    var format: ExportFormatName?
    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output (- is standard output). An existing file is replaced, atomically, by a new one readable by you alone (0600); a symlink's target is replaced.", valueName: "out"))
    var output: String?
    @Flag(help: "Leave out [HH:MM:SS] stamps in txt output.")
    var noTimestamps = false
    @Flag(help: "Export the readable lines of a damaged journal, skipping corrupt ones.")
    var skipCorrupt = false

    func validate() throws {
        // A journal that is not there is said first (by run), not hidden behind the format.
        // Standard output gets txt, as `captty transcribe` does; a file named without a known
        // extension asks (a format guessed there would be written under a misleading name).
        guard let output, output != "-", FileManager.default.fileExists(atPath: journal) else { return }
        // Where it cannot go is said by run, as transcribe says it (a directory was asked for a
        // format).
        if OutputFile.problem(with: output) != nil { return }
        // A device or pipe (/dev/full, a FIFO) has no name to go by: text, as on standard output.
        var st = stat()
        let special = stat(output, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG
        if format == nil, !special, ExportFormat(path: output) == nil {
            throw ValidationError("--format is needed (txt, srt, vtt, json or md) unless -o names a file ending in one of them")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let out = output == "-" ? nil : output
            // (Without --format, validate() has already asked for one when -o names no format.)
            if format != nil, let note = ExportFormat.mismatch(format, output: out) { printError("captty: \(note)") }
            try ExportRunner.run(journal: journal, format: ExportFormat.chosen(format, output: out), output: out, timestamps: !noTimestamps,
                                 skipCorrupt: skipCorrupt, warn: { printError("captty: \($0)") })
        }
    }
}
