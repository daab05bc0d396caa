import Deepgram
import Foundation
@testable import LocalSpeech
import Testing
import TestSupport

/// The times of Results on real recordings, whatever the client does: every word lies inside its
/// Result's span, and finals tile the audio (contiguous, never overlapping), also when Finalize
/// comes at odd moments.
extension RealEngineTests {
    @Suite(.serialized, .enabled(if: InstalledModels.sphinx, "offline models not installed: run scripts/install-local-engine"))
    struct ResultTimingTests {
        /// Streams `samples` through one session as a server stream does (0.1 s pieces), sending
        /// Finalize once the audio has reached each of `finalizeAt` (sample offsets), then finishes.
        static func run(_ samples: [Int16], finalizeAt: [Int], mode: LocalEngineConfiguration.Mode) async throws -> [LiveEvent] {
            let models = try #require(InstalledModels.found)
            let recognizer = LocalRecognizer(configuration: LocalEngineConfiguration(models: models, mode: mode))
            let (session, events) = recognizer.openStream(requestID: "timing")
            let collected = Task { var out: [LiveEvent] = []; for try await e in events { out.append(e) }; return out }
            try await session.start(config: recognizer.configuration, options: .captionDefaults, logger: recognizer.engineLogger)
            var marks = finalizeAt.sorted()[...]
            var i = 0
            while i < samples.count || !marks.isEmpty {
                if let m = marks.first, m <= i {
                    marks.removeFirst()
                    await session.finalize()
                    continue
                }
                let next = min(samples.count, i + 1_600, marks.first ?? .max)
                await session.push(samples: Array(samples[i..<next]))
                i = next
            }
            await session.finish()
            session.end()
            return try await collected.value
        }

        static func results(_ events: [LiveEvent]) -> [Results] {
            events.compactMap { if case .results(let r) = $0 { return r } else { return nil } }
        }

        /// Every word inside [start, start + duration] of its Result; finals from 0, contiguous.
        static func checkTiming(_ events: [LiveEvent], _ context: String) {
            let all = results(events)
            for r in all {
                for w in r.best.words {
                    #expect(w.start >= r.start - 1e-6 && w.end <= r.start + r.duration + 1e-6 && w.end >= w.start,
                            "\(context): word '\(w.word)' \(w.start)–\(w.end) outside its \(r.isFinal ? "final" : "interim") \(r.start)+\(r.duration)")
                }
            }
            let finals = all.filter(\.isFinal)
            #expect(abs((finals.first?.start ?? -1)) < 1e-6, "\(context): the first final starts at 0")
            for (a, b) in zip(finals, finals.dropFirst()) {
                #expect(abs(b.start - (a.start + a.duration)) < 1e-6, "\(context): final at \(b.start) after one ending at \(a.start + a.duration)")
            }
        }

        /// Finalize points at odd sample offsets (not on a 10 ms frame), from a fixed seed.
        static func oddMoments(count: Int, within n: Int, seed: UInt64) -> [Int] {
            var g = seed
            return (0..<count).map { _ in
                g = g &* 6364136223846793005 &+ 1442695040888963407
                return Int(g >> 33) % n | 1
            }
        }

        @Test(.timeLimit(.minutes(4)))
        func wordsStayInsideTheirResultWhenFinalizeComesAtOddTimes() async throws {
            let samples = try InstalledModels.recording("preamble-rest.wav")
            var modes: [LocalEngineConfiguration.Mode] = [.sphinxOnly]
            if InstalledModels.moonshine { modes.append(.hybrid) }
            for mode in modes {
                for seed in [UInt64(7), 1_234_567] {
                    let marks = Self.oddMoments(count: 9, within: samples.count, seed: seed)
                    let events = try await Self.run(samples, finalizeAt: marks, mode: mode)
                    #expect(Self.results(events).filter(\.fromFinalize).count >= 9, "\(mode) seed \(seed): each Finalize answered")
                    Self.checkTiming(events, "\(mode) seed \(seed), Finalize at \(marks.map { Double($0) / 16_000 })")
                }
            }
        }
    }
}
