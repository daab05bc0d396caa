import Foundation

/// A fresh, empty directory under the system temp dir, named `captty-<tag>-<random>`; the
/// caller removes it.
public func scratchDirectory(_ tag: String = "test") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-\(tag)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
