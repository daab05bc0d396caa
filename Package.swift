// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "captty",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "captty", targets: ["captty"]),
        .executable(name: "captty-moonshine-worker", targets: ["captty-moonshine-worker"]),
        .library(name: "Deepgram", targets: ["Deepgram"]),
        .library(name: "WebSocket", targets: ["WebSocket"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // System libraries: module maps + inline shims for macros Swift cannot import.
        // Headers are in /usr/include on Debian; pkg-config is not used because SwiftPM drops
        // (and warns about) its -D flags. scripts/setup installs the -dev packages.
        .systemLibrary(name: "CCurses"),
        .systemLibrary(name: "CPulse"),
        .systemLibrary(name: "COpenSSL"),
        .systemLibrary(name: "CSphinx"),

        // One thread that runs the live audio path's tasks back to back (see SerialThreadExecutor).
        .target(name: "Executors"),
        // POSIX threads, locks and string/path helpers, so that no module needs full Foundation
        // (which loads ICU: ~6 MB of resident memory; issue #8).
        .target(name: "SystemSupport"),
        .target(name: "WebSocket", dependencies: [
            "COpenSSL", "SystemSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Deepgram", dependencies: [
            "WebSocket", "Executors", "SystemSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Audio", dependencies: [
            "CPulse", "Executors", "SystemSupport", .product(name: "Logging", package: "swift-log"),
        ]),
        // Benchmarks: Benchmarks/audio/run (swift run -c release audio-bench)
        .executableTarget(name: "audio-bench", dependencies: ["Audio"], path: "Benchmarks/audio/AudioBench"),
        .target(name: "Transcript", dependencies: ["Deepgram", "SystemSupport"]),
        .target(name: "SpeechEngines", dependencies: ["Audio", "Deepgram", "Executors"]),
        .target(name: "LocalSpeech", dependencies: [
            "CSphinx", "SpeechEngines", "Deepgram", "WebSocket", "Audio", "SystemSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "CaptionUI", dependencies: ["CCurses", "Transcript", "SystemSupport"]),
        .target(name: "CapttyCore", dependencies: [
            "WebSocket", "Deepgram", "Audio", "Transcript", "SpeechEngines", "LocalSpeech", "CaptionUI", "Executors", "SystemSupport",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "captty", dependencies: [
            "CapttyCore", "Audio", "SystemSupport", "WebSocket", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Runs Moonshine (which leaks per call) in a child process the offline engine recycles.
        .executableTarget(name: "captty-moonshine-worker", dependencies: ["LocalSpeech"], path: "Sources/MoonshineWorker"),

        // Benchmarks: programs that print numbers and the command that reproduces them.
        .executableTarget(name: "LocalBenchmark", dependencies: ["LocalSpeech", "Audio", "Deepgram"],
                          path: "Benchmarks/local", exclude: ["run"]),
        .executableTarget(name: "WebSocketBenchmark", dependencies: ["WebSocket"], path: "Benchmarks/websocket",
                          exclude: ["ws_bench_client.py", "run"]),
        .executableTarget(name: "DeepgramBenchmark", dependencies: ["Deepgram"], path: "Benchmarks/deepgram",
                          exclude: ["sdk_client.py", "run"]),

        .testTarget(name: "ExecutorsTests", dependencies: ["Executors"]),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport"]),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "Executors", "TestSupport"]),
        .testTarget(name: "DeepgramTests", dependencies: ["Deepgram", "WebSocket", "TestSupport"]),
        .testTarget(name: "SpeechEnginesTests", dependencies: ["SpeechEngines", "Audio", "Deepgram", "TestSupport"]),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "TestSupport"]),
        .testTarget(name: "TranscriptTests", dependencies: ["Transcript", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "LocalSpeechTests", dependencies: ["LocalSpeech", "TestSupport"], exclude: ["Recordings"]),
        .testTarget(name: "CaptionUITests", dependencies: ["CaptionUI", "TestSupport"],
                    exclude: ["Snapshots", "Support/generate_wide_table.py"]),
        .testTarget(name: "CapttyCoreTests", dependencies: ["CapttyCore", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport", "Transcript", "Deepgram", "LocalSpeech"]),
        // Security review tests (SECURITY.md) and the replay of fuzz/*/regressions (FuzzChecks/ links to fuzz/).
        .testTarget(name: "SecurityTests", dependencies: [
            "TestSupport", "WebSocket", "Deepgram", "Audio", "Transcript", "LocalSpeech", "CapttyCore",
        ]),
        // Load and fault tests: real captty processes against peers that fail (Tests/Peers/fault_*.py).
        .testTarget(name: "FaultTests", dependencies: ["CapttyCore", "SpeechEngines", "Deepgram", "Transcript", "TestSupport"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Child process for TranscriptTests' journal tests (SIGKILL crash, RLIMIT_FSIZE limit).
        .executableTarget(name: "transcript-crash-child", dependencies: ["Transcript"], path: "Tests/TranscriptCrashChild"),
        // Benchmarks: swift run -c release transcript-bench
        .executableTarget(name: "transcript-bench", dependencies: ["Transcript", "Deepgram"], path: "Benchmarks/transcript", exclude: ["run"]),

        // Benchmarks: programs that print numbers (swift run -c release <name>).
        .executableTarget(name: "UIBenchmarks", dependencies: ["CaptionUI"], path: "Benchmarks/ui", exclude: ["run"]),
    ],
    swiftLanguageModes: [.v6]
)
