import Foundation
import Transcript

/// What a session journal holds, read with captty's own reader.
struct JournalSummary: CustomStringConvertible {
    var finals: Int
    var words: [Int]
    var issues: [String]
    var tornLastLine: Bool

    static func read(_ path: String) throws -> JournalSummary {
        let c = try JournalReader.read(URL(fileURLWithPath: path))
        return JournalSummary(finals: c.segments.count,
                              words: FaultAudio.words(in: c.segments.map(\.text)),
                              issues: c.issues.map(\.description), tornLastLine: c.tornLastLine)
    }

    var description: String {
        "\(finals) finals, \(words.count) words, \(issues.count) issues\(tornLastLine ? ", torn last line" : "")"
    }
}
