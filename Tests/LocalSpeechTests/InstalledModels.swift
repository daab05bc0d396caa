import Foundation
import LocalSpeech
import TestSupport

/// The models found on this machine, for tests that need a real engine.
enum InstalledModels {
    static let found: LocalModels? = try? LocalModels.discover(currentDirectory: TestPaths.packageRoot)
    static var sphinx: Bool { found != nil }
    static var moonshine: Bool { found?.moonshine != nil }
    static let skipMessage = "offline models not installed: run scripts/install-local-engine (scripts/setup does)"

    static func recording(_ name: String) throws -> [Int16] {
        try WAVReader.read16kMono(TestPaths.deepgramFixtures.appendingPathComponent("audio/\(name)"))
    }

    /// Deepgram's reference transcript of the preamble recording.
    static func preambleReference() throws -> String {
        try preambleAlternative()["transcript"] as? String ?? ""
    }

    /// Deepgram's words for the preamble recording (nova-3, pre-recorded): word and start time.
    static func preambleReferenceWords() throws -> [(word: String, start: Double)] {
        let words = try preambleAlternative()["words"] as? [[String: Any]] ?? []
        return words.compactMap { w in
            guard let word = w["word"] as? String, let start = w["start"] as? Double else { return nil }
            return (word, start)
        }
    }

    private static func preambleAlternative() throws -> [String: Any] {
        let url = TestPaths.deepgramFixtures.appendingPathComponent("prerecorded/preamble-rest-2.response.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let results = json?["results"] as? [String: Any]
        let channel = (results?["channels"] as? [[String: Any]])?.first
        return (channel?["alternatives"] as? [[String: Any]])?.first ?? [:]
    }
}
