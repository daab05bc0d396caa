/// A scroll command for the caption area.
public enum ScrollCommand: Equatable, Sendable {
    case pageUp, pageDown, lineUp, lineDown, top, bottom
}

/// What the caption area shows for a snapshot at a size: computed, never stored.
public struct VisibleCaptions: Equatable, Sendable {
    /// The rows to draw from the top of the area (fewer than its height when text is short).
    public var rows: [WrappedRow]
    /// True when the view follows the newest text (no scroll-back indicator).
    public var isFollowing: Bool
    /// Committed lines that arrived since the user scrolled back.
    public var newLinesBelow: Int
    /// When scrolled back: committed lines below the view, wholly or in part (those that were
    /// there when the user scrolled back as well as new ones; a line that grew counts).
    public var linesBelow: Int = 0
    /// When scrolled back: the session time of the top line shown (where in a long session the
    /// view is; "N new lines below" said nothing of it after Home).
    public var topTime: Double? = nil
}

/// The scroll model of the caption area (pure functions over a snapshot).
///
/// Only the lines needed to fill the area are wrapped: from the bottom backwards when
/// following, from the anchor forwards when scrolled back. The anchor is a line id plus a
/// grapheme offset, so after a resize the same text stays at the top.
public enum CaptionViewport {
    struct Position: Equatable {
        var line: Int
        var row: Int
    }

    /// Lines plus the interim guess, wrapped lazily for one width.
    struct Content {
        let snapshot: ScreenSnapshot
        let theme: Theme
        let width: Int
        let interimRows: [WrappedRow]
        /// The guess drawn at the end of the last line (`ScreenSnapshot.interimJoinsLastLine`).
        let joinedInterim: String?

        init(_ snapshot: ScreenSnapshot, width: Int) {
            self.snapshot = snapshot
            self.width = width
            theme = Theme(mode: snapshot.colorMode)
            let joins = snapshot.interimJoinsLastLine && snapshot.toggles.showInterim && snapshot.lines.count > 0
                && !snapshot.interim.allSatisfy(\.isWhitespace)
            joinedInterim = joins ? snapshot.interim : nil
            var guesses = joins ? [] : [ChannelInterim(text: snapshot.interim, speaker: snapshot.interimSpeaker,
                                                       channel: snapshot.interimChannel ?? 0, start: snapshot.interimStart)]
            if !snapshot.otherInterims.isEmpty {
                guesses = (guesses + snapshot.otherInterims).sorted { $0.channel < $1.channel }
            }
            var rows: [WrappedRow] = []
            if snapshot.toggles.showInterim {
                for g in guesses where !g.text.allSatisfy(\.isWhitespace) {
                    rows += LineLayout.interimRows(g.text, speaker: g.speaker, channel: snapshot.interimChannel == nil ? nil : g.channel,
                                                   start: g.start, toggles: snapshot.toggles, theme: theme, width: width)
                }
            }
            interimRows = rows
        }

        var committedCount: Int { snapshot.lines.count }
        /// One past the last entry: the interim guess counts as an entry after the lines.
        var endIndex: Int { committedCount + (interimRows.isEmpty ? 0 : 1) }

        func rows(_ index: Int) -> [WrappedRow] {
            if index == committedCount { return interimRows }
            return LineLayout.rows(for: snapshot.lines[index], toggles: snapshot.toggles, theme: theme, width: width,
                                   continuedBy: index == committedCount - 1 ? joinedInterim : nil)
        }
    }

    /// The rows to show in an area of `height` rows and `width` columns.
    public static func visible(_ snapshot: ScreenSnapshot, width: Int, height: Int) -> VisibleCaptions {
        guard width > 0, height > 0 else { return VisibleCaptions(rows: [], isFollowing: true, newLinesBelow: 0) }
        let content = Content(snapshot, width: width)
        if case .scrolledBack(let anchor) = snapshot.scroll,
           let top = position(of: anchor, in: content) {
            // Scrolled back: one row is kept for the indicator.
            let forward = rowsForward(from: top, in: content, limit: height + 1)
            if forward.count > height {
                return VisibleCaptions(rows: Array(forward.prefix(height - 1)), isFollowing: false,
                                       newLinesBelow: max(0, snapshot.lines.count - anchor.lineCountAtScroll),
                                       linesBelow: linesBelow(showing: height - 1, from: top, in: content),
                                       topTime: snapshot.lines[top.line].start)
            }
        }
        let (rows, _) = bottomRows(content, height: height)
        return VisibleCaptions(rows: rows, isFollowing: true, newLinesBelow: 0)
    }

    /// The scroll state after a command, for the caption area of a screen of `screen` size.
    public static func scrolled(_ snapshot: ScreenSnapshot, by command: ScrollCommand, screen: TerminalSize) -> ScrollState {
        let area = ScreenLayout(size: screen).captions
        let width = area.width, height = area.height
        guard width > 0, height > 1, snapshot.lines.count > 0 else { return .following }
        let content = Content(snapshot, width: width)
        let countAtScroll: Int
        let current: Position
        switch snapshot.scroll {
        case .scrolledBack(let anchor):
            guard let p = position(of: anchor, in: content) else { return .following }
            current = p
            countAtScroll = anchor.lineCountAtScroll
        case .following:
            let (_, top) = bottomRows(content, height: height)
            current = top
            countAtScroll = snapshot.lines.count
        }
        let page = max(1, height - 2)
        var target: Position
        switch command {
        case .bottom:
            return .following
        case .top:
            target = Position(line: 0, row: 0)
        case .pageUp, .lineUp:
            if snapshot.scroll == .following, current == Position(line: 0, row: 0) { return .following }
            target = moveUp(current, by: command == .pageUp ? page : 1, in: content)
        case .pageDown, .lineDown:
            if snapshot.scroll == .following { return .following }
            guard let p = moveDown(current, by: command == .pageDown ? page : 1, in: content) else { return .following }
            target = p
        }
        if target.line >= content.committedCount {
            target = Position(line: content.committedCount - 1, row: max(0, content.rows(content.committedCount - 1).count - 1))
        }
        // Everything from the target to the end fits: that is the live view.
        if rowsForward(from: target, in: content, limit: height + 1).count <= height { return .following }
        let rows = content.rows(target.line)
        let offset = rows.isEmpty ? 0 : rows[min(target.row, rows.count - 1)].startOffset
        return .scrolledBack(ScrollAnchor(lineID: snapshot.lines[target.line].id, offset: offset,
                                          lineCountAtScroll: countAtScroll))
    }

    /// Where an anchor is at this width: its line, and the row holding its offset.
    static func position(of anchor: ScrollAnchor, in content: Content) -> Position? {
        guard let index = content.snapshot.lines.index(ofLineID: anchor.lineID) else { return nil }
        let rows = content.rows(index)
        var row = 0
        for (i, r) in rows.enumerated() where r.startOffset <= anchor.offset { row = i }
        return Position(line: index, row: row)
    }

    /// The committed lines not wholly shown when `rows` rows are shown from `top`.
    static func linesBelow(showing rows: Int, from top: Position, in content: Content) -> Int {
        var left = rows
        var line = top.line
        var rowInLine = top.row
        while line < content.committedCount {
            let count = content.rows(line).count
            if count - rowInLine > left { return content.committedCount - line }   // cut: it counts
            left -= count - rowInLine
            rowInLine = 0
            line += 1
        }
        return 0
    }

    /// Up to `limit` rows starting at a position.
    static func rowsForward(from start: Position, in content: Content, limit: Int) -> [WrappedRow] {
        var out: [WrappedRow] = []
        var line = start.line
        var first = true
        while line < content.endIndex, out.count < limit {
            let rows = content.rows(line)
            let from = first ? min(start.row, rows.count) : 0
            out.append(contentsOf: rows[from...].prefix(limit - out.count))
            first = false
            line += 1
        }
        return out
    }

    /// The last `height` rows, walking back from the end, and the position of the first one.
    static func bottomRows(_ content: Content, height: Int) -> ([WrappedRow], Position) {
        var chunks: [[WrappedRow]] = []
        var total = 0
        var line = content.endIndex - 1
        while line >= 0, total < height {
            let rows = content.rows(line)
            chunks.append(rows)
            total += rows.count
            line -= 1
        }
        let topLine = line + 1
        var rows: [WrappedRow] = []
        rows.reserveCapacity(total)
        for chunk in chunks.reversed() { rows.append(contentsOf: chunk) }
        let skip = max(0, total - height)
        return (Array(rows[skip...]), Position(line: topLine, row: skip))
    }

    static func moveUp(_ p: Position, by n: Int, in content: Content) -> Position {
        var pos = p
        var left = n
        while left > 0 {
            if pos.row > 0 {
                let step = min(pos.row, left)
                pos.row -= step
                left -= step
            } else if pos.line > 0 {
                pos.line -= 1
                pos.row = max(0, content.rows(pos.line).count - 1)
                left -= 1
            } else {
                break
            }
        }
        return pos
    }

    static func moveDown(_ p: Position, by n: Int, in content: Content) -> Position? {
        var pos = p
        var left = n
        while left > 0 {
            let count = content.rows(pos.line).count
            if pos.row + left < count {
                pos.row += left
                left = 0
            } else {
                left -= count - pos.row
                pos.line += 1
                pos.row = 0
                if pos.line >= content.endIndex { return nil }
            }
        }
        return pos
    }
}
