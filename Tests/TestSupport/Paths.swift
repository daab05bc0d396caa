import Foundation

/// Paths tests need: the package root, the shared fixtures, the Python venv for test peers.
public enum TestPaths {
    /// The package root (the folder holding Package.swift).
    public static let packageRoot: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }()

    /// `../shared/fixtures/deepgram`, or `$CAPTTY_FIXTURES` when set.
    public static let deepgramFixtures: URL = {
        if let env = ProcessInfo.processInfo.environment["CAPTTY_FIXTURES"] {
            return URL(fileURLWithPath: env)
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/deepgram")
    }()

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
