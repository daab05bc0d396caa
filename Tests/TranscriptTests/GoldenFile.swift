import Foundation
import Testing

/// Compares output with a stored golden file under Tests/TranscriptTests/Golden; with
/// `CAPTTY_UPDATE_GOLDEN=1` it rewrites the file instead.
enum GoldenFile {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["CAPTTY_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(name); run with CAPTTY_UPDATE_GOLDEN=1 to create it", sourceLocation: sourceLocation)
            return
        }
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0 ..< min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
            Issue.record("""
                \(name) differs from golden at line \(i + 1):
                  expected: \(i < e.count ? String(e[i]) : "<end>")
                  actual:   \(i < a.count ? String(a[i]) : "<end>")
                (CAPTTY_UPDATE_GOLDEN=1 rewrites goldens)
                """, sourceLocation: sourceLocation)
        }
    }
}
