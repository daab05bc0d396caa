import Transcript
import SystemSupport

/// Text for plain mode (`--plain`, or output that is not a terminal): one final line per
/// caption on stdout, short status lines on stderr. Pure functions.
public enum PlainFormatter {
    /// A committed line for stdout, e.g. "[00:01:02] Speaker 1: hello there".
    /// Control characters are replaced so the output cannot drive the terminal.
    public static func finalLine(_ line: CaptionLineView, timestamps: Bool = false, speakerLabels: Bool = false) -> String {
        var parts: [String] = []
        if timestamps { parts.append("[\(TimeFormat.clock(line.start))]") }
        if let c = line.channel { parts.append(ChannelLabel.tag(c)) }
        if speakerLabels, let s = line.speaker { parts.append(SpeakerLabel.name(s) + ":") }
        let words = LineLayout.splitWords(line.plainText).joined(separator: " ")
        parts.append(words)
        return parts.joined(separator: " ")
    }

    /// A status line for stderr when the connection state changes, e.g.
    /// "captty: reconnecting in 3 s (attempt 2): cannot connect to Deepgram at …: Connection refused".
    /// `withReason: false` leaves a reconnect's reason out (it was just printed as a warning).
    public static func statusLine(_ state: ConnectionState, withReason: Bool = true) -> String {
        let text: String
        switch state {
        case .connecting: text = "connecting…"
        case .live: text = "live"
        case .reconnecting(let s, let attempt, let reason):
            text = "reconnecting in \(s) s (attempt \(attempt))" + (withReason ? reasonSuffix(reason) : "")
        case .paused: text = "paused"
        case .error(let message): text = "error: \(DisplayWidth.sanitizedForTerminal(message))"
        case .finished: text = "finished"
        }
        return "captty: \(text)"
    }

    /// The reconnect attempt after which plain mode says how to stop.
    public static let stopHintAttempt = 3
    /// Said once per outage, at attempt `stopHintAttempt`.
    public static let stopHint = "captty: still trying to reconnect — Ctrl-C stops (the captions so far are kept)"

    /// ": <reason>", made safe for a terminal; "" for no reason.
    static func reasonSuffix(_ reason: String) -> String {
        let r = DisplayWidth.sanitizedForTerminal(reason.trimmingWhitespace())
        return r.isEmpty ? "" : ": \(r)"
    }

    /// A status line about saving, e.g. "captty: saving to /path/x.jsonl" or
    /// "captty: SAVE FAILED: disk full".
    public static func saveLine(_ state: SaveState) -> String {
        switch state {
        case .notSaving: return "captty: not saving the transcript"
        case .journaling(let path): return "captty: saving to \(DisplayWidth.sanitizedForTerminal(path))"
        case .exported(let path): return "captty: saved \(DisplayWidth.sanitizedForTerminal(path))"
        case .failing(let message): return "captty: SAVE FAILED: \(DisplayWidth.sanitizedForTerminal(message))"
        }
    }

    /// A one-line summary of the whole status (engine, model, language, state, lag, elapsed).
    public static func summaryLine(_ status: StatusInfo) -> String {
        var parts = [[status.engine, status.model].filter { !$0.isEmpty }.joined(separator: " ")]
        if !status.language.isEmpty { parts.append(status.language) }
        parts.append(statusLine(status.connection).replacingAll("captty: ", with: ""))
        if let lag = status.lagMilliseconds { parts.append(StatusBarView.lagLabel(lag)) }
        parts.append(TimeFormat.clock(status.elapsedSeconds))
        return "captty: " + parts.filter { !$0.isEmpty }.joined(separator: " · ")
    }
}
