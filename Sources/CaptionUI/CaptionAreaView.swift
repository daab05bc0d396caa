import Transcript
import SystemSupport

/// Draws the caption area: committed lines, the interim guess, and the scroll-back indicator.
public enum CaptionAreaView {
    public static func draw(_ snapshot: ScreenSnapshot, theme: Theme, into surface: inout Surface, rect: Rect) {
        guard !rect.isEmpty else { return }
        let visible = CaptionViewport.visible(snapshot, width: rect.width, height: rect.height)
        if visible.rows.isEmpty {
            let help = snapshot.keyBindings.keys(for: .help).first?.displayName ?? "?"
            let quit = snapshot.keyBindings.keys(for: .quit).first?.displayName ?? "q"
            let text: String
            switch snapshot.status.connection {
            case .error(let message):
                // Not "Listening…" under an engine that has stopped (a refused key, say).
                // Why is below: on the status bar, or on rows of its own above the meter. An
                // audio input that failed is not the engine (it said so for a missing device).
                let what = message.hasPrefix("audio:") ? "the audio input failed" : "the engine stopped"
                text = "No captions: \(what) (why is said below). Press \(quit) to quit."
            case .connecting: text = "Connecting… captions appear here. Press \(help) for keys."
            case .reconnecting: text = "Reconnecting… captions appear here once the engine answers."
            default: text = "Listening… captions appear here. Press \(help) for keys."
            }
            // Wrapped, not cut: below 72 columns the key to press was lost (found in QA).
            for (i, row) in DisplayWidth.wrapWords(text, toColumns: rect.width).prefix(rect.height).enumerated() {
                surface.put(row, row: rect.row + i, col: rect.col, style: TextStyle(.dim), limit: rect.right)
            }
            return
        }
        for (i, row) in visible.rows.enumerated() {
            var col = rect.col
            for span in row.spans {
                col = surface.put(span.text, row: rect.row + i, col: col, style: span.style, limit: rect.right)
            }
        }
        if !visible.isFollowing {
            let end = snapshot.keyBindings.keys(for: .scrollBottom).first?.displayName ?? "End"
            // Every line below counts, not only those that came since scrolling back (Home
            // said nothing of the 35 below it; a line that grew was not counted).
            let n = visible.linesBelow, new = visible.newLinesBelow
            let below = n > 0 ? "↓ \(n) line\(n == 1 ? "" : "s") below\(new > 0 ? ", \(new) new" : "")" : "scrolled back"
            let short = " \(n > 0 ? below : "↑ " + below) · \(end) to follow "
            // With the top line's time where it fits (a narrow screen keeps what to press).
            let timed = visible.topTime.map { t in " ↑ \(Timecode.clock(t)) · \(below) · \(end) to follow " }
            let label = timed.flatMap { DisplayWidth.of($0) <= rect.width ? $0 : nil } ?? short
            let text = DisplayWidth.truncate(label, toColumns: rect.width)
            let row = rect.bottom - 1
            surface.fill(Rect(row: row, col: rect.col, width: rect.width, height: 1))
            let col = rect.col + max(0, (rect.width - DisplayWidth.of(text)) / 2)
            surface.put(text, row: row, col: col, style: theme.scrollIndicator, limit: rect.right)
        }
    }
}
