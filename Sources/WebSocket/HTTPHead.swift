/// The head (start line + header fields) of an HTTP/1.1 request or response, parsed from bytes.
///
/// Used both ways: a client parses the upgrade response, a server parses the upgrade request.
/// Parsing is bounded (`maxHeadSize`) and pure, so it can be fuzzed without sockets.
public struct HTTPHead: Sendable {
    /// The start line split on spaces: request `GET /path HTTP/1.1`, response `HTTP/1.1 101 Reason`.
    public var startLine: String
    public var headers: HTTPHeaders

    /// Outcome of looking for a complete head at the start of a buffer.
    public enum ParseResult: Sendable {
        /// More bytes are needed.
        case incomplete
        /// A head was parsed; `consumed` bytes (head + blank line) belong to it.
        case complete(HTTPHead, consumed: Int)
    }

    /// Why a head could not be parsed.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Looks for `\r\n\r\n` (or `\n\n`) within `maxHeadSize` bytes and parses what precedes it.
    public static func parse(_ bytes: [UInt8], maxHeadSize: Int = 16 * 1024) throws(ParseError) -> ParseResult {
        var end: Int?
        var consumed = 0
        var i = 0
        let limit = min(bytes.count, maxHeadSize + 4)
        while i < limit {
            if bytes[i] == 0x0A {
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { end = i; consumed = i + 2; break }
                if i + 2 < bytes.count && bytes[i + 1] == 0x0D && bytes[i + 2] == 0x0A { end = i; consumed = i + 3; break }
            }
            i += 1
        }
        guard let headEnd = end else {
            if bytes.count > maxHeadSize { throw ParseError(message: "HTTP head larger than \(maxHeadSize) bytes") }
            return .incomplete
        }
        if headEnd > maxHeadSize { throw ParseError(message: "HTTP head larger than \(maxHeadSize) bytes") }
        // Header bytes must be ASCII-ish text; reject NUL and invalid UTF-8.
        let raw = bytes[0..<headEnd]
        if raw.contains(0) { throw ParseError(message: "NUL byte in HTTP head") }
        guard UTF8Validator.isValid(raw) else { throw ParseError(message: "HTTP head is not valid UTF-8") }
        // Split on LF as bytes (a String would treat CR LF as one Character), drop a trailing CR.
        var lines: [Substring] = raw.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            let l = line.last == 0x0D ? line.dropLast() : line
            return Substring(String(decoding: l, as: UTF8.self))
        }
        guard !lines.isEmpty, !lines[0].isEmpty else { throw ParseError(message: "empty HTTP start line") }
        let start = String(lines.removeFirst())
        var fields: [(String, String)] = []
        for line in lines {
            if line.isEmpty { continue }
            if line.first == " " || line.first == "\t" {
                throw ParseError(message: "obsolete folded header line")
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(message: "header line without ':' (\(line.prefix(40)))")
            }
            let name = line[..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenChar) else {
                throw ParseError(message: "invalid header name '\(name.prefix(40))'")
            }
            let value = line[line.index(after: colon)...].trimmingWS()
            fields.append((String(name), String(value)))
            if fields.count > 200 { throw ParseError(message: "more than 200 header fields") }
        }
        return .complete(HTTPHead(startLine: start, headers: HTTPHeaders(fields)), consumed: consumed)
    }

    static func isTokenChar(_ c: Character) -> Bool {
        guard c.isASCII, let a = c.asciiValue, a > 32, a < 127 else { return false }
        return !"()<>@,;:\\\"/[]?={}".contains(c)
    }

    /// The status code and reason of a response start line `HTTP/1.x NNN Reason`.
    public func responseStatus() throws(ParseError) -> (code: Int, reason: String) {
        let parts = startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
              let code = Int(parts[1]), (100...999).contains(code) else {
            throw ParseError(message: "not an HTTP/1.1 status line: '\(startLine.prefix(80))'")
        }
        return (code, parts.count > 2 ? String(parts[2]) : "")
    }

    /// The method, target and version of a request start line `GET /path?query HTTP/1.1`.
    public func requestLine() throws(ParseError) -> (method: String, target: String, version: String) {
        let parts = startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, parts[2].hasPrefix("HTTP/") else {
            throw ParseError(message: "not an HTTP request line: '\(startLine.prefix(80))'")
        }
        return (String(parts[0]), String(parts[1]), String(parts[2]))
    }
}
