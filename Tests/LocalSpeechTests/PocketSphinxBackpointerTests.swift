import Foundation
@testable import LocalSpeech
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// PocketSphinx aborted the whole process in CI (`ngram_search_find_exit: Assertion
/// 'end_bpidx < ngs->bp_table_size' failed`, quiet speech through `captty transcribe`): its
/// backpointer table grows only when an entry is added to a full table, so a frame that fills
/// it exactly, then a frame without a word exit and a hypothesis request meet the assertion.
/// The decoder is now made with a table the longest utterance never outgrows.
extension RealEngineTests {
    @Suite(.enabled(if: InstalledModels.sphinx, "PocketSphinx missing: run scripts/install-local-engine"))
    struct PocketSphinxBackpointerTests {
        /// The longest utterance the pipeline feeds the decoder with the default configuration.
        static var longestFrames: Int {
            RecognitionPipeline.longestUtteranceFrames(LocalEngineConfiguration(models: InstalledModels.found!))
        }

        /// Feeds `samples` as one utterance, asking for a hypothesis every second (as interims
        /// do), with PocketSphinx's log in a file; returns whether it resized its backpointer
        /// table on the way.
        static func resizes(backpointers: Int, _ samples: [Int16]) throws -> Bool {
            let decoder = try PocketSphinxDecoder(model: InstalledModels.found!.sphinx, backpointers: backpointers)
            let lib = try SphinxLibrary.shared.get()
            let dir = try scratchDirectory("sphinx-log")
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("log").path
            let log = try #require(fopen(path, "w"))
            decoder.startUtterance()
            var at = 0
            func resized() -> Bool {
                fflush(log)
                return (try? String(contentsOfFile: path, encoding: .utf8))?.contains("Resized backpointer table") == true
            }
            defer { lib.errSetLogfp(nil); fclose(log) }
            while at < samples.count {
                lib.errSetLogfp(log)   // another decoder's creation silences the log again
                let end = min(samples.count, at + 16_000)
                decoder.process(samples[at..<end])
                _ = decoder.hypothesis()
                at = end
                if resized() { return true }
            }
            _ = decoder.endUtterance()
            return resized()
        }

        @Test(.timeLimit(.minutes(2)))
        func theLongestUtteranceNeverGrowsTheBackpointerTable() throws {
            let frames = Self.longestFrames
            #expect(frames >= 1_000)
            // The preamble, louder and looped to the longest utterance: many word exits a frame.
            let speech = try InstalledModels.recording("preamble-rest.wav").map { Int16(clamping: Int($0) * 2) }
            var samples: [Int16] = []
            while samples.count < frames * 160 { samples += speech }
            samples = Array(samples.prefix(frames * 160))
            // PocketSphinx's default table is outgrown mid-utterance: the precondition of the abort.
            #expect(try Self.resizes(backpointers: PocketSphinxDecoder.defaultBackpointers, samples))
            // The table captty asks for is not.
            let size = PocketSphinxDecoder.backpointers(forUtteranceFrames: frames)
            #expect(try !Self.resizes(backpointers: size, samples), "\(size) entries were outgrown in \(frames) frames")
        }

        @Test func theTableScalesWithTheLongestUtteranceWithinBounds() {
            #expect(PocketSphinxDecoder.backpointers(forUtteranceFrames: 1_270) == 1_270 * 128)
            #expect(PocketSphinxDecoder.backpointers(forUtteranceFrames: 10) == PocketSphinxDecoder.defaultBackpointers)
            #expect(PocketSphinxDecoder.backpointers(forUtteranceFrames: 10_000_000) == 8_388_608)
        }
    }
}
