import Foundation
import Testing
@testable import Audio

/// A 5.1 recording (a film, a broadcast) mixed down to one channel: dialogue sits in the centre
/// channel, which an average put at a sixth of its level, under the low-frequency effects
/// channel's rumble. With the speaker positions the header gives, the centre counts most and
/// the LFE channel not at all; channels without positions are still averaged, none left out.
@Suite(.timeLimit(.minutes(1)))
struct SurroundDownmixTests {
    /// One second of 5.1 (FL FR FC LFE BL BR): speech-band tone in the centre, rumble in the LFE.
    static func surround() -> (bytes: [UInt8], centre: [Int16], lfe: [Int16]) {
        let centre = (0..<16_000).map { Int16(16_000 * sin(Double($0) * 2 * .pi * 440 / 16_000)) }
        let lfe = (0..<16_000).map { Int16(30_000 * sin(Double($0) * 2 * .pi * 40 / 16_000)) }
        var frames: [UInt8] = []
        for i in 0..<centre.count {
            for c in 0..<6 { frames += WAVBuilder.le16(c == 2 ? centre[i] : c == 3 ? lfe[i] : 0) }
        }
        return (frames, centre, lfe)
    }

    @Test func theCentreLeadsAndTheLFEChannelIsLeftOut() async throws {
        let (frames, centre, _) = Self.surround()
        var b = WAVBuilder()
        b.channels = 6
        b.extensible = true
        b.channelMask = 0x3F
        let path = try WAVBuilder.write(b.build(frames), name: "five-one.wav")
        let out = int16s(try await drain(try await FileAudioSource(path: path, options: fastOptions())).bytes)
        #expect(out.count == centre.count)
        let w: Float = 1 / 3.4142
        var worst = 0
        for (o, c) in zip(out, centre) {
            let expected = Int((Float(c) * w).rounded())
            worst = max(worst, abs(Int(o) - expected))
        }
        #expect(worst <= 2, "the mix is not the centre at \(w): off by \(worst)")
        let header = try #require(try WAVHeader.parse(b.build([]), path: "", atEOF: true))
        #expect(header.channelMask == 0x3F)
        #expect(try WAVFile(path: path).samples(as: AudioFormat(encoding: .linear16, sampleRate: 16_000, channels: 1)) == out.flatMap { WAVBuilder.le16($0) })
    }

    /// Six channels without speaker positions (a plain PCM header, a multitrack recorder): all
    /// count alike, the fourth included.
    @Test func channelsWithoutPositionsAreAveraged() async throws {
        let (frames, centre, lfe) = Self.surround()
        var b = WAVBuilder()
        b.channels = 6
        let out = int16s(try await drain(try await FileAudioSource(path: try WAVBuilder.write(b.build(frames), name: "six.wav"),
                                                                   options: fastOptions())).bytes)
        var worst = 0
        for i in 0..<min(out.count, centre.count) {
            let sum: Float = Float(centre[i]) + Float(lfe[i])
            worst = max(worst, abs(Int(out[i]) - Int((sum / 6).rounded())))
        }
        #expect(out.count == centre.count && worst <= 2, "off by \(worst)")
    }

    @Test func weightsOnlyWithAnLFEChannelAndEveryChannelPlaced() {
        func weights(_ mask: UInt32, _ channels: Int) -> [Float]? {
            WAVHeader(format: PCMFormat(encoding: .s16le, sampleRate: 48_000, channels: channels), formatTag: 1, isExtensible: true,
                      dataOffset: 68, dataLength: nil, channelMask: mask).downmixWeights
        }
        let fiveOne = try! #require(weights(0x3F, 6))
        #expect(abs(fiveOne.reduce(0, +) - 1) < 1e-5 && fiveOne[3] == 0 && fiveOne[2] == fiveOne.max())
        let sevenOne = try! #require(weights(0x63F, 8))   // FL FR FC LFE BL BR SL SR
        #expect(sevenOne.count == 8 && sevenOne[3] == 0 && abs(sevenOne.reduce(0, +) - 1) < 1e-5)
        #expect(weights(0x33, 4) == nil, "quad has no LFE: averaged")
        #expect(weights(0x3F, 8) == nil, "two channels without a position: averaged")
        #expect(weights(0x3, 2) == nil)
    }
}
