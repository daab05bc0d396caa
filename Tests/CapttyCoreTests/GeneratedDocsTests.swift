import CaptionUI
import Foundation
import Testing
import TestSupport
@testable import CapttyCore

/// The README's key table and the man page's KEYS section match the key-action table
/// (regenerate both with scripts/gen-docs).
@Suite struct GeneratedDocsTests {
    @Test func readmeKeyTableIsUpToDate() throws {
        let readme = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let begin = readme.range(of: "<!-- keys:begin"), let end = readme.range(of: "<!-- keys:end -->") else {
            Issue.record("README.md lacks the keys markers")
            return
        }
        let afterBegin = readme[begin.upperBound...]
        let tableStart = afterBegin.range(of: "-->\n")!.upperBound
        let table = String(readme[tableStart..<end.lowerBound])
        #expect(table == KeyTableDocs.markdown(), "README key table is stale: run scripts/gen-docs")
    }

    @Test func manPageHasTheOptionsAndTheKeyTable() throws {
        let page = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Assets/captty.1"), encoding: .utf8)
        #expect(page.contains(KeyTableManual.mdoc()), "Assets/captty.1 KEYS section is stale: run scripts/gen-docs")
        #expect(page.components(separatedBy: ".Sh KEYS").count == 2)
        // Generated from the same ArgumentParser definitions as --help.
        for flag in ["plain", "journal", "no-journal", "language", "system-audio"] {
            #expect(page.contains(flag), "man page lacks --\(flag)")
        }
    }
}
