// libFuzzer entry point for the WAV reader and the conversion path over bytes. Built by scripts/fuzz
// together with the pure-Swift sources of Sources/Audio (no PulseAudio, no descriptors); the
// properties live in WAVCheck.swift, which Tests/SecurityTests also compiles to replay
// fuzz/wav/regressions/ under `swift test`.

@_cdecl("LLVMFuzzerTestOneInput")
public func wavFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    WAVCheck.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
