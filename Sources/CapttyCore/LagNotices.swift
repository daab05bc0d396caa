import CaptionUI

/// Plain mode's word for captions falling behind the audio (a link slower than the audio, a
/// busy server): the full screen shows the lag, plain mode said nothing while captions came
/// half a minute late (found in QA on a 128 kbit/s link). Said once when the lag passes
/// `behindMilliseconds`, again each time it doubles, and once when it is back under
/// `caughtUpMilliseconds`.
struct LagNotices: Sendable {
    static let behindMilliseconds = StatusBarView.lateLagMilliseconds
    static let caughtUpMilliseconds = 2_000
    /// The lag last said (nil: not behind).
    private(set) var said: Int?

    /// What to say for a look at the lag now (nil: nothing). `live`: connected and sending
    /// (a reconnect, a pause or the end of the audio is said otherwise).
    mutating func look(lagMilliseconds: Int?, live: Bool) -> String? {
        guard live, let lag = lagMilliseconds else { return nil }
        if let last = said {
            if lag < Self.caughtUpMilliseconds {
                said = nil
                return "captions caught up with the audio (\(StatusBarView.lagLabel(lag)))"
            }
            guard lag >= last * 2 else { return nil }
        } else if lag < Self.behindMilliseconds {
            return nil
        }
        said = lag
        return "captions are \(Self.seconds(lag)) behind the audio: the connection or the engine is not keeping up"
    }

    static func seconds(_ ms: Int) -> String { "\((ms + 500) / 1000) s" }
}
