import Testing
@testable import CapttyCore

/// Plain mode's notes on captions falling behind the audio.
struct LagNoticesTests {
    @Test func saidWhenBehindAgainAsItDoublesAndWhenCaughtUp() {
        var n = LagNotices()
        #expect(n.look(lagMilliseconds: 300, live: true) == nil)
        #expect(n.look(lagMilliseconds: 4_999, live: true) == nil)
        #expect(n.look(lagMilliseconds: 5_200, live: true)?.hasPrefix("captions are 5 s behind the audio") == true)
        #expect(n.look(lagMilliseconds: 9_000, live: true) == nil)
        #expect(n.look(lagMilliseconds: 10_400, live: true)?.hasPrefix("captions are 10 s behind") == true)
        #expect(n.look(lagMilliseconds: 3_000, live: true) == nil)
        #expect(n.look(lagMilliseconds: 1_400, live: true) == "captions caught up with the audio (lag 1.4 s)")
        #expect(n.look(lagMilliseconds: 1_000, live: true) == nil)
        #expect(n.look(lagMilliseconds: 6_000, live: true)?.hasPrefix("captions are 6 s behind") == true)
    }

    /// Not while reconnecting, paused or after the audio ended (each is said otherwise), nor
    /// without a lag to read.
    @Test func notSaidWhenNotLive() {
        var n = LagNotices()
        #expect(n.look(lagMilliseconds: 20_000, live: false) == nil)
        #expect(n.look(lagMilliseconds: nil, live: true) == nil)
        #expect(n.said == nil)
    }
}
