import Foundation

/// A small tmpfs mounted for a test (needs root and mount permission; `isAvailable` says
/// whether this machine allows it). A real file system that really fills up.
public struct TmpfsMount {
    public let url: URL

    static func run(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/" + args[0])
        p.arguments = Array(args.dropFirst())
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    /// Whether a tmpfs can be mounted here (root with CAP_SYS_ADMIN).
    public static let isAvailable: Bool = {
        guard geteuid() == 0, let m = try? TmpfsMount(sizeKiB: 64) else { return false }
        m.unmount()
        return true
    }()

    public init(sizeKiB: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-tmpfs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        guard Self.run(["mount", "-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0700", "tmpfs", dir.path]) else {
            try? FileManager.default.removeItem(at: dir)
            throw CocoaError(.fileWriteNoPermission)
        }
        url = dir
    }

    public func unmount() {
        _ = Self.run(["umount", "-l", url.path])
        try? FileManager.default.removeItem(at: url)
    }
}
