import Foundation
import SystemSupport
import Testing

/// captty's modules use FoundationEssentials only (full Foundation loads ICU: ~6 MB of resident
/// memory). The helpers that replace Foundation's string, path, process and lock APIs must
/// mean the same: each is checked against Foundation itself, which tests may still import.
@Suite("SystemSupport means what Foundation meant")
struct FoundationParityTests {
    static let samples = [
        "", " ", "  a b  ", "\t\ttab\t", "\n\r\nline\r\n", " \u{00A0}nbsp\u{2003}", "\u{2028}sep\u{2029}", "\u{85}nel\u{85}",
        "é ", " 👩‍👩‍👧 ", "\u{200B}zero-width\u{200B}", "mixed \t\n", "x", "\u{3000}ideographic\u{3000}", "\u{FEFF}bom ",
    ]

    @Test func trimmingMatchesFoundation() {
        for s in Self.samples {
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
            #expect(s.trimmingSpaces() == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
        }
    }

    @Test func punctuationMatchesFoundationForEveryScalarOfTheBasicPlane() {
        var differ: [UInt32] = []
        for v in UInt32(0)...0xFFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            // Scalars new in Unicode 16 are known to Swift's tables but not yet to Foundation's ICU.
            if let age = u.properties.age, age.major >= 16 { continue }
            if u.isPunctuation != CharacterSet.punctuationCharacters.contains(u) { differ.append(v) }
        }
        #expect(differ.isEmpty, "differ at \(differ.prefix(10).map { String($0, radix: 16) })")
    }

    @Test func replacingAllMatchesFoundation() {
        let cases: [(String, String, String)] = [("aaa", "a", "b"), ("aaaa", "aa", "a"), ("x", "", "y"), ("a\r\nb", "\r\n", "\n"),
                                                 ("é café", "é", "e"), ("", "a", "b"), ("abcabc", "abc", "")]
        for (s, t, r) in cases {
            #expect(s.replacingAll(t, with: r) == s.replacingOccurrences(of: t, with: r), "\(s) \(t) \(r)")
        }
    }

    @Test func percentDecodingMatchesFoundation() {
        for s in ["a%20b", "%41%42", "plain", "%zz", "%4", "%", "%C3%A9", "%FF", "100%25", "[%3A%3A1]"] {
            #expect(s.percentDecoded == s.removingPercentEncoding, "\(s)")
        }
    }

    @Test func pathHelpersMatchNSString() {
        // Paths without a slash are checked on their own: Foundation's deletingLastPathComponent
        // traps on them inside this test process (swift-corelibs-foundation, Swift 6.3.1).
        #expect("".pathDeletingLastComponent == "" && "".pathLastComponent == "" && "".appendingPath("x") == "x")
        #expect("a".pathDeletingLastComponent == "" && "a".pathLastComponent == "a" && "a".appendingPath("x") == "a/x")
        let paths = ["/a/b/c.txt", "/a/b/", "a/b", "/", "/a", "a//b", "/a/b//", "rel/dir/"]
        for p in paths {
            #expect(p.pathLastComponent == (p as NSString).lastPathComponent, "\(p.debugDescription)")
            #expect(p.pathDeletingLastComponent == (p as NSString).deletingLastPathComponent, "\(p.debugDescription)")
            for c in ["x", "x/y"] {
                let ours = p.appendingPath(c), theirs = (p as NSString).appendingPathComponent(c)
                #expect(URL(fileURLWithPath: ours).standardized.path == URL(fileURLWithPath: theirs).standardized.path, "\(p) + \(c)")
            }
        }
    }

    @Test func tildeExpansionMatchesNSString() {
        for p in ["~", "~/", "~/x/y", "~root/x", "~no-such-user-here/x", "/abs/~", "rel"] {
            #expect(p.expandingTilde == (p as NSString).expandingTildeInPath, "\(p)")
        }
    }

    @Test func xdgFallbackIsUnderHome() {
        #expect(xdgDirectory("CAPTTY_UNSET_XDG", fallback: ".config", environment: ProcessInfo.processInfo.environment)
                == NSHomeDirectory() + "/.config")
    }

    @Test func executablePathIsThisProgram() throws {
        let ours = try #require(executablePath())
        #expect(ours == Bundle.main.executableURL?.resolvingSymlinksInPath().path)
    }
}
