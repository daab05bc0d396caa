// Properties of the local server's WAV-stream intake on arbitrary client bytes. Shared by the
// libFuzzer target (fuzz/listen) and the regression replay in Tests/SecurityTests.
//
// Input: byte 0 bit 0 keeps channels apart (multichannel); byte 1 is the frame size the client
// sends in; the rest is the stream.
#if canImport(LocalSpeech)
@testable import LocalSpeech
#endif

/// Checks one input; a violated property stops the process (libFuzzer records the input).
enum ListenIntakeCheck {
    static func require(_ ok: Bool, _ why: @autoclosure () -> String = "property violated", line: UInt = #line) {
        if !ok { fail(why(), line: line) }
    }
    static func fail(_ why: String, line: UInt = #line) -> Never { fatalError("\(Self.self) line \(line): \(why)") }

    /// Runs the stream through one intake in frames of `step` bytes: per-channel output, or nil if refused.
    static func run(_ bytes: [UInt8], step: Int, separate: Bool) -> (out: [[Int16]], intake: AudioIntake)? {
        var intake = AudioIntake(format: nil, separateChannels: separate)
        var out: [[Int16]] = []
        var i = 0
        while i < bytes.count {
            let j = min(bytes.count, i + step)
            switch intake.push(Array(bytes[i..<j])) {
            case .invalid(let why):
                require(!why.isEmpty)
                return nil
            case .samples(let s):
                if let f = intake.format {
                    require(s.count == (separate ? f.channels : 1), "\(s.count) output channels for \(f)")
                    // The header's claims stay within what the server accepts for raw audio.
                    require((1_000...192_000).contains(f.sampleRate) && (1...32).contains(f.channels), "accepted \(f)")
                } else {
                    require(s.allSatisfy(\.isEmpty), "samples before the header")
                }
                if out.isEmpty { out = Array(repeating: [], count: s.count) }
                if !s.isEmpty {
                    require(s.count == out.count, "channel count changed")
                    for c in s.indices { out[c] += s[c] }
                }
            }
            i = j
        }
        let tail = intake.flush()
        if out.isEmpty { out = Array(repeating: [], count: tail.count) }
        for c in tail.indices where c < out.count { out[c] += tail[c] }
        return (out, intake)
    }

    static func check(_ input: [UInt8]) {
        guard input.count >= 2 else { return }
        let separate = input[0] & 1 == 1
        let step = Int(input[1]) + 1
        let bytes = Array(input[2...])
        let chunked = run(bytes, step: step, separate: separate)
        let whole = run(bytes, step: max(1, bytes.count), separate: separate)
        require((chunked == nil) == (whole == nil), "frame boundaries change whether the stream is accepted")
        guard let chunked, let whole else { return }
        require(chunked.out == whole.out, "frame boundaries change the samples")
        guard let f = whole.intake.format else { return }
        // Resampling to 16 kHz: at most ceil(frames · 16000 / rate) + 1 samples per channel.
        let frames = whole.intake.bytesIn / f.bytesPerFrame
        let bound = (frames * 16_000 + f.sampleRate - 1) / f.sampleRate + 1
        for c in whole.out { require(c.count <= bound, "\(c.count) samples from \(frames) frames at \(f.sampleRate) Hz") }
    }
}
