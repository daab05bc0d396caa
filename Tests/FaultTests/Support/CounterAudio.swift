import Foundation

/// Test audio whose bytes are a running little-endian uint32 counter (a valid 16 kHz mono
/// linear16 WAV), and checks that what servers recorded and what captty printed covers it
/// exactly once. The Deepgram test double (`--word-names counter`) names each word `c<counter at
/// the word's first byte>`, so a printed line says which audio it came from.
enum FaultAudio {
    static let apiKey = "fault-key"
    static let bytesPerSecond = 32_000
    /// Counters per 0.5 s word of the double (16 000 bytes / 4).
    static let countersPerWord = 4_000

    /// Writes `seconds` of counter audio as a WAV; returns the number of counters (data bytes / 4).
    @discardableResult
    static func writeCounterWAV(to url: URL, seconds: Double) throws -> Int {
        let count = Int(seconds * Double(bytesPerSecond)) / 4
        var data = Data()
        data.reserveCapacity(44 + count * 4)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); u32(UInt32(36 + count * 4))
        data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); u32(16); u16(1); u16(1); u32(16_000); u32(32_000); u16(2); u16(16)
        data.append(contentsOf: Array("data".utf8)); u32(UInt32(count * 4))
        var samples = [UInt32](repeating: 0, count: count)
        for i in 0..<count { samples[i] = UInt32(i).littleEndian }
        samples.withUnsafeBytes { data.append(contentsOf: $0) }
        try data.write(to: url)
        return count
    }

    /// What the server(s) received, from the double's per-connection recordings (conn-NNN.bin,
    /// written and flushed per frame, so they survive a SIGKILL of the double).
    struct Coverage: CustomStringConvertible {
        var connections = 0
        var bytes = 0
        /// Counter ranges received, per connection, merged.
        var ranges: [ClosedRange<Int>] = []
        /// Places inside one connection where the counter did not go up by one.
        var discontinuities = 0
        var unaligned = 0

        func missing(total: Int) -> [ClosedRange<Int>] {
            var gaps: [ClosedRange<Int>] = []
            var next = 0
            for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if r.lowerBound > next { gaps.append(next...(r.lowerBound - 1)) }
                next = max(next, r.upperBound + 1)
            }
            if next < total { gaps.append(next...(total - 1)) }
            return gaps
        }

        var description: String {
            "\(connections) connections, \(bytes) bytes received, \(discontinuities) discontinuities, \(unaligned) unaligned"
        }
    }

    /// Reads every conn-*.bin under `dirs`.
    static func coverage(of dirs: [URL]) throws -> Coverage {
        var c = Coverage()
        for dir in dirs {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for f in files.sorted() where f.hasPrefix("conn-") && f.hasSuffix(".bin") {
                let data = try Data(contentsOf: dir.appendingPathComponent(f))
                c.connections += 1
                c.bytes += data.count
                guard data.count >= 4 else { continue }
                if data.count % 4 != 0 { c.unaligned += 1 }
                let values: [UInt32] = data.withUnsafeBytes { raw in
                    (0..<(data.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian }
                }
                var start = Int(values[0]), prev = Int(values[0])
                for v in values.dropFirst().map(Int.init) {
                    if v != prev + 1 {
                        c.discontinuities += 1
                        c.ranges.append(start...prev)
                        start = v
                    }
                    prev = v
                }
                c.ranges.append(start...prev)
            }
        }
        return c
    }

    /// The counter names of the words in printed lines (`c123 c4123 …`).
    static func words(in lines: [String]) -> [Int] {
        lines.flatMap { $0.split(separator: " ") }.compactMap { w in
            w.hasPrefix("c") ? Int(w.dropFirst()) : nil
        }
    }

    /// Checks printed words against `total` counters: returns problems (empty when every word
    /// of the audio is printed once, in order, without gaps).
    static func transcriptProblems(words: [Int], total: Int) -> [String] {
        var problems: [String] = []
        if words.first != 0 { problems.append("first word is c\(words.first.map(String.init) ?? "none"), not c0") }
        var seen = Set<Int>()
        for (a, b) in zip(words, words.dropFirst()) {
            if b <= a { problems.append("c\(b) after c\(a) (duplicate or out of order)") }
            else if b - a != countersPerWord { problems.append("gap c\(a) → c\(b)") }
        }
        for w in words where !seen.insert(w).inserted { problems.append("c\(w) printed twice") }
        if let last = words.last, last + countersPerWord < total { problems.append("last word c\(last) ends before the audio (\(total) counters)") }
        return Array(problems.prefix(10))
    }
}
