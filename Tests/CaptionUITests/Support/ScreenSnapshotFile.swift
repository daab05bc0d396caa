import Foundation
import Testing
@testable import CaptionUI

/// Compares a rendered screen with a stored text snapshot under `Snapshots/<name>.txt`.
/// Run with `CAPTTY_UPDATE_SNAPSHOTS=1` to (re)write the files, then read them by eye.
///
/// The file shows the screen inside a frame (each row exactly `width` columns, so trailing
/// space is visible), then every non-plain style run, so styles are compared too.
enum ScreenSnapshotFile {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// The text stored for a surface.
    static func render(_ surface: Surface) -> String {
        var out = "size \(surface.width)x\(surface.height)\n"
        out += "┌" + String(repeating: "─", count: surface.width) + "┐\n"
        for r in 0..<surface.height {
            var line = ""
            for c in 0..<surface.width where !surface[r, c].isContinuation {
                line.append(surface[r, c].character)
            }
            out += "│" + line + "│\n"
        }
        out += "└" + String(repeating: "─", count: surface.width) + "┘\n"
        out += "styles:\n"
        for r in 0..<surface.height {
            for run in surface.runs(row: r) where run.style != .plain {
                let text = run.text.count > 24 ? String(run.text.prefix(23)) + "…" : run.text
                out += "  \(r):\(run.col) \(run.style) \"\(text)\"\n"
            }
        }
        return out
    }

    /// Asserts that the surface matches the stored snapshot (or writes it when updating).
    static func assertMatches(_ surface: Surface, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let actual = render(surface)
        let url = directory.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["CAPTTY_UPDATE_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(url.path); run with CAPTTY_UPDATE_SNAPSHOTS=1 and inspect it", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            Issue.record("screen differs from snapshot \(name).txt\n--- expected\n\(expected)\n--- actual\n\(actual)", sourceLocation: sourceLocation)
        }
    }
}
