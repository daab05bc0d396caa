import Foundation

/// Paths tests need: the package root, the shared fixtures, the Python venv for test peers.
public enum TestPaths {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }()

    /// `$CAPTTY_FIXTURES` when set; else `../shared/fixtures/deepgram` next to this checkout; else,
    /// for a clone made elsewhere (e.g. into a temporary directory), the same folder next to the
    /// local repository it was cloned from (`remote.origin.url`).
    public static let deepgramFixtures: URL = {
        if let env = ProcessInfo.processInfo.environment["CAPTTY_FIXTURES"] {
            return URL(fileURLWithPath: env)
        }
        func fixtures(nextTo repo: URL) -> URL {
            repo.deletingLastPathComponent().appendingPathComponent("shared/fixtures/deepgram")
        }
        let here = fixtures(nextTo: packageRoot)
        if FileManager.default.fileExists(atPath: here.path) { return here }
        if let origin = localOrigin() {
            let there = fixtures(nextTo: origin)
            if FileManager.default.fileExists(atPath: there.path) { return there }
        }
        return here
    }()

    /// The origin remote of this checkout when it is a local directory (a clone of a clone).
    static func localOrigin() -> URL? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = ["-C", packageRoot.path, "config", "--get", "remote.origin.url"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        var url = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if url.hasPrefix("file://") { url.removeFirst("file://".count) }
        guard p.terminationStatus == 0, url.hasPrefix("/") else { return nil }
        return URL(fileURLWithPath: url).standardizedFileURL
    }

    /// The Python interpreter of the test-peer venv (`.venv` made by scripts/setup).
    public static let python: String = {
        if let env = ProcessInfo.processInfo.environment["CAPTTY_PYTHON"] { return env }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
    }()

    /// Test peers written in Python (servers and clients), under Tests/Peers.
    public static let peers: URL = packageRoot.appendingPathComponent("Tests/Peers")

    /// The built `captty` binary (debug build), for end-to-end tests.
    public static var capttyBinary: URL {
        if let env = ProcessInfo.processInfo.environment["CAPTTY_BIN"] { return URL(fileURLWithPath: env) }
        for dir in [".build/debug", ".build/x86_64-unknown-linux-gnu/debug", ".build/release"] {
            let u = packageRoot.appendingPathComponent(dir).appendingPathComponent("captty")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return packageRoot.appendingPathComponent(".build/debug/captty")
    }
}
