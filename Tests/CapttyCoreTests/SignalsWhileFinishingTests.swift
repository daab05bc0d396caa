import CapttyCore
import Testing

/// Signals during a finish: the first second's are part of the first signal; later ones stop the wait.
@Suite struct SignalsWhileFinishingTests {
    let t0 = ContinuousClock.now

    @Test func aDoubledSignalInTheFirstSecondDoesNotStopTheWait() {
        var w = SignalsWhileFinishing(began: t0)
        #expect(w.observe(count: 1, now: t0 + .milliseconds(100)) == nil)
        #expect(w.observe(count: 2, now: t0 + .milliseconds(900)) == nil)
        // The grace second ends; the count then (2) is the baseline.
        #expect(w.observe(count: 2, now: t0 + .milliseconds(1100)) == .graceOver)
        #expect(w.observe(count: 2, now: t0 + .seconds(5)) == nil)
    }

    @Test func aSignalAfterTheGraceSecondStopsTheWaitOnce() {
        var w = SignalsWhileFinishing(began: t0)
        #expect(w.observe(count: 1, now: t0 + .milliseconds(1200)) == .graceOver)
        #expect(w.observe(count: 1, now: t0 + .milliseconds(1300)) == nil)
        #expect(w.observe(count: 2, now: t0 + .milliseconds(1400)) == .stopWaiting)
        #expect(w.observe(count: 3, now: t0 + .milliseconds(1500)) == nil, "reported twice")
    }

    @Test func theGraceIsOverOnlyOnce() {
        var w = SignalsWhileFinishing(began: t0)
        #expect(w.observe(count: 0, now: t0 + .seconds(2)) == .graceOver)
        #expect(w.observe(count: 0, now: t0 + .seconds(3)) == nil)
    }
}
