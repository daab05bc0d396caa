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

    /// The session time of engine time `t` as the end of something (a word, a result): a time
    /// on the boundary of two stretches ends the earlier one. It was taken as the start of the
    /// later one, so a word that ended where a gap began was stretched over the gap (found in
    /// QA: 6.0–8.47 s for a word spoken at 6.0–6.5 s before a 2 s gap).
    public func sessionEndTime(_ t: Double) -> Double {
        guard !stretches.isEmpty, t > stretches[0].engineStart + 1e-9 else { return sessionTime(t) }
        var lo = 0, hi = stretches.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if stretches[mid].engineStart < t - 1e-9 { lo = mid } else { hi = mid - 1 }
        }
        let s = stretches[lo]
        return s.sessionStart + (t - s.engineStart)
    }

    /// An event with every engine time mapped onto the session clock.
    public func map(_ event: LiveEvent) -> LiveEvent {
        switch event {
        case .results(var r):
            let start = sessionTime(r.start)
            let end = sessionEndTime(r.start + r.duration)
            r.channel.alternatives = r.channel.alternatives.map { a in
                var a = a
                a.words = a.words.map { w in
                    var w = w
                    w.start = sessionTime(w.start)
                    w.end = max(w.start, sessionEndTime(w.end))
                    return w
                }
                return a
            }
            r.start = start
            r.duration = max(0, end - start)
            return .results(r)
        case .utteranceEnd(var u):
            u.lastWordEnd = sessionEndTime(u.lastWordEnd)
            return .utteranceEnd(u)
        case .speechStarted(var s):
            s.timestamp = sessionTime(s.timestamp)
            return .speechStarted(s)
        default:
            return event
        }
    }
}
