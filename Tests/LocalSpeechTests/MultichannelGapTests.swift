import Audio
import Deepgram
@testable import LocalSpeech
import Testing

/// `multichannel` through the offline engine: audio lost before a chunk (`gapBefore`, a capture
/// outage) moves every channel's clock on, as it does for mono; results keep matching the
/// session's time instead of falling behind by the gap.
extension RealEngineTests {
    @Suite(.enabled(if: InstalledModels.sphinx, "offline models not installed: run scripts/install-local-engine"))
    struct MultichannelGapTests {
        @Test(.timeLimit(.minutes(2))) func aGapMovesEveryChannelsClockOn() async throws {
            let models = try #require(InstalledModels.found)
            let recognizer = LocalRecognizer(configuration: LocalEngineConfiguration(models: models, mode: .sphinxOnly))
            var options = LiveOptions.captionDefaults
            options.multichannel = true
            options.channels = 2
            let format = AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 2)
            let second = [UInt8](repeating: 0, count: 16_000 * 4)   // 1 s of stereo silence
            let audio = AsyncThrowingStream<AudioChunk, Error> { c in
                c.yield(AudioChunk(format: format, data: second, startFrame: 0))
                c.yield(AudioChunk(format: format, data: second, startFrame: 16_000))
                // 10 s lost, then one more second.
                c.yield(AudioChunk(format: format, data: second, startFrame: 16_000 * 12, gapBefore: 10))
                c.finish()
            }
            var ends: [Int: Double] = [:]
            for try await e in recognizer.transcribe(audio, options: options) {
                if case .results(let r) = e, r.isFinal { ends[r.channelIndex.first ?? -1] = r.start + r.duration }
            }
            #expect(ends.keys.sorted() == [0, 1], "\(ends)")
            for (c, end) in ends { #expect(abs(end - 13) < 0.05, "channel \(c): finals end at \(end) s, not 13 s") }
        }
    }
}
