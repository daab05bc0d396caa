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

    /// Ctrl-C pressed twice quickly stops the wait at once; a copy arriving with the first
    /// (a process-group kill the supervisor also forwards) does not.
    @Test func aSecondCtrlCStopsTheWaitEvenInTheGraceSecond() {
        var w = SignalsWhileFinishing(began: t0, interrupts: 1)
        #expect(w.observe(count: 2, interrupts: 2, now: t0 + .milliseconds(50)) == nil, "a copy of the first")
        #expect(w.observe(count: 2, interrupts: 2, now: t0 + .milliseconds(300)) == nil)
        #expect(w.observe(count: 3, interrupts: 3, now: t0 + .milliseconds(400)) == .stopWaiting)
        #expect(w.observe(count: 4, interrupts: 4, now: t0 + .seconds(2)) == nil, "reported twice")
        // Hang-ups still get the grace second.
        var h = SignalsWhileFinishing(began: t0)
        #expect(h.observe(count: 2, now: t0 + .milliseconds(400)) == nil)
    }
}
