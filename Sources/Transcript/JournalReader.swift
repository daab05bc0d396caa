import Deepgram
import FoundationEssentials
import Glibc
import SystemSupport

/// A journal line that could not be read.
public struct JournalIssue: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number in the file.
    public var lineNumber: Int
    public var reason: String
    public var description: String { "line \(lineNumber): \(reason)" }
}

/// What a journal holds.
public struct JournalContents: Sendable, Equatable {
    public var header: JournalHeader
    /// Caption lines rebuilt from the finals, in order of their first words.
    public var lines: [CaptionLine]
    /// Finals in file order.
    public var segments: [CommittedSegment]
    /// Corrupt lines other than a torn last line.
    public var issues: [JournalIssue]
    /// Whether the last line was cut short (a crash mid-write) and skipped.
    public var tornLastLine: Bool
    /// Lines left out that lose nothing (a final repeated word for word): said, but an export
    /// goes on without --skip-corrupt.
    public var notes: [JournalIssue] = []
    /// The servers' Metadata, one per connection that finished, in file order.
    public var metadata: [Metadata] = []
    /// Hits of `--search` queries.
    public var search = SearchResults()
    /// Entities of finals (`detect_entities`).
    public var entities = EntityResults()
    /// Audio lost in the session, in time order.
    public var gaps: [AudioGap] = []
    /// Where the audio ended (the latest `end` record, on the joined timeline), when a session finished.
    public var audioEnd: Double?
    /// Engine options changed mid-session, in file order.
    public var optionChanges: [OptionsChange] = []
    /// Where words the engine never confirmed were kept.
    public var unconfirmed: [UnconfirmedSpan] {
        segments.filter(\.unconfirmed).map { UnconfirmedSpan(channel: $0.channel, start: $0.start, end: $0.end) }
    }
}

/// Why a journal could not be read.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(path: String)
    case unreadable(path: String, message: String)
    case notAJournal(path: String, reason: String)
    case unsupportedVersion(path: String, version: Int)

    public var description: String {
        switch self {
        case .notFound(let p): return "no journal at \(p): check the path (sessions are saved under ~/.local/share/captty/sessions)"
        case .unreadable(_, let m): return m
        case .notAJournal(let p, let r): return "\(p) is not a captty journal (\(r))"
        case .unsupportedVersion(let p, let v):
            return "\(p) is a version \(v) journal; this captty reads up to version \(JournalHeader.formatVersion) — update captty"
        }
    }
}

/// Parses a journal back, tolerating a torn last line (a crash mid-write) and reporting other
/// corrupt lines by number. For `captty export` and session restore.
public enum JournalReader {
    /// `recoveringHeader`: a header that cannot be read is an issue, not the end (`captty export
    /// --skip-corrupt`): the records after it are read with a stand-in header (engine unknown,
    /// the file's modification time as the start).
    public static func read(_ url: URL, recoveringHeader: Bool = false) throws(JournalError) -> JournalContents {
        let path = url.path
        // A file whose first line cannot be a journal header (a WAV given by mistake) is refused
        // from its first bytes: it used to be read whole first (445 MB for a 211 MB recording).
        if !recoveringHeader, let line = firstLineNotAnObject(path) {
            throw .notAJournal(path: path, reason: "line \(line): not a JSON object")
        }
        let data: Data
        switch POSIXFile.readAll(path) {
        case .success(let d): data = d
        case .failure(let e):
            if e.code == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, message: ErrnoText.message(e.code, doing: "read", path: path))
        }
        return try parse(data, path: path, recoveringHeader: recoveringHeader ? modificationTime(path) : nil)
    }

    /// When the file was last written (now when that cannot be read): the stand-in start time.
    static func modificationTime(_ path: String) -> Date {
        var st = stat()
        return stat(path, &st) == 0 ? Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec)) : Date()
    }

    /// The number of the first non-blank line when it does not start a JSON object (after a
    /// byte order mark), judged from the file's first 4 KiB; nil when it may be a journal or the
    /// file cannot be read here (`read` then reports why).
    static func firstLineNotAnObject(_ path: String) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        var i = 0, line = 1
        if n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF { i = 3 }
        while i < n {
            switch buf[i] {
            case 0x0A: line += 1
            case 0x20, 0x09, 0x0D: break
            case UInt8(ascii: "{"): return nil
            default: return line
            }
            i += 1
        }
        return nil
    }

    /// Parses journal bytes; `path` only names the file in errors. `recoveringHeader`: the start
    /// time of a stand-in header, used when the header cannot be read (see `read`).
    public static func parse(_ data: Data, path: String, recoveringHeader: Date? = nil) throws(JournalError) -> JournalContents {
        let text = String(decoding: data, as: UTF8.self)
        // "\r\n" is one Character: a journal with Windows line ends (edited in another editor)
        // was one long line, "not a JSON object".
        let isNewline: (Character) -> Bool = { $0 == "\n" || $0 == "\r\n" }
        var rawLines = text.split(omittingEmptySubsequences: false, whereSeparator: isNewline)
        let endsWithNewline = text.last.map(isNewline) ?? false
        if endsWithNewline { rawLines.removeLast() }
        guard let firstIndex = rawLines.firstIndex(where: { !$0.trimmingSpaces().isEmpty }) else {
            throw .notAJournal(path: path, reason: "the file is empty")
        }
        var header: JournalHeader
        var issues: [JournalIssue] = []
        // The line after the header: the header's own when it cannot be read and is not a record.
        var firstRecord = firstIndex + 1
        do {
            guard case .header(let h) = try JournalCodec.decode(rawLines[firstIndex]) else {
                throw JournalError.notAJournal(path: path, reason: "line \(firstIndex + 1) is not a journal header")
            }
            header = h
        } catch {
            let reason: String
            switch error {
            case let e as JournalError:
                if case .notAJournal(_, let r) = e { reason = r } else { reason = "\(e)" }
            default:
                // The only line, cut short: the session ended as it began.
                let onlyLine = firstIndex == rawLines.count - 1 && !endsWithNewline
                reason = onlyLine ? "line \(firstIndex + 1) was cut short as the session began (it holds no captions)"
                                  : "line \(firstIndex + 1): \(error)"
            }
            guard let start = recoveringHeader else { throw .notAJournal(path: path, reason: reason) }
            header = JournalHeader(engine: "unknown", startTime: start, capttyVersion: "unknown")
            issues.append(JournalIssue(lineNumber: firstIndex + 1,
                                       reason: "not a readable journal header (\(reason)); the session's start time, engine and "
                                               + "settings are unknown, and the file's modification time stands for its start"))
            // A missing header (the first line is a record): that line is read as one.
            if case .final? = try? JournalCodec.decode(rawLines[firstIndex]) { firstRecord = firstIndex }
        }
        if header.formatVersion > JournalHeader.formatVersion {
            throw .unsupportedVersion(path: path, version: header.formatVersion)
        }
        var segments: [CommittedSegment] = []
        var metadata: [Metadata] = []
        var search = SearchResults()
        var entities = EntityResults()
        var gaps: [AudioGap] = []
        var audioEnd: Double?
        var optionChanges: [OptionsChange] = []
        // Records of a type this captty does not know, by type: their first line and count.
        var unknown: [String: (line: Int, count: Int)] = [:]
        var torn = false
        // Finals seen, by their exact text: a record repeated (a file joined twice, an editor's
        // paste) doubled its words in every export.
        var seenFinals: [Substring: Int] = [:]
        // After a second header (journals joined with cat): that session's line ids are moved
        // past the first's, so that its lines are not merged into the first's lines of the same
        // id, and its times by the difference of the two starts.
        var lineOffset = 0, timeShift = 0.0, maxLineID = -1
        // Each final's file line and times, in file order: where a skipped line's captions were.
        var finalAt: [(line: Int, start: Double, end: Double)] = []
        var unreadable: [Int] = []   // indexes into `issues` of lines that could not be read
        var notes: [JournalIssue] = []
        // The latest end of what was read (shifted): where a session joined out of order goes.
        var latestEnd = 0.0
        func take(_ line: Substring, at i: Int) throws(JournalCodec.DecodingFailure) {
                switch try JournalCodec.decode(line) {
                case .final(var s):
                    if let first = seenFinals[line] {
                        // (A server that sent one final twice made captty journal it twice.)
                        notes.append(JournalIssue(lineNumber: i + 1, reason: "a repeat of line \(first); left out"))
                        return
                    }
                    seenFinals[line] = i + 1
                    if lineOffset != 0 || timeShift != 0 { s = s.shifted(lines: lineOffset, seconds: timeShift) }
                    maxLineID = max(maxLineID, s.lineID)
                    latestEnd = max(latestEnd, s.end)
                    finalAt.append((i + 1, s.start, s.end))
                    segments.append(s)
                case .metadata(let m): metadata.append(m)
                case .search(var h):
                    if timeShift != 0 {
                        h.hits.hits = h.hits.hits.map { var x = $0; x.start = x.start.map { $0 + timeShift }; x.end = x.end.map { $0 + timeShift }; return x }
                    }
                    search.add(h.hits, channel: h.channel)
                case .entity(var e):
                    e.start += timeShift; e.end += timeShift
                    entities.add(e)
                case .gap(var g):
                    g.start += timeShift
                    latestEnd = max(latestEnd, g.start + g.duration)
                    gaps = AudioGap.adding(g, to: gaps)
                case .options(var c):
                    c.start += timeShift
                    optionChanges.append(c)
                case .end(let seconds):
                    audioEnd = max(audioEnd ?? 0, seconds + timeShift)
                    latestEnd = max(latestEnd, seconds + timeShift)
                case .header(let h):
                    // Joined journals are read without --skip-corrupt (said as a note); one
                    // written by a newer captty is not read as if this one knew its format.
                    if h.formatVersion > JournalHeader.formatVersion {
                        throw JournalCodec.DecodingFailure(reason: "a second header, of journal format version \(h.formatVersion), "
                                                           + "newer than this captty reads (\(JournalHeader.formatVersion)): update captty")
                    }
                    lineOffset = maxLineID + 1
                    let shift = h.startTime.timeIntervalSince(header.startTime)
                    if shift.isFinite, shift >= latestEnd {
                        timeShift = shift
                        notes.append(JournalIssue(lineNumber: i + 1, reason: "a second header (journals joined?): the lines after it "
                                                   + "are a second session's, placed \(Timecode.clock(timeShift)) after the first's start"))
                    } else {
                        // A session that began before the one above it ended (journals joined
                        // out of order): placed after it, so that the two are not interleaved.
                        timeShift = (latestEnd + 1).rounded(.up)
                        let when = shift < 0 ? "\(Timecode.clock(-shift)) before the first's start" : "before the session above it ended"
                        notes.append(JournalIssue(lineNumber: i + 1, reason: "a second header (journals joined out of order?): its "
                                                   + "session began \(when); its lines are placed after the earlier ones, "
                                                   + "\(Timecode.clock(timeShift)) after the first's start"))
                    }
                case .other(let type):
                    // Left out, as a newer captty's records are; said, since a damaged "type"
                    // (one flipped byte: "fjnal") dropped a final from every export in silence.
                    let t = String(CaptionText.oneLine(type).prefix(40))
                    unknown[t, default: (i + 1, 0)].count += 1
                }
        }
        // How a header begins: one glued to the end of a torn line (a session that crashed
        // mid-write, then `cat` with the next journal) is read on its own.
        let headerStart = "{\"type\":\"header\""
        for i in firstRecord ..< rawLines.count {
            let line = rawLines[i]
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            do {
                try take(line, at: i)
            } catch {
                if let r = line.firstRange(of: headerStart), r.lowerBound != line.startIndex,
                   (try? JournalCodec.decode(line[r.lowerBound...])).map({ if case .header = $0 { true } else { false } }) == true {
                    unreadable.append(issues.count)
                    issues.append(JournalIssue(lineNumber: i + 1, reason: "cut off (a crash mid-write?), with the next journal's "
                                               + "header joined to it; the header is read"))
                    try? take(line[r.lowerBound...], at: i)
                } else if i == rawLines.count - 1 && !endsWithNewline { torn = true }
                else {
                    unreadable.append(issues.count)
                    issues.append(JournalIssue(lineNumber: i + 1, reason: error.reason))
                }
            }
        }
        for k in unreadable { issues[k].reason += placement(of: issues[k].lineNumber, among: finalAt) }
        for (type, seen) in unknown.sorted(by: { $0.value.line < $1.value.line }) {
            let more = seen.count > 1 ? " (and \(seen.count - 1) more like it)" : ""
            notes.append(JournalIssue(lineNumber: seen.line, reason: "a record of a type this captty does not know, \"\(type)\"\(more): "
                                      + "left out (damaged, or written by a newer captty)" + placement(of: seen.line, among: finalAt)))
        }
        if let headerIssue = issues.first, headerIssue.lineNumber == firstIndex + 1, recoveringHeader != nil,
           segments.isEmpty, metadata.isEmpty, gaps.isEmpty {
            // Nothing in it reads as a journal's (a recording given by mistake): not one.
            throw .notAJournal(path: path, reason: "its first line is not a journal header and no line after it is a journal record")
        }
        return JournalContents(header: header, lines: lines(from: segments), segments: segments,
                               issues: issues, tornLastLine: torn, notes: notes, metadata: metadata, search: search,
                               entities: entities, gaps: gaps, audioEnd: audioEnd, optionChanges: optionChanges)
    }

    /// Where an unreadable line's captions, if it held a final, were: between the finals read
    /// before and after it in the file (a skipped line was reported without saying what part
    /// of the session it took with it).
    static func placement(of line: Int, among finals: [(line: Int, start: Double, end: Double)]) -> String {
        var lo = 0, hi = finals.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if finals[mid].line < line { lo = mid + 1 } else { hi = mid }
        }
        let before = lo > 0 ? finals[lo - 1].end : nil
        let after = lo < finals.count ? finals[lo].start : nil
        switch (before, after) {
        case let (b?, a?): return "; if it held captions, they were between \(Timecode.clock(b)) and \(Timecode.clock(max(a, b)))"
        case let (b?, nil): return "; if it held captions, they were after \(Timecode.clock(b))"
        case let (nil, a?): return "; if it held captions, they were before \(Timecode.clock(a))"
        default: return ""
        }
    }

    /// Groups finals into caption lines by line id, in order of first appearance.
    public static func lines(from segments: [CommittedSegment]) -> [CaptionLine] {
        var lines: [CaptionLine] = []
        var index: [Int: Int] = [:]
        for s in segments {
            if let i = index[s.lineID] {
                lines[i].append(contentsOf: s.words)
            } else {
                index[s.lineID] = lines.count
                lines.append(CaptionLine(id: s.lineID, channel: s.channel, speaker: s.speaker, words: s.words, isClosed: true))
            }
        }
        return lines
    }
}

extension CommittedSegment {
    /// The segment of a second session joined on: line id and times moved on.
    func shifted(lines: Int, seconds: Double) -> CommittedSegment {
        var s = self
        s.lineID += lines
        s.start += seconds
        s.end += seconds
        s.words = words.map { w in
            var w = w
            w.start += seconds
            w.end += seconds
            return w
        }
        return s
    }
}
