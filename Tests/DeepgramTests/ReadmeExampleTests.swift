import Foundation
import TestSupport
import Testing
import Deepgram

// The code of README.md section "Use captty's Deepgram client from Swift", compiled
// here and run against the Deepgram test double. Keep the two in step.

// README: async/await
/// Streams a file of raw 16 kHz 16-bit mono audio and returns the final transcripts.
func transcribe(file path: String, credential: Credential, configuration: LiveClientConfiguration) async throws -> [String] {
    let client = LiveClient(credential: credential, configuration: configuration)
    let events = client.events                       // read before start() to see .open
    let options = LiveOptions(model: .nova3, language: .enUS, encoding: .linear16,
                              sampleRate: 16_000, interimResults: true, smartFormat: true)
    try await client.start(options)

    let printer = Task {
        var lines: [String] = []
        for await event in events {
            switch event {
            case .results(let r) where r.isFinal && !r.transcript.isEmpty:
                print("[\(r.start) s] \(r.transcript)")
                lines.append(r.transcript)
            case .reconnecting(let attempt, let delay):
                print("reconnecting (attempt \(attempt), in \(delay))…")
            case .error(let error):
                print("error: \(error)")                  // never contains the key
            default:
                break
            }
        }
        return lines
    }

    guard let file = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
    defer { try? file.close() }
    while let data = try file.read(upToCount: 3_200), !data.isEmpty {   // 100 ms chunks
        try await client.send([UInt8](data))
    }
    await client.finish()                             // CloseStream, last results, Metadata, close
    return await printer.value
}
// END README

// README: callbacks
/// The same with Python-SDK-style callbacks.
func transcribeWithCallbacks(file path: String, credential: Credential, configuration: LiveClientConfiguration) async throws -> [String] {
    let client = LiveClient(credential: credential, configuration: configuration)
    let lines = Lines()
    client.on(.open) { requestID in print("connected, request \(requestID ?? "?")") }
    client.on(.transcript) { results in
        guard results.isFinal, !results.transcript.isEmpty else { return }
        print("speaker: \(results.transcript)")
        lines.append(results.transcript)
    }
    client.on(.error) { error in print("error: \(error)") }
    client.on(.close) { code, reason in print("closed: \(code) \(reason)") }

    try await client.start(LiveOptions(model: .nova3, encoding: .linear16, sampleRate: 16_000, smartFormat: true))
    guard let file = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
    defer { try? file.close() }
    while let data = try file.read(upToCount: 3_200), !data.isEmpty {
        try await client.send([UInt8](data))
    }
    await client.finish()                             // returns after the callbacks have run
    return lines.all
}

/// A thread-safe list the callbacks append to.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ s: String) { lock.withLock { items.append(s) } }
    var all: [String] { lock.withLock { items } }
}
// END README

/// Runs the README's examples against the Deepgram test double.
@Suite(.serialized) struct ReadmeExampleTests {
    func audioFile(seconds: Int) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("captty-readme-\(UUID().uuidString).raw").path
        try Data(counterAudio(from: 0, count: seconds * 8_000)).write(to: URL(fileURLWithPath: path))
        return path
    }

    func configuration(_ d: DeepgramDoubleProcess) -> LiveClientConfiguration {
        var config = LiveClientConfiguration(environment: ["DEEPGRAM_URL": d.baseURL])
        config.keepAliveInterval = .seconds(4)
        config.logger.logLevel = .critical
        return config
    }

    @Test func asyncAwaitExampleTranscribesAFile() async throws {
        let path = try audioFile(seconds: 3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = try await withDeepgramDouble(["--api-key", "readme-key"]) { d in
            try await within(.seconds(60), "README async example") {
                try await transcribe(file: path, credential: .apiKey("readme-key"), configuration: configuration(d))
            }
        }
        #expect(lines == ["b0 b16000 b32000 b48000", "b64000 b80000"])
    }

    @Test func callbackExampleTranscribesAFile() async throws {
        let path = try audioFile(seconds: 3)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = try await withDeepgramDouble(["--api-key", "readme-key"]) { d in
            try await within(.seconds(60), "README callback example") {
                try await transcribeWithCallbacks(file: path, credential: .apiKey("readme-key"), configuration: configuration(d))
            }
        }
        #expect(lines == ["b0 b16000 b32000 b48000", "b64000 b80000"])
    }
}
