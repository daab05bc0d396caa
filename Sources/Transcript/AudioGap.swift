/// A stretch of the session's audio that has no captions because the audio itself was lost: a
/// connection down for longer than the replay buffer holds, or a capture device gone. Kept in
/// the store and the journal, and marked in every export, so a transcript read later does not
/// silently jump over it.
public struct AudioGap: Sendable, Equatable {
    /// Session time where the lost audio starts, in seconds.
    public var start: Double
    /// Seconds of audio lost.
    public var duration: Double
    /// Why, in a few words ("the engine was disconnected", "no audio was captured").
    public var reason: String

    /// Times are kept to the millisecond (a journal read "start":12.899999999999999).
    public init(start: Double, duration: Double, reason: String) {
        self.start = Self.millis(start); self.duration = Self.millis(duration); self.reason = reason
    }

    static func millis(_ t: Double) -> Double { t.isFinite ? (t * 1000).rounded() / 1000 : t }

    public var end: Double { start + duration }

    /// The reason of audio never captured while the capture device was gone.
    public static let deviceLost = "the audio device was lost"
    /// The reason of audio not captured while the capture device was suspended (by PulseAudio,
    /// `pactl suspend-source`, or the machine going to sleep).
    public static let suspended = "the audio device was suspended"
    /// The reason of audio dropped after an outage longer than the replay buffer.
    public static let engineLost = "the engine was disconnected"
    /// The reason of audio the user chose not to caption (pause).
    public static let paused = "captioning was paused"

    /// The reason of audio an engine run did not finish when new settings replaced it.
    public static let notFinished = "the engine did not finish it when the settings changed"
    /// The reason of audio not captured while the input moved to the device the user chose.
    public static let switched = "the input was switched to another device"

    /// The reason of audio the engine was given but never captioned: it stopped (a fatal error,
    /// a server that would not finish the stream) with no result for it.
    public static let notCaptioned = "the engine stopped before captioning it"

    /// `gap`'s stretch less the stretches of `gaps` (a pause or a lost device in it is already
    /// marked, with its own reason): the pieces left, each at least `minimum` s long.
    public static func uncovered(_ gap: AudioGap, by gaps: [AudioGap], minimum: Double = 0.5) -> [AudioGap] {
        var pieces = [(gap.start, gap.end)]
        for g in gaps.sorted(by: { $0.start < $1.start }) {
            pieces = pieces.flatMap { (a, b) -> [(Double, Double)] in
                guard g.start < b, g.end > a else { return [(a, b)] }
                return [(a, g.start), (g.end, b)].filter { $0.1 > $0.0 }
            }
        }
        return pieces.filter { $0.1 - $0.0 >= minimum }.map { AudioGap(start: $0.0, duration: $0.1 - $0.0, reason: gap.reason) }
    }

    /// The reason of audio not captured while capture moved to the new default output's monitor.
    public static let outputChanged = "the capture was moving to the new default output"

    /// Whether the audio was lost (not skipped by the user's pause or a device switch).
    public var isLoss: Bool { reason != Self.paused && reason != Self.switched && reason != Self.outputChanged }

    /// The note exports show in the gap's place ("[19.2 s of audio lost: the engine was
    /// disconnected — no captions]", "[12.6 s not captioned: captioning was paused]").
    public var note: String {
        isLoss ? "[\(seconds) s of audio lost: \(reason); no captions]" : "[\(seconds) s not captioned: \(reason)]"
    }

    /// The note without its reason, for a caption cue with no room for it ("[13 s of audio
    /// lost]", "[4.1 s not captioned]").
    public var shortNote: String {
        isLoss ? "[\(seconds) s of audio lost]" : "[\(seconds) s not captioned]"
    }

    /// The duration as notes give it: tenths under 10 s, whole seconds from there.
    var seconds: String { Self.seconds(duration) }

    /// `duration` as notes give it ("3.1", "12"); messages about the same audio use it too, so
    /// that both say the same figure (3.05 s was "3.0 s" on exit and "3.1 s" in the export).
    public static func seconds(_ duration: Double) -> String {
        // Rounded first: 9.96 s is "10", not "10.0".
        let tenths = (duration * 10).rounded()
        return tenths >= 100 ? String(Int(duration.rounded())) : String(tenths / 10)
    }

    /// Both lists of gaps as one (in time order, continuing gaps joined).
    public static func merged(_ a: [AudioGap], _ b: [AudioGap]) -> [AudioGap] {
        b.reduce(a) { adding($1, to: $0) }
    }

    /// `gaps` with `new` added: one that starts where another ends (an outage reported in
    /// pieces) extends it; the list stays in time order.
    public static func adding(_ new: AudioGap, to gaps: [AudioGap]) -> [AudioGap] {
        guard new.duration > 0, new.start.isFinite, new.duration.isFinite else { return gaps }
        var out = gaps
        // Pauses are recorded whole, each once: two are never one (three quick pauses with
        // words between them were one note that said the words were skipped; found in QA).
        let slack = new.reason == paused ? 0.001 : 0.5
        if let i = out.firstIndex(where: { $0.reason == new.reason && new.start <= $0.end + slack && new.end >= $0.start - slack }) {
            let start = min(out[i].start, new.start)
            out[i].duration = millis(max(out[i].end, new.end) - start)
            out[i].start = start
        } else {
            out.append(new)
            out.sort { $0.start < $1.start }
        }
        return out
    }
}
