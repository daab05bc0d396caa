import Deepgram

/// Maps an engine run's clock (seconds of audio sent on that run) onto the session's clock
/// (seconds since the audio source started, pauses and device gaps included).
///
/// A run's audio is sent in contiguous stretches; a pause or a gap starts a new stretch. The
/// map is piecewise: each stretch records where it starts on both clocks.
public struct SessionTimeline: Sendable, Equatable {
    struct Stretch: Sendable, Equatable {
        var engineStart: Double
        var sessionStart: Double
    }
    private var stretches: [Stretch] = []
    /// Engine seconds sent so far on this run.
    public private(set) var engineSent: Double = 0
    /// Session time just after the last sent audio.
    public private(set) var sessionSent: Double = 0

    public init() {}

    /// Records `duration` seconds of audio starting at `sessionTime` sent to the engine.
    public mutating func sent(sessionTime: Double, duration: Double) {
        if stretches.isEmpty || abs(sessionTime - sessionSent) > 1e-6 {
            stretches.append(Stretch(engineStart: engineSent, sessionStart: sessionTime))
        }
        engineSent += duration
        sessionSent = sessionTime + duration
    }

    /// The session time of engine time `t`.
    public func sessionTime(_ t: Double) -> Double {
        guard !stretches.isEmpty else { return t }
        // Binary search for the last stretch starting at or before t (stretches are sorted).
        var lo = 0, hi = stretches.count - 1
        if t < stretches[0].engineStart { return stretches[0].sessionStart + (t - stretches[0].engineStart) }
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if stretches[mid].engineStart <= t + 1e-9 { lo = mid } else { hi = mid - 1 }
        }
        let s = stretches[lo]
        return s.sessionStart + (t - s.engineStart)
    }

    /// An event with every engine time mapped onto the session clock.
    public func map(_ event: LiveEvent) -> LiveEvent {
        switch event {
        case .results(var r):
            let start = sessionTime(r.start)
            let end = sessionTime(r.start + r.duration)
            r.channel.alternatives = r.channel.alternatives.map { a in
                var a = a
                a.words = a.words.map { w in
                    var w = w
                    w.start = sessionTime(w.start)
                    w.end = max(w.start, sessionTime(w.end))
                    return w
                }
                return a
            }
            r.start = start
            r.duration = max(0, end - start)
            return .results(r)
        case .utteranceEnd(var u):
            u.lastWordEnd = sessionTime(u.lastWordEnd)
            return .utteranceEnd(u)
        case .speechStarted(var s):
            s.timestamp = sessionTime(s.timestamp)
            return .speechStarted(s)
        default:
            return event
        }
    }
}
