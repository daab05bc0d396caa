import Testing
@testable import LocalSpeech

/// A client of `captty serve` that sends a WAV stream (no `encoding`) gets the same limits as raw
/// audio: 1000–192000 Hz, 1–32 channels. Found in review: a header claiming 1 Hz made the resampler
/// to 16 kHz produce 16000 samples per input sample, so a 64 KiB message asked for gigabytes.
struct WAVStreamLimitTests {
    static func wav(rate: UInt32, channels: UInt16, dataBytes: Int) -> [UInt8] {
        func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let align = channels &* 2
        let fmt = le16(1) + le16(channels) + le32(rate) + le32(rate &* UInt32(align)) + le16(align) + le16(16)
        return Array("RIFF".utf8) + le32(0xFFFF_FFFF) + Array("WAVE".utf8) + Array("fmt ".utf8) + le32(16) + fmt
            + Array("data".utf8) + le32(0xFFFF_FFFF) + [UInt8](repeating: 0, count: dataBytes)
    }

    @Test func implausibleRatesAndChannelCountsAreRefused() {
        for (rate, channels) in [(1, 1), (999, 1), (192_001, 1), (4_000_000_000, 1), (16_000, 33), (16_000, 65535)] as [(UInt32, UInt16)] {
            var intake = AudioIntake(format: nil, separateChannels: true)
            let out = intake.push(Self.wav(rate: rate, channels: channels, dataBytes: 64))
            guard case .invalid(let why) = out else {
                Issue.record("\(rate) Hz × \(channels) accepted"); continue
            }
            #expect(why.contains("1000 to 192000 Hz"), "\(why)")
        }
    }

    /// The refusal states the server's limits only: "channels 65 is more than the 64 supported;
    /// this server takes … 1 to 32 channels" gave two limits, and a damaged header's advice was
    /// a captty command line, meant for no remote client (found in QA).
    @Test func theRefusalGivesTheServersLimitsAlone() {
        for (rate, channels, expected) in [(16_000, 65, "the WAV header gives channels 65;"), (16_000, 0, "the WAV header gives channels 0;"),
                                           (0, 1, "the WAV header gives sample rate 0 Hz;")] as [(UInt32, UInt16, String)] {
            var intake = AudioIntake(format: nil, separateChannels: false)
            guard case .invalid(let why) = intake.push(Self.wav(rate: rate, channels: channels, dataBytes: 64)) else {
                Issue.record("\(rate) Hz × \(channels) accepted"); continue
            }
            #expect(why.hasPrefix(expected) && why.hasSuffix("this server takes 1000 to 192000 Hz and 1 to 32 channels"), "\(why)")
            #expect(!why.contains("64 supported") && !why.contains("captty"), "\(why)")
        }
    }

    @Test func ordinaryWAVStreamsStillDecode() {
        for (rate, channels) in [(1_000, 1), (8_000, 1), (16_000, 2), (48_000, 1), (192_000, 32)] as [(UInt32, UInt16)] {
            var intake = AudioIntake(format: nil, separateChannels: false)
            let out = intake.push(Self.wav(rate: rate, channels: channels, dataBytes: Int(channels) * 2 * 4_000))
            guard case .samples(let s) = out else { Issue.record("\(rate) Hz × \(channels): \(out)"); continue }
            // Output is at 16 kHz: never more than 16000/rate times the input frames (plus the filter's reach).
            #expect(s.count == 1 && s[0].count <= 4_000 * 16_000 / Int(rate) + 64, "\(rate) Hz: \(s.first?.count ?? 0) samples")
        }
    }
}
