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
        static func run(_ samples: [Int16], finalizeAt: [Int], mode: LocalEngineConfiguration.Mode,
                        options: LiveOptions = .captionDefaults) async throws -> [LiveEvent] {
            let models = try #require(InstalledModels.found)
            let recognizer = LocalRecognizer(configuration: LocalEngineConfiguration(models: models, mode: mode))
            let (session, events) = recognizer.openStream(requestID: "timing")
            let collected = Task { var out: [LiveEvent] = []; for try await e in events { out.append(e) }; return out }
            try await session.start(config: recognizer.configuration, options: options, logger: recognizer.engineLogger)
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

        /// Real Deepgram sends empty finals for silence; clients that track time from Results
        /// must see no gap: over silence before speech (before the speech arrives), between
        /// utterances, and up to the end of a stream that ends in silence.
        @Test(.timeLimit(.minutes(3)))
        func silenceIsCoveredByEmptyFinals() async throws {
            let speech = Array(try InstalledModels.recording("preamble-rest.wav").prefix(16_000 * 6))
            let quiet = [Int16](repeating: 0, count: 16_000 * 5)
            let events = try await Self.run(quiet + speech + quiet, finalizeAt: [], mode: .sphinxOnly)
            Self.checkTiming(events, "5 s silence, 6 s speech, 5 s silence")
            let finals = Self.results(events).filter(\.isFinal)
            let end = try #require(finals.last)
            #expect(abs(end.start + end.duration - 16) < 0.011, "the finals cover the stream to its end: \(end.start)+\(end.duration)")
            #expect(finals.contains { !$0.transcript.isEmpty }, "the speech is transcribed")
            // Before the speech: empty finals every second, each ahead of anything about the speech.
            let firstSpeech = events.firstIndex { e in
                if case .speechStarted = e { return true }
                if case .results(let r) = e { return !r.best.words.isEmpty }
                return false
            } ?? events.count
            let early = Self.results(Array(events[..<firstSpeech])).filter(\.isFinal)
            #expect(early.count >= 3 && early.allSatisfy { $0.transcript.isEmpty && !$0.speechFinal && !$0.fromFinalize },
                    "empty finals over the leading silence: \(early.map { ($0.start, $0.duration) })")
            #expect(early.allSatisfy { $0.duration <= 1.01 }, "one a second: \(early.map(\.duration))")
            // After the speech: the silence is closed in steps too, not only by the stream's end.
            let lastWords = try #require(finals.lastIndex { !$0.transcript.isEmpty })
            #expect(finals.count - lastWords - 1 >= 3, "empty finals over the trailing silence: \(finals.suffix(5).map { ($0.start, $0.duration) })")
        }

        /// A long `endpointing` (3 s) keeps the utterance open over a 2 s pause, so the Finalize
        /// (or the end of the stream) ends it: the speech is recognised without the silence after
        /// it, which comes as an empty final. Fed the silence too, Moonshine returned nothing, and
        /// all 6 s of speech were lost.
        @Test(.timeLimit(.minutes(3)), arguments: [true, false])
        func aLongEndpointingCutShortKeepsTheSpeech(finalize: Bool) async throws {
            let speech = Array(try InstalledModels.recording("preamble-rest.wav").prefix(16_000 * 6))
            let audio = [Int16](repeating: 0, count: 8_000) + speech + [Int16](repeating: 0, count: 16_000 * 2)
            var options = LiveOptions.captionDefaults
            options.endpointing = .milliseconds(3_000)
            let mode: LocalEngineConfiguration.Mode = InstalledModels.moonshine ? .hybrid : .sphinxOnly
            let events = try await Self.run(audio, finalizeAt: finalize ? [audio.count] : [], mode: mode, options: options)
            Self.checkTiming(events, "endpointing 3000, \(finalize ? "Finalize" : "the end") 2 s after the speech")
            let finals = Self.results(events).filter(\.isFinal)
            let spoken = finals.map(\.transcript).joined(separator: " ").lowercased()
            #expect(spoken.contains("people") && spoken.contains("united"), "\(mode): the speech was lost: \(finals.map(\.transcript))")
            let last = try #require(finals.last)
            #expect(last.transcript.isEmpty && last.duration > 1.5 && last.fromFinalize == finalize,
                    "the silence after the speech is an empty final\(finalize ? " answering the Finalize" : ""): \(finals.map { ($0.start, $0.duration, $0.transcript) })")
        }

        /// One second of audio and the end: a final covers it (there were no Results at all).
        @Test(.timeLimit(.minutes(2)))
        func aShortStreamGetsAFinalCoveringIt() async throws {
            let events = try await Self.run([Int16](repeating: 0, count: 16_000), finalizeAt: [], mode: .sphinxOnly)
            let finals = Self.results(events).filter(\.isFinal)
            #expect(finals.count == 1 && finals.first?.start == 0 && finals.first?.duration == 1, "\(finals.map { ($0.start, $0.duration) })")
            #expect(finals.first?.transcript == "")
        }

        /// A client that sends Finalize after every message, whose messages are not whole 10 ms
        /// frames (1700 samples here): the results' clock stays with the audio sent. Each
        /// Finalize used to add its padding (up to 10 ms): +0.5 s after 100 of them.
        @Test(.timeLimit(.minutes(2)))
        func finalizeAfterEveryOddSizedMessageDoesNotDrift() async throws {
            let n = 100 * 1_700
            let samples = [Int16](repeating: 0, count: n)
            let events = try await Self.run(samples, finalizeAt: stride(from: 1_700, to: n, by: 1_700).map { $0 }, mode: .sphinxOnly)
            Self.checkTiming(events, "Finalize every 1700 samples")
            let finals = Self.results(events).filter(\.isFinal)
            let last = try #require(finals.last)
            #expect(abs(last.start + last.duration - Double(n) / 16_000) < 0.002, "finals end at \(last.start + last.duration) s, audio \(Double(n) / 16_000) s")
            let meta = events.compactMap { if case .metadata(let m) = $0 { return m } else { return nil } }.first
            #expect(abs((meta?.duration ?? 0) - Double(n) / 16_000) < 0.002, "Metadata duration \(meta?.duration ?? -1)")
        }

        /// espeak-ng's speech of `text` with 1 s of silence before it, as 16 kHz mono samples,
        /// after the sox `effects` (a compressor, say).
        static func spoken(_ text: String, effects: [String] = []) throws -> [Int16] {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-spoken-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let raw = dir.appendingPathComponent("raw.wav").path, wav = dir.appendingPathComponent("speech.wav")
            for args in [["espeak-ng", "-w", raw, text],
                         ["sox", raw, "-r", "16000", "-c", "1", "-b", "16", "-e", "signed-integer", wav.path, "pad", "1", "0.3"] + effects] {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = args
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                p.waitUntilExit()
                try #require(p.terminationStatus == 0, "\(args[0]) failed")
            }
            return try WAVReader.read16kMono(wav)
        }

        /// A Finalize in the middle of a sentence: the rest of the sentence still gets its words.
        /// Moonshine returned nothing for a segment that began mid-speech, with no quiet before
        /// it, and the final after the Finalize was empty though the interims had shown words
        /// ("jumps over the lazy dog" lost after a Finalize, found by a QA pass of `captty serve`).
        @Test(.timeLimit(.minutes(4)), .enabled(if: InstalledModels.moonshine, "Moonshine not installed"))
        func aFinalizeMidSentenceLosesNoneOfTheRest() async throws {
            let samples = try Self.spoken("The quick brown fox jumps over the lazy dog. Please call me back at noon tomorrow.")
            // (1.85 s and 2.15 s lost the rest of the sentence before.)
            for at in [1.6, 1.85, 2.0, 2.15] {
                let events = try await Self.run(samples, finalizeAt: [Int(at * 16_000)], mode: .hybrid)
                let finals = Self.results(events).filter(\.isFinal)
                let texts = finals.map(\.best.transcript)
                // The final that follows the Finalize'd one holds the rest of the first sentence.
                let after = finals.firstIndex(where: \.fromFinalize).map { finals.index(after: $0) }
                let next = after.flatMap { $0 < finals.count ? finals[$0] : nil }
                #expect((next?.best.words.count ?? 0) >= 3, "Finalize at \(at) s: \(texts)")
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
                    let context = "\(mode) seed \(seed), Finalize at \(marks.map { Double($0) / 16_000 })"
                    Self.checkTiming(events, context)
                    let last = Self.results(events).last(where: \.isFinal)
                    // Each Finalize pads its last partial 10 ms frame with silence, which is not
                    // counted as audio: the finals end with the audio, however many came.
                    #expect(abs((last.map { $0.start + $0.duration } ?? 0) - Double(samples.count) / 16_000) < 0.002, "\(context): finals reach the end")
                }
            }
        }
    }
}
