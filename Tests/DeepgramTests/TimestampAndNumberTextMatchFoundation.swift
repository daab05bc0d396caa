import Deepgram
import Foundation
import Testing

/// The ICU-free formatters (issue #8) must write exactly what Foundation's formatters wrote.
@Suite struct TimestampAndNumberTextMatchFoundation {
    static let instants: [Double] = [
        0, -1.5, -0.0004, 1_700_000_000.9999, 1_700_000_000.1235, 1_719_000_000.0005, 1_709_164_799.9996,
        951_782_400.25, 4_102_444_799.999, 1_234_567_890.5,
    ]

    @Test func localMatchesISO8601DateFormatterInTheCurrentZone() {
        for t in Self.instants {
            let d = Date(timeIntervalSince1970: t)
            let expected = ISO8601DateFormatter.string(from: d, timeZone: .current,
                                                       formatOptions: [.withInternetDateTime, .withFractionalSeconds])
            #expect(ISO8601Timestamp.local(d) == expected, "t=\(t)")
        }
    }

    @Test func utcSecondsMatchesDefaultISO8601DateFormatter() {
        for t in Self.instants {
            let d = Date(timeIntervalSince1970: t)
            #expect(ISO8601Timestamp.utcSeconds(d) == ISO8601DateFormatter().string(from: d), "t=\(t)")
        }
    }

    @Test func utcMillisecondsMatchesFractionalFormatter() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for ms: Int64 in [0, 1, 999, -1, -1000, -1001, 1_700_000_000_123, 4_102_444_799_999] {
            let d = Date(timeIntervalSince1970: Double(ms) / 1000)
            #expect(ISO8601Timestamp.utc(milliseconds: ms) == f.string(from: d), "ms=\(ms)")
        }
    }

    @Test func fixedMatchesStringFormat() {
        for x in [0.0, -0.0, 0.05, 0.15, 0.25, 1.45, 2.5, -3.75, 99.95, 1e21, 123456.789, .infinity, -.infinity, .nan] {
            for decimals in [0, 1, 3] {
                #expect(NumberText.fixed(x, decimals: decimals) == String(format: "%.\(decimals)f", x), "x=\(x) d=\(decimals)")
            }
        }
        #expect(NumberText.fixed(1e300, decimals: 2) == String(format: "%.2f", 1e300))
    }

    @Test func hexMatchesStringFormat() {
        for v: UInt32 in [0, 1, 0xF, 0x10, 0xAB, 0xFF, 0xFFFE, 0x12345] {
            #expect(NumberText.hex(v, width: 2) == String(format: "%02X", v))
            #expect(NumberText.hex(v, width: 4) == String(format: "%04X", v))
        }
        #expect(LiveOptions.percentEncode("a b/ü~") == "a%20b%2F%C3%BC~")
    }
}
