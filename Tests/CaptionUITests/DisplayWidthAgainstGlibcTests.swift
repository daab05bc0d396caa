import CCurses
import Foundation
import Testing
@testable import CaptionUI
import SystemSupport

/// Compares `DisplayWidth` with the C library's `wcwidth` (glibc, C.UTF-8 locale) over every
/// assigned scalar: a real, independent implementation of the same rules.
@Suite("Display width agrees with glibc wcwidth")
struct DisplayWidthAgainstGlibcTests {
    @Test func matchesWcwidthForPrintableScalars() throws {
        let locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)
        try #require(locale != nil, "C.UTF-8 locale not available")
        let previous = uselocale(locale)
        defer { uselocale(previous); freelocale(locale) }
        var mismatches: [String] = []
        var compared = 0
        for v in UInt32(0x20)...0x3FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            let cat = s.properties.generalCategory
            if cat == .unassigned || cat == .privateUse || cat == .surrogate || cat == .control { continue }
            let c = Int(captty_wcwidth(wchar_t(bitPattern: v)))
            if c < 0 { continue }                     // glibc: not printable in its (newer) tables
            compared += 1
            if c != DisplayWidth.of(s) {
                mismatches.append("U+\(String(v, radix: 16, uppercase: true)) glibc=\(c) ours=\(DisplayWidth.of(s))")
            }
        }
        if !mismatches.isEmpty { Issue.record("\(mismatches.count) of \(compared) scalars differ: \(mismatches.prefix(50))") }
        #expect(compared > 100_000)
    }
}
