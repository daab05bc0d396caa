import SystemSupport
/// Draws the status bar: connection state, engine and model, language, lag, elapsed time and
/// where the transcript is saved; what does not fit is left out by priority, paths are cut
/// from the left so the file name stays.
public enum StatusBarView {
    struct Segment {
        var text: String
        var style: TextStyle
        /// Lower is more important.
        var priority: Int
        var rightAligned: Bool
        /// A path: may be cut from the left down to 12 columns.
        var truncatable: Bool = false
        /// The connection's detail (a reconnect's reason, an error's message).
        var isDetail: Bool = false
        /// Shorter forms, tried in order when `text` does not fit.
        var shorter: [String] = []
        /// Room a more important segment with shorter forms leaves for this one (whether the
        /// journal is on stays said: at 100 columns the option flags took its place).
        var keptRoom = 0
    }

    public static func draw(_ status: StatusInfo, theme: Theme, into surface: inout Surface, rect: Rect) {
        guard !rect.isEmpty else { return }
        surface.fill(rect, style: theme.statusBar)
        // One column is kept free so the left and right groups never touch.
        let segments = fit(segments(status, theme: theme), width: rect.width - 1)
        var col = rect.col
        for s in segments where !s.rightAligned {
            col = surface.put(s.text, row: rect.row, col: col, style: s.style, limit: rect.right)
        }
        let rightWidth = segments.filter(\.rightAligned).reduce(0) { $0 + DisplayWidth.of($1.text) }
        var rcol = max(col, rect.right - rightWidth)
        for s in segments where s.rightAligned {
            rcol = surface.put(s.text, row: rect.row, col: rcol, style: s.style, limit: rect.right)
        }
    }

    /// The text of the connection state, e.g. "↻ reconnecting in 3 s (attempt 2): connection refused".
    public static func connectionLabel(_ state: ConnectionState) -> String {
        switch state {
        case .connecting: return "◌ connecting…"
        case .live: return "● live"
        case .reconnecting(let s, let attempt, let reason):
            // The wait is over and the attempt under way (it read "in 0 s" for the 10 s a
            // silent server takes to time out).
            return (s > 0 ? "↻ reconnecting in \(s) s (attempt \(attempt))" : "↻ reconnecting… (attempt \(attempt))")
                + PlainFormatter.reasonSuffix(reason)
        case .paused: return "‖ paused"
        case .error(let message):
            let m = DisplayWidth.sanitizedForTerminal(message)
            return m.isEmpty ? "✖ error" : "✖ error: \(m)"
        case .finished: return "■ finished"
        }
    }

    /// Shorter forms of the reconnecting state, for narrow bars.
    static func shorterReconnecting(_ secs: Int, trailing: String) -> [String] {
        (secs > 0 ? [" ↻ reconnecting in \(secs) s", " ↻ retry in \(secs) s", " ↻ in \(secs) s"]
                  : [" ↻ reconnecting…", " ↻ retrying…", " ↻ …"]).map { $0 + trailing }
    }

    /// The state shown while connected but the audio device is gone.
    public static let waitingForAudioLabel = "◌ waiting for audio"
    /// Connected, with captions `lateLagMilliseconds` or more behind the audio (a link slower
    /// than the audio, a busy server): "● live" read as all well while the lag grew to 30 s
    /// (found in QA on a 128 kbit/s link). As wide as "● live": the bar does not shift.
    public static let behindLabel = "● late"

    /// "lag 320 ms", or "lag 1.4 s" from a second on.
    /// A lag this long (captions behind the speech) is shown as a warning.
    public static let lateLagMilliseconds = 5_000

    public static func lagLabel(_ ms: Int) -> String {
        if ms < 1000 { return "lag \(ms) ms" }
        let tenths = (ms + 50) / 100
        return "lag \(tenths / 10).\(tenths % 10) s"
    }

    static func segments(_ status: StatusInfo, theme: Theme) -> [Segment] {
        var out: [Segment] = []
        let waiting = status.waitingForAudio && status.connection == .live
        let behind = !waiting && status.connection == .live && (status.lagMilliseconds ?? 0) >= lateLagMilliseconds
        let connStyle: TextStyle
        switch status.connection {
        case .live: connStyle = waiting || behind ? theme.statusWaiting : theme.statusLive
        case .connecting, .reconnecting: connStyle = theme.statusWaiting
        case .paused: connStyle = theme.statusPaused
        case .error: connStyle = theme.statusError
        case .finished: connStyle = TextStyle(theme.statusBar.attributes.union(.bold),
                                              foreground: theme.statusBar.foreground,
                                              background: theme.statusBar.background)
        }
        if case .reconnecting(let secs, let attempt, let reason) = status.connection, !reason.isEmpty {
            // Why it reconnects, cut to the room left once the state, the clock and a save
            // failure are shown; it goes before the engine and model.
            let label = connectionLabel(.reconnecting(inSeconds: secs, attempt: attempt))
            out.append(Segment(text: " \(label)", style: connStyle, priority: 0, rightAligned: false,
                               shorter: Self.shorterReconnecting(secs, trailing: "")))
            out.append(Segment(text: PlainFormatter.reasonSuffix(reason) + " ", style: connStyle, priority: 2,
                               rightAligned: false, truncatable: true, isDetail: true))
        } else {
            let isError: Bool = { if case .error(let m) = status.connection { return !m.isEmpty }; return false }()
            var shorter: [String] = []
            if case .reconnecting(let secs, _, _) = status.connection { shorter = Self.shorterReconnecting(secs, trailing: " ") }
            let label = waiting ? waitingForAudioLabel : behind ? behindLabel : connectionLabel(status.connection)
            out.append(Segment(text: " \(label) ", style: connStyle, priority: 0,
                               rightAligned: false, truncatable: isError, isDetail: isError, shorter: shorter))
        }
        let engine = [status.engine, status.model].filter { !$0.isEmpty }.joined(separator: " ")
        if !engine.isEmpty { out.append(Segment(text: " \(engine)", style: theme.statusBar, priority: 2, rightAligned: false)) }
        if !status.language.isEmpty {
            out.append(Segment(text: " · \(status.language)", style: theme.statusBar, priority: 3, rightAligned: false))
        }
        if let lag = status.lagMilliseconds {
            // Captions many seconds behind the speech are worth a glance: in the warning style,
            // and kept before the engine's name when the bar is narrow (it looked like 300 ms).
            let late = lag >= Self.lateLagMilliseconds
            // Padded to the widest form ("lag 13.5 s"): a width that changed with each reading
            // made the journal's path on the right come and go every second.
            let label = lagLabel(lag)
            let padded = label + String(repeating: " ", count: max(0, 10 - label.count))
            out.append(Segment(text: " · \(padded)", style: late ? theme.statusWaiting : theme.statusBar,
                               priority: late ? 1 : 4, rightAligned: false))
        }
        if !status.flags.isEmpty {
            let text = status.flags.map { $0.isOn ? $0.label : "-\($0.label)" }.joined(separator: " ")
            let on = status.flags.filter(\.isOn).map(\.label).joined(separator: " ")
            let letters = status.flags.map { f in
                let k = f.key.flatMap { $0.count == 1 ? $0 : nil } ?? String(f.label.prefix(1))
                return f.isOn ? k.uppercased() : k.lowercased()
            }.joined()
            // Before the journal path: a toggled option must show (at 100 and then 80 columns
            // `p`, `f`, `d`, `n`, `x` changed nothing visible), in a shorter form when need be:
            // the options that are on (said as such: "· smart" read as a changed notation that
            // had dropped "-punct", and "no options" as nothing set; found in QA), or each one's
            // key letter (upper case: on).
            out.append(Segment(text: " · \(text)", style: theme.statusBar, priority: 5, rightAligned: false,
                               shorter: [" · \(on.isEmpty ? "all options off" : "on: \(on)")", " · \(letters)"]))
        }
        switch status.save {
        case .notSaving:
            out.append(Segment(text: "not saving ", style: theme.statusBar, priority: 6, rightAligned: true))
        case .journaling(let path):
            out.append(Segment(text: "saving to \(DisplayWidth.sanitizedForTerminal(path)) ", style: theme.statusBar,
                               priority: 6, rightAligned: true, truncatable: true, keptRoom: 12))   // "journal on " and a space
        case .exported(let path):
            // Room kept as for the journal: at 80 and 100 columns the flags' long form took it,
            // and a save was confirmed by nothing but a blank where "journal on" had been.
            out.append(Segment(text: "saved \(DisplayWidth.sanitizedForTerminal(path)) ", style: theme.statusBar,
                               priority: 6, rightAligned: true, truncatable: true, keptRoom: 12))
        case .failing(let message):
            out.append(Segment(text: " ✖ SAVE FAILED: \(DisplayWidth.sanitizedForTerminal(message)) ", style: theme.statusError,
                               priority: 1, rightAligned: true, truncatable: true))
        }
        out.append(Segment(text: " \(TimeFormat.clock(status.elapsedSeconds)) ", style: theme.statusBar, priority: 1, rightAligned: true))
        return out
    }

    /// The connection's detail — why it reconnects, or the error — when a status bar `width`
    /// columns wide cannot show it whole (the screen then gives it rows of its own and the bar
    /// shows `withoutDetail`); nil when it fits or there is none.
    public static func detailThatDoesNotFit(_ status: StatusInfo, width: Int) -> String? {
        let all = segments(status, theme: Theme(mode: .monochrome))
        guard let detail = all.first(where: \.isDetail) else { return nil }
        if fit(all, width: width - 1).contains(where: { $0.isDetail && $0.text == detail.text }) { return nil }
        switch status.connection {
        case .reconnecting(_, _, let reason): return DisplayWidth.sanitizedForTerminal(reason.trimmingWhitespace())
        case .error(let message): return DisplayWidth.sanitizedForTerminal(message.trimmingWhitespace())
        default: return nil
        }
    }

    /// A save failure's message when a status bar `width` columns wide would cut it (its end
    /// says what to do: "— free some disk space"); nil when it fits or nothing failed.
    public static func saveFailureThatDoesNotFit(_ status: StatusInfo, width: Int) -> String? {
        guard case .failing(let message) = status.save else { return nil }
        let all = segments(status, theme: Theme(mode: .monochrome))
        guard let failure = all.first(where: { $0.text.hasPrefix(" ✖ SAVE FAILED") }) else { return nil }
        if fit(all, width: width - 1).contains(where: { $0.text == failure.text }) { return nil }
        return "✖ SAVE FAILED: " + DisplayWidth.sanitizedForTerminal(message.trimmingWhitespace())
    }

    /// `status` with the connection's detail left out (it is shown elsewhere).
    public static func withoutDetail(_ status: StatusInfo) -> StatusInfo {
        var s = status
        switch s.connection {
        case .reconnecting(let secs, let attempt, _): s.connection = .reconnecting(inSeconds: secs, attempt: attempt)
        case .error: s.connection = .error(message: "")
        default: break
        }
        return s
    }

    /// Keeps the most important segments that fit, cutting truncatable ones when that helps.
    static func fit(_ all: [Segment], width: Int) -> [Segment] {
        var kept = Array(repeating: false, count: all.count)
        var texts = all.map(\.text)
        var used = 0
        let order = all.indices.sorted { (all[$0].priority, $0) < (all[$1].priority, $1) }
        for i in order {
            let w = DisplayWidth.of(texts[i])
            if !all[i].shorter.isEmpty {
                // The longest form that leaves room for the more important segments after it
                // (the clock), else the longest that fits at all.
                let reserve = all.indices.filter { all[$0].priority > all[i].priority && all[$0].priority <= 1 }
                    .reduce(0) { $0 + DisplayWidth.of(all[$1].text) }
                    // (Only optional segments give way: the connection's state and the clock keep
                    // their full forms.)
                    + (all[i].priority < 3 ? 0 : all.indices.filter { all[$0].priority > all[i].priority }.reduce(0) { $0 + all[$1].keptRoom })
                let forms = [texts[i]] + all[i].shorter
                if let f = forms.first(where: { used + DisplayWidth.of($0) + reserve <= width })
                    ?? forms.first(where: { used + DisplayWidth.of($0) <= width }) {
                    texts[i] = f
                    kept[i] = true
                    used += DisplayWidth.of(f)
                }
            } else if used + w <= width {
                kept[i] = true
                used += w
            } else if all[i].truncatable, width - used >= 12 {
                let room = width - used
                if all[i].rightAligned {
                    // Keep the end of a path (the file name); keep the label of a failure.
                    if all[i].text.hasPrefix(" ✖") {
                        texts[i] = DisplayWidth.truncate(texts[i], toColumns: room - 1) + " "
                    } else if let cut = cutPath(texts[i], toColumns: room) {
                        texts[i] = cut
                    } else {
                        continue
                    }
                } else {
                    texts[i] = DisplayWidth.truncate(texts[i], toColumns: room - 1) + " "
                }
                kept[i] = true
                used += DisplayWidth.of(texts[i])
            }
        }
        var out = all.indices.filter { kept[$0] }.map { i in
            var s = all[i]
            s.text = texts[i]
            return s
        }
        // A " · " separator right after the connection state (the engine and model did not
        // fit) separates nothing: "● live  · en" lost it.
        for i in out.indices.dropFirst() where !out[i].rightAligned && out[i].text.hasPrefix(" · ")
            && out[i - 1].priority == 0 && !out[i - 1].rightAligned && out[i - 1].text.hasSuffix(" ") {
            out[i].text = String(out[i].text.dropFirst(3))
        }
        return out
    }

    /// "saving to /very/long/path/file.jsonl " cut to "saving to …path/file.jsonl " (the end of
    /// the file name when even that is too long); "journal on " when the label and a few
    /// characters of the name do not fit. A bare "…22-48-20.616Z.jsonl" said nothing of what it was.
    static func cutPath(_ text: String, toColumns columns: Int) -> String? {
        for (label, alone) in [("saving to ", "journal on "), ("saved ", "saved ")] where text.hasPrefix(label) {
            let path = String(text.dropFirst(label.count).dropLast())
            let room = columns - DisplayWidth.of(label) - 1
            // Too little room for the name: that it is saving, at least.
            guard room >= minimumPathColumns else { return DisplayWidth.of(alone) <= columns ? alone : nil }
            return label + DisplayWidth.truncateLeading(path, toColumns: room) + " "
        }
        return DisplayWidth.truncateLeading(text, toColumns: columns)
    }

    /// The fewest columns of a path worth showing after its label ("…16Z.jsonl").
    static let minimumPathColumns = 10
}
