import Foundation
import Testing
import TestSupport

/// The README's Deepgram client walk-through is the code the test suite compiles and runs.
@Suite struct ReadmeSyncTests {
    static func normalized(_ s: Substring) -> String {
        s.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    @Test func everySwiftBlockOfTheClientSectionIsCompiledByTheTests() throws {
        let readme = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let tests = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Tests/DeepgramTests/ReadmeExampleTests.swift"), encoding: .utf8)
        let start = try #require(readme.range(of: "## Use captty's Deepgram client from Swift"))
        let rest = readme[start.upperBound...]
        let section = rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)]
        let blocks = section.components(separatedBy: "```swift").dropFirst().map { $0.components(separatedBy: "```")[0] }
        #expect(blocks.count >= 3)
        // Every top-level function the README shows must be compiled, verbatim, by the tests.
        var functions: [String] = []
        for b in blocks {
            var current: [Substring]? = nil
            for line in b.split(separator: "\n", omittingEmptySubsequences: false) {
                if current == nil, line.hasPrefix("func ") || line.hasPrefix("///") { current = [] }
                current?.append(line)
                if line == "}", let c = current { functions.append(c.joined(separator: "\n")); current = nil }
            }
        }
        #expect(functions.count >= 2, "the README shows an async and a callback example")
        let compiled = Self.normalized(Substring(tests))
        for f in functions {
            #expect(compiled.contains(Self.normalized(Substring(f))), "README function not compiled by ReadmeExampleTests.swift:\n\(f)")
        }
    }
}
