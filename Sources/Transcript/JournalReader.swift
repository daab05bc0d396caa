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
    /// The servers' Metadata, one per connection that finished, in file order.
    public var metadata: [Metadata] = []
    /// Hits of `--search` queries.
    public var search = SearchResults()
    /// Entities of finals (`detect_entities`).
    public var entities = EntityResults()
    /// Audio lost in the session, in time order.
    public var gaps: [AudioGap] = []
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
    public static func read(_ url: URL) throws(JournalError) -> JournalContents {
        let path = url.path
        // A file whose first line cannot be a journal header (a WAV given by mistake) is refused
        // from its first bytes: it used to be read whole first (445 MB for a 211 MB recording).
        if let line = firstLineNotAnObject(path) {
            throw .notAJournal(path: path, reason: "line \(line): not a JSON object")
        }
        let data: Data
        switch POSIXFile.readAll(path) {
        case .success(let d): data = d
        case .failure(let e):
            if e.code == ENOENT { throw .notFound(path: path) }
            throw .unreadable(path: path, message: ErrnoText.message(e.code, doing: "read", path: path))
        }
        return try parse(data, path: path)
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

    /// Parses journal bytes; `path` only names the file in errors.
    public static func parse(_ data: Data, path: String) throws(JournalError) -> JournalContents {
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
        let header: JournalHeader
        do {
            guard case .header(let h) = try JournalCodec.decode(rawLines[firstIndex]) else {
                throw JournalError.notAJournal(path: path, reason: "line \(firstIndex + 1) is not a journal header")
            }
            header = h
        } catch let e as JournalError {
            throw e
        } catch {
            throw .notAJournal(path: path, reason: "line \(firstIndex + 1): \(error)")
        }
        if header.formatVersion > JournalHeader.formatVersion {
            throw .unsupportedVersion(path: path, version: header.formatVersion)
        }
        var segments: [CommittedSegment] = []
        var metadata: [Metadata] = []
        var search = SearchResults()
        var entities = EntityResults()
        var gaps: [AudioGap] = []
        var issues: [JournalIssue] = []
        var torn = false
        for i in (firstIndex + 1) ..< rawLines.count {
            let line = rawLines[i]
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            do {
                switch try JournalCodec.decode(line) {
                case .final(let s): segments.append(s)
                case .metadata(let m): metadata.append(m)
                case .search(let h): search.add(h.hits, channel: h.channel)
                case .entity(let e): entities.add(e)
                case .gap(let g): gaps = AudioGap.adding(g, to: gaps)
                case .header: issues.append(JournalIssue(lineNumber: i + 1, reason: "a second header"))
                case .other: break
                }
            } catch {
                if i == rawLines.count - 1 && !endsWithNewline { torn = true }
                else { issues.append(JournalIssue(lineNumber: i + 1, reason: error.reason)) }
            }
        }
        return JournalContents(header: header, lines: lines(from: segments), segments: segments,
                               issues: issues, tornLastLine: torn, metadata: metadata, search: search,
                               entities: entities, gaps: gaps)
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
