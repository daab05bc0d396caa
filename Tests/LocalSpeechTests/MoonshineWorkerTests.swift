import Foundation
@testable import LocalSpeech
import Testing

/// Moonshine runs in a worker process that is replaced when it grows too big or dies,
/// without losing a transcription.
extension RealEngineTests {
    @Suite(.enabled(if: InstalledModels.moonshine && MoonshineProcess.findWorker() != nil,
                    "Moonshine or captty-moonshine-worker missing: run scripts/install-local-engine and swift build"))
    struct MoonshineWorkerTests {
        static func speech() throws -> [Float] {
            try InstalledModels.recording("preamble-rest.wav").prefix(16_000 * 3).map { Float($0) / 32768 }
        }

        @Test(.timeLimit(.minutes(2)))
        func aWorkerPastItsMemoryLimitIsReplacedAndTheTextIsKept() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            // A limit below any loaded model: every call retires its worker.
            let m = try MoonshineProcess(files: files, memoryLimitMB: 1)
            let audio = try Self.speech()
            let first = try m.transcribe(audio)
            let second = try m.transcribe(audio)
            #expect(first.lowercased().contains("people of the united states"), "\(first)")
            #expect(second == first)
            #expect(m.spawned == 3, "one worker per call plus the one warming up")
        }

        @Test(.timeLimit(.minutes(2)))
        func aWorkerThatDiesIsReplacedAndTheCallRetried() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            let m = try MoonshineProcess(files: files, memoryLimitMB: 100_000)
            let pid = try #require(m.workerPID)
            #expect(kill(pid, SIGKILL) == 0)
            let text = try m.transcribe(try Self.speech())
            #expect(text.lowercased().contains("united states"), "\(text)")
            #expect(m.spawned == 2)
            #expect(m.workerPID != pid)
        }

        @Test func aMissingWorkerProgramIsAClearError() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            #expect {
                _ = try MoonshineProcess(files: files, memoryLimitMB: 100, workerPath: "/nonexistent/captty-moonshine-worker")
            } throws: { e in "\(e)".contains("cannot start the worker") }
        }
    }
}
