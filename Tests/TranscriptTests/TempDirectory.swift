import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDirectory {
    let url: URL
    init(_ label: String = "transcript") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("captty-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
    func file(_ name: String) -> URL { url.appendingPathComponent(name) }
}

enum FileMode {
    static func of(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }
}

/// Waits for a condition, polling, for at most `timeout` seconds.
func eventually(timeout: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(timeout)
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
