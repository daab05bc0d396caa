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
        let url = TestPaths.deepgramFixtures.appendingPathComponent("prerecorded/preamble-rest-2.response.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let results = json?["results"] as? [String: Any]
        let channel = (results?["channels"] as? [[String: Any]])?.first
        let alt = (channel?["alternatives"] as? [[String: Any]])?.first
        return alt?["transcript"] as? String ?? ""
    }
}
