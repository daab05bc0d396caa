import Deepgram
import Foundation
@testable import LocalSpeech
import Testing
import TestSupport

/// A Moonshine worker that hangs is killed at its deadline, and one that keeps failing is said
/// on screen, rested and tried again: before, a hung worker stalled every caption after it and a
/// failing one only went to the log while lines silently came from PocketSphinx.
extension RealEngineTests {
    @Suite(.enabled(if: InstalledModels.moonshine && MoonshineProcess.findWorker() != nil,
                    "Moonshine or captty-moonshine-worker missing: run scripts/install-local-engine and swift build"))
    struct MoonshineFailureTests {
        /// A real worker stopped with SIGSTOP never answers: it is killed when its deadline
        /// passes and a fresh one answers the call.
        @Test(.timeLimit(.minutes(2)))
        func aHungWorkerIsKilledAtItsDeadlineAndReplaced() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            let m = try MoonshineProcess(files: files, memoryLimitMB: 100_000,
                                         deadlines: MoonshineDeadlines(load: 120, base: 4, perAudioSecond: 1))
            let pid = try #require(m.workerPID)
            #expect(kill(pid, SIGSTOP) == 0)
            let audio = try InstalledModels.recording("preamble-rest.wav").prefix(16_000 * 3).map { Float($0) / 32768 }
            let began = ContinuousClock.now
            let text = try m.transcribe(audio)
            let waited = began.duration(to: .now)
            #expect(text.lowercased().contains("united states"), "\(text)")
            #expect(m.spawned == 2 && m.workerPID != pid)
            #expect(waited >= .seconds(6.5), "the deadline is 4 s + 1 s per second of audio")
            // The stopped worker was killed, not left behind.
            var gone = false
            for _ in 0..<50 where !gone {
                gone = kill(pid, 0) != 0
                if !gone { usleep(100_000) }
            }
            #expect(gone, "the hung worker \(pid) is still there")
        }

        /// A stand-in worker (a test double: a script) that greets, then dies on its first
        /// request, for the first `failing` starts; later starts run the real worker.
        static func standIn(failing: Int) throws -> (script: String, count: URL, dir: URL) {
            let real = try #require(MoonshineProcess.findWorker())
            let dir = try scratchDirectory("failing-worker")
            let count = dir.appendingPathComponent("starts")
            let script = dir.appendingPathComponent("stand-in-worker")
            try """
            #!/bin/sh
            n=$(cat '\(count.path)' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '\(count.path)'
            if [ $n -gt \(failing) ]; then exec '\(real)' "$@"; fi
            printf MSOK; head -c 4 > /dev/null; exit 7

            """.write(to: script, atomically: true, encoding: .utf8)
            chmod(script.path, 0o755)
            return (script.path, count, dir)
        }

        static func run(worker: String) async throws -> (finals: String, notices: [String]) {
            let models = try #require(InstalledModels.found)
            var config = LocalEngineConfiguration(models: models, mode: .hybrid)
            config.moonshineWorkerPath = worker
            let events = try await LocalRecognizer(configuration: config)
                .transcribe(samples: try WAVReader.read16kMono(TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav")))
            let finals = events.compactMap { if case .results(let r) = $0, r.isFinal { return r.transcript } else { return nil } }
            let notices = events.compactMap { if case .error(let e) = $0 { #expect(!e.isFatal); return e.message } else { return nil } }
            return (finals.joined(separator: " "), notices)
        }

        @Test(.timeLimit(.minutes(3)))
        func aFailingMoonshineIsSaidOnceAndItsRecoveryToo() async throws {
            // Start 1 loads and dies on the first request, its replacement (2) too; 3 is real.
            let (script, _, dir) = try Self.standIn(failing: 2)
            defer { try? FileManager.default.removeItem(at: dir) }
            let (finals, notices) = try await Self.run(worker: script)
            #expect(notices.filter { $0.contains("exited with code 7") && $0.contains("this line uses PocketSphinx (less accurate)") }.count == 1,
                    "\(notices)")
            #expect(notices.filter { $0.contains("Moonshine is working again") }.count == 1, "\(notices)")
            #expect(notices.count == 2, "\(notices)")
            // Moonshine's finals are cased and punctuated, as PocketSphinx's fallback is not all through.
            #expect(finals.contains("United States of America."), "\(finals)")
        }

        @Test(.timeLimit(.minutes(3)))
        func aMoonshineThatKeepsFailingRestsAndCaptionsGoOn() async throws {
            let (script, count, dir) = try Self.standIn(failing: 1_000)
            defer { try? FileManager.default.removeItem(at: dir) }
            let (finals, notices) = try await Self.run(worker: script)
            #expect(notices.first?.contains("this line uses PocketSphinx") == true, "\(notices)")
            #expect(notices.filter { $0.contains("failed 3 times in a row") && $0.contains("for the next 60 s, then Moonshine is tried again") }.count == 1,
                    "\(notices)")
            // PocketSphinx captioned the whole recording.
            #expect(finals.lowercased().contains("united states"), "\(finals)")
            // Resting, it was not asked again: the load, then one fresh start per failed call.
            let starts = Int(try String(contentsOf: count, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(starts == 1 + 3, "starts: \(starts)")
        }
    }
}
