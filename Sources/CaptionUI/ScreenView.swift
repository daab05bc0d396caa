import SystemSupport
/// Draws a whole frame: captions, level meter, status bar and any overlay.
public enum ScreenView {
    /// Draws `snapshot` into `surface` (which it clears first); reads the snapshot only.
    public static func draw(_ snapshot: ScreenSnapshot, into surface: inout Surface) {
        surface.fill(surface.bounds)
        let layout = ScreenLayout(size: surface.size)
        let theme = Theme(mode: snapshot.colorMode)
        if layout.isTooSmall {
            let quit = snapshot.keyBindings.keys(for: .quit).first?.displayName ?? "q"
            TooSmallView.draw(size: surface.size, theme: theme, quitKey: quit, into: &surface)
            return
        }
        var captions = layout.captions
        var status = snapshot.status
        var warning = snapshot.warning
        /// `text` on up to two rows just above the meter (taken from the captions; four when they
        /// are tall: a server's reason was cut off after two), in the warning style; whether
        /// there was room.
        // With no captions yet the area has room for all of it, less the hint on its top rows
        // (an engine's refusal was cut after four rows above 17 empty ones, found in QA).
        let empty = snapshot.lines.count == 0 && snapshot.interim.isEmpty
        func rowsAboveTheMeter(_ text: String) -> Bool {
            let most = empty ? captions.height - 4 : min(captions.height >= 16 ? 4 : 2, captions.height - 2)
            let rows = noticeRows(text, width: captions.width - 2, max: max(min(most, 12), min(captions.height >= 16 ? 4 : 2, captions.height - 2)))
            guard !rows.isEmpty else { return false }
            captions.height -= rows.count
            for (i, row) in rows.enumerated() {
                surface.put(row, row: captions.bottom + i, col: captions.col + 1, style: theme.warning, limit: captions.right)
            }
            return true
        }
        // Problems whose end says what to do, cut by the row they belong to, get rows of their
        // own: why it reconnects (or the error; "Connection refused"), a save failure ("— free
        // some disk space"), the meter row's warning ("that stretch has no captions").
        if let detail = StatusBarView.detailThatDoesNotFit(status, width: layout.status.width), rowsAboveTheMeter(detail) {
            status = StatusBarView.withoutDetail(status)
        }
        if let failure = StatusBarView.saveFailureThatDoesNotFit(status, width: layout.status.width) {
            _ = rowsAboveTheMeter(failure)
        }
        var outageShownAbove = false
        if let problem = LevelMeterView.problemThatDoesNotFit(snapshot.level, keys: snapshot.keyBindings, warning: warning,
                                                              showBar: snapshot.toggles.showMeter, width: layout.meter.width),
           rowsAboveTheMeter("⚠ " + problem) {
            // The meter row shows the device again, or a lost device's short form: the whole
            // text twice, once cut, read as two problems (found in QA).
            if snapshot.level.outage == nil { warning = nil } else { outageShownAbove = true }
        }
        CaptionAreaView.draw(snapshot, theme: theme, into: &surface, rect: captions)
        LevelMeterView.draw(snapshot.level, theme: theme, keys: snapshot.keyBindings, warning: warning,
                            notice: snapshot.notice, showBar: snapshot.toggles.showMeter, outageShownAbove: outageShownAbove,
                            into: &surface, rect: layout.meter)
        StatusBarView.draw(status, theme: theme, into: &surface, rect: layout.status)
        switch snapshot.overlay {
        case .none:
            break
        case .help(let page):
            HelpOverlayView.draw(snapshot.keyBindings, page: page, theme: theme, into: &surface, rect: layout.captions)
        case .devicePicker(let state):
            DevicePickerView.draw(state, theme: theme, into: &surface, rect: layout.captions)
        case .exportPrompt(let state):
            ExportPromptView.draw(state, theme: theme, into: &surface, rect: layout.captions)
        case .message(let title, let text, let footer):
            MessageOverlayView.draw(title: title, text: text, footer: footer, theme: theme, into: &surface, rect: layout.captions)
        }
    }

    /// `text` wrapped to `width` columns in at most `max` rows, the last cut with "…".
    static func noticeRows(_ text: String, width: Int, max: Int) -> [String] {
        guard max > 0, width > 0 else { return [] }
        var rows = DisplayWidth.wrapWords(text, toColumns: width)
        if rows.count > max {
            let rest = rows[(max - 1)...].joined(separator: " ")
            rows = Array(rows.prefix(max - 1)) + [DisplayWidth.truncate(rest, toColumns: width)]
        }
        return rows
    }

    /// A new surface of `size` with the frame drawn.
    public static func render(_ snapshot: ScreenSnapshot, size: TerminalSize) -> Surface {
        var surface = Surface(size: size)
        draw(snapshot, into: &surface)
        return surface
    }
}
