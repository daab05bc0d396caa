import SystemSupport
/// Draws the input level: a bar with a peak-hold marker, the level in dB, a clip mark, and the
/// device name — or, when no audio arrives or capture is lost, a warning naming the device. A
/// recent problem (`warning`) takes the device name's place, in the warning style; else a key's
/// confirmation (`notice`) does, in plain style.
public enum LevelMeterView {
    /// Eighth blocks for the partly filled cell at the end of the bar.
    static let partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    public static func draw(_ level: LevelMeterReading, theme: Theme, keys: KeyBindingTable, warning: String? = nil,
                            notice: String? = nil, showBar: Bool = true, outageShownAbove: Bool = false,
                            into surface: inout Surface, rect: Rect) {
        // What follows the bar: the problem, else the key's confirmation, else the device.
        let notice = notice.map { DisplayWidth.sanitizedForTerminal($0).replacingAll("\n", with: " ") }
        guard !rect.isEmpty else { return }
        let row = rect.row
        if let outage = level.outage {
            // The whole row, in the warning style: appended to the device name (dim, cut at the
            // edge) it read "Monitor of Built-in-Audio-Analog-Stereo — a…" while the status said
            // live.
            let pick = keys.keys(for: .pickDevice).first?.displayName ?? "a"
            // Said whole in the rows above when it does not fit here: only what it is, here.
            let text = outageShownAbove ? "⚠ audio lost; retrying"
                : "⚠ " + DisplayWidth.sanitizedForTerminal(outage).replacingAll("\n", with: " ") + " (press \(pick) to pick another)"
            surface.put(DisplayWidth.truncate(text, toColumns: rect.width), row: row, col: rect.col, style: theme.warning, limit: rect.right)
            return
        }
        if !showBar && !level.silent {
            // No bar (`display.meter = false`): the problem or the device name only.
            drawTrailer(level, warning: warning, notice: notice, theme: theme, into: &surface, row: row, col: rect.col + 1, right: rect.right)
            return
        }
        if level.silent, let notice {
            // A key's confirmation is said over the silence for its few seconds: with nothing
            // playing, `i` or `w` changed nothing visible and said nothing (found in QA).
            surface.put(DisplayWidth.truncate(notice, toColumns: rect.width), row: row, col: rect.col, style: .plain, limit: rect.right)
            return
        }
        if level.silent && level.fromMonitor {
            // Nothing playing is normal for "caption what this computer plays": said, not warned.
            let text = DisplayWidth.truncate("nothing is playing on “\(level.deviceName)”", toColumns: rect.width)
            surface.put(text, row: row, col: rect.col, style: TextStyle(.dim), limit: rect.right)
            return
        }
        if level.silent {
            let device = level.deviceName.isEmpty ? "the input device" : "“\(level.deviceName)”"
            let pick = keys.keys(for: .pickDevice).first?.displayName ?? "a"
            // A file or a pipe is neither switched on nor picked: it is silent there.
            let advice = level.fromDevice ? "check it is on and not muted, or press \(pick) to pick another"
                                          : level.stalled ? "nothing is arriving" : "it is silent here"
            let text = DisplayWidth.truncate("⚠ no audio from \(device) — \(advice)", toColumns: rect.width)
            surface.put(text, row: row, col: rect.col, style: theme.warning, limit: rect.right)
            return
        }
        let barWidth = Self.barWidth(width: rect.width, warning: warning ?? notice)
        var col = rect.col
        col = surface.put("▕", row: row, col: col, style: theme.meterEmpty, limit: rect.right)
        let barStart = col
        let filled = fraction(level.rmsDBFS) * Double(barWidth)
        let full = Int(filled)
        var partialDrawn = false
        for i in 0..<barWidth {
            let style = segmentStyle(i, of: barWidth, theme: theme)
            if i < full {
                surface.put("█", row: row, col: barStart + i, style: style, limit: rect.right)
            } else if i == full, filled - Double(full) >= 1.0 / 8.0 {
                let eighths = min(6, Int((filled - Double(full)) * 8) - 1)
                surface.put(String(partials[eighths]), row: row, col: barStart + i, style: style, limit: rect.right)
                partialDrawn = true
            } else {
                surface.put(" ", row: row, col: barStart + i, style: theme.meterEmpty, limit: rect.right)
            }
        }
        if level.peakHoldDBFS > LevelMeterReading.floorDBFS {
            let p = min(barWidth - 1, max(0, Int((fraction(level.peakHoldDBFS) * Double(barWidth)).rounded(.up)) - 1))
            if p > full || (p == full && !partialDrawn) {
                surface.put("│", row: row, col: barStart + p, style: theme.peakMarker, limit: rect.right)
            }
        }
        col = surface.put("▏", row: row, col: barStart + barWidth, style: theme.meterEmpty, limit: rect.right)
        col = surface.put(decibels(level.rmsDBFS), row: row, col: col, style: .plain, limit: rect.right)
        if level.clipping {
            col = surface.put(" ", row: row, col: col, style: .plain, limit: rect.right)
            col = surface.put("CLIP", row: row, col: col, style: theme.clip, limit: rect.right)
        } else {
            col += 5
        }
        if col + 2 < rect.right {
            drawTrailer(level, warning: warning, notice: notice, theme: theme, into: &surface, row: row, col: col + 2, right: rect.right)
        }
    }

    /// What follows the bar (or stands alone without it) from `col`: the problem, else the key's
    /// confirmation, else the device name.
    private static func drawTrailer(_ level: LevelMeterReading, warning: String?, notice: String?, theme: Theme,
                                    into surface: inout Surface, row: Int, col: Int, right: Int) {
        let (text, style): (String, TextStyle)
        if let warning {
            (text, style) = ("⚠ " + DisplayWidth.sanitizedForTerminal(warning).replacingAll("\n", with: " "), theme.warning)
        } else if let notice {
            (text, style) = (notice, .plain)
        } else if !level.deviceName.isEmpty {
            (text, style) = (level.deviceName, TextStyle(.dim))
        } else {
            return
        }
        surface.put(DisplayWidth.truncate(text, toColumns: right - col), row: row, col: col, style: style, limit: right)
    }

    /// The bar's cells in a row `width` columns wide. A problem gets the room it needs, down to
    /// an 8-cell bar: at 80 columns a server's Error was cut after "Deepgram reported an
    /// error: …", its reason unread.
    static func barWidth(width: Int, warning: String?) -> Int {
        let barWidth = min(40, max(4, (width - 14) / 2))
        guard let warning else { return barWidth }
        let needed = DisplayWidth.of("⚠ " + DisplayWidth.sanitizedForTerminal(warning))
        return max(min(barWidth, 8), min(barWidth, width - 16 - needed))
    }

    /// The row's problem in full — capture lost, or a recent warning — when a row `width` columns
    /// wide would cut it (the screen then gives it rows of its own above the meter: the part
    /// cut was the part that says what to do); nil when it fits or there is none.
    public static func problemThatDoesNotFit(_ level: LevelMeterReading, keys: KeyBindingTable, warning: String?,
                                             showBar: Bool, width: Int) -> String? {
        if let outage = level.outage {
            let pick = keys.keys(for: .pickDevice).first?.displayName ?? "a"
            let text = DisplayWidth.sanitizedForTerminal(outage).replacingAll("\n", with: " ") + " (press \(pick) to pick another)"
            return DisplayWidth.of("⚠ " + text) > width ? text : nil
        }
        guard let warning, !level.silent else { return nil }
        let text = DisplayWidth.sanitizedForTerminal(warning).replacingAll("\n", with: " ")
        let room: Int
        if !showBar {
            room = width - 1
        } else {
            let afterBar = 1 + barWidth(width: width, warning: warning) + 1 + DisplayWidth.of(decibels(level.rmsDBFS)) + 5
            room = width - afterBar - 2
        }
        return DisplayWidth.of("⚠ " + text) > room ? text : nil
    }

    /// Where a level falls on the bar, 0...1 (linear in dB from the floor to 0 dBFS).
    static func fraction(_ db: Double) -> Double {
        guard db.isFinite else { return 0 }
        return min(1, max(0, (db - LevelMeterReading.floorDBFS) / -LevelMeterReading.floorDBFS))
    }

    /// Green up to -18 dBFS, yellow up to -6, red above (by each cell's position on the bar).
    static func segmentStyle(_ i: Int, of width: Int, theme: Theme) -> TextStyle {
        let db = LevelMeterReading.floorDBFS * (1 - Double(i + 1) / Double(width))
        if db > -6 { return theme.meterHigh }
        if db > -18 { return theme.meterMid }
        return theme.meterLow
    }

    /// " -23 dB", right-aligned in 7 columns; "  -∞ dB" below the floor of measurement.
    static func decibels(_ db: Double) -> String {
        let text = db.isFinite && db > -100 ? "\(Int(db.rounded()))" : "-∞"
        return String(repeating: " ", count: max(0, 4 - text.count)) + text + " dB"
    }
}
