import Deepgram
import Foundation
@testable import LocalSpeech
import Testing
import TestSupport

/// The offline engine's word times drifted: every utterance's words came 40 ms later than the
/// one before (PocketSphinx's frame count was read before `ps_end_utt`, 4 frames short of where
/// the next utterance's frame numbers run on from). After two minutes of speech, words were
/// 0.7 s late; after an hour, half a minute, and subtitles exported from an offline session
/// ran ever further behind the voice.
extension RealEngineTests {
    @Suite(.serialized, .enabled(if: InstalledModels.sphinx, "offline models not installed: run scripts/install-local-engine"))
    struct WordTimeDriftTests {
        /// The same sentence (the preamble's first, from 0.2 s) as ten utterances in a row
        /// through one decoder, each a little longer or shorter, some not a whole number of
        /// frames, fed in pieces that split frames: from the second on (the first warms up
        /// PocketSphinx's cepstral mean), each puts the words at the same times from its start.
        @Test(.timeLimit(.minutes(2)))
        func theSameSentenceAgainHasTheSameWordTimes() throws {
            let decoder = try PocketSphinxDecoder(model: try #require(InstalledModels.found).sphinx)
            let recording = try InstalledModels.recording("preamble-rest.wav")
            var runs: [[TimedWord]] = []
            for k in 0..<10 {
                // 4.2–4.8 s; lengths where PocketSphinx's own frame count comes up short among them.
                let length = 67_200 + 160 * (k % 3) + 1_120 * (k % 2) + 1_600 * (k % 4) + (k % 2 == 1 ? 77 : 0)
                let sentence = recording[3_200..<(3_200 + length)]
                decoder.startUtterance()
                var at = sentence.startIndex
                while at < sentence.endIndex {
                    let end = min(sentence.endIndex, at + 1_007)
                    decoder.process(sentence[at..<end])
                    at = end
                }
                runs.append(decoder.endUtterance())
            }
            let reference = runs[1]
            #expect(reference.count >= 8, "the sentence is recognised: \(reference.map(\.word))")
            for (n, words) in runs.enumerated().dropFirst(2) {
                let pairs = Self.matched(reference.map(\.word), words.map(\.word))
                #expect(pairs.count >= reference.count - 2, "utterance \(n + 1): \(words.map(\.word))")
                let shifts = pairs.map { words[$0.1].start - reference[$0.0].start }.sorted()
                let median = shifts.isEmpty ? .infinity : shifts[shifts.count / 2]
                #expect(abs(median) <= 0.015,
                        "utterance \(n + 1): words \(Int(median * 1000)) ms from where the second utterance had them")
            }
        }

        /// The preamble four times over (76 s, 16 utterances) through the whole pipeline: the
        /// words of every repetition sit where Deepgram puts them, the last as well as the first.
        @Test(.timeLimit(.minutes(3)))
        func wordTimesDoNotDriftOverARecording() async throws {
            let speech = try InstalledModels.recording("preamble-rest.wav")
            let reference = try InstalledModels.preambleReferenceWords()
            #expect(reference.count >= 50)
            let repetitions = 4
            let length = Double(speech.count) / 16_000
            let events = try await ResultTimingTests.run(Array([[Int16]](repeating: speech, count: repetitions).joined()),
                                                         finalizeAt: [], mode: .sphinxOnly)
            let words = ResultTimingTests.results(events).filter(\.isFinal)
                .flatMap { $0.channel.alternatives.first?.words ?? [] }
            var medians: [Double] = []
            for k in 0..<repetitions {
                let offset = Double(k) * length
                let heard = words.filter { $0.start >= offset && $0.start < offset + length }
                let pairs = Self.matched(reference.map(\.word), heard.map(\.word))
                #expect(pairs.count >= reference.count * 3 / 4,
                        "repetition \(k + 1): \(pairs.count) of \(reference.count) words recognised")
                let differences = pairs.map { heard[$0.1].start - offset - reference[$0.0].start }.sorted()
                guard !differences.isEmpty else { continue }
                medians.append(differences[differences.count / 2])
            }
            #expect(medians.count == repetitions)
            // PocketSphinx starts a word at the first frame it gives it, often a little of the
            // breath before (~0.1 s ahead of Deepgram here); what matters is that it stays put.
            for (k, m) in medians.enumerated() {
                #expect(abs(m) <= 0.25, "repetition \(k + 1): words \(Int(m * 1000)) ms off Deepgram's times (all: \(medians))")
            }
            // From the second repetition on (the first warms up the cepstral mean): no drift.
            if medians.count == repetitions, let last = medians.last {
                #expect(abs(last - medians[1]) <= 0.05,
                        "the last repetition's words are \(Int((last - medians[1]) * 1000)) ms off the second's (drift; all: \(medians))")
            }
        }

        /// Index pairs of the longest common subsequence of two word lists (compared as
        /// `TextNormalizer.bare` words: case and punctuation ignored).
        static func matched(_ a: [String], _ b: [String]) -> [(Int, Int)] {
            let x = a.map { TextNormalizer.bare($0[...]) }, y = b.map { TextNormalizer.bare($0[...]) }
            var table = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    table[i][j] = x[i] == y[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
                }
            }
            var pairs: [(Int, Int)] = []
            var i = 0, j = 0
            while i < x.count && j < y.count {
                if x[i] == y[j] { pairs.append((i, j)); i += 1; j += 1 }
                else if table[i + 1][j] >= table[i][j + 1] { i += 1 }
                else { j += 1 }
            }
            return pairs
        }
    }
}
