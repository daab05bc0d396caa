// libFuzzer entry point for what `captty serve` does with a client's binary frames when no
// `encoding` is given: a WAV stream (header, then samples) decoded and resampled to 16 kHz.
// Built by scripts/fuzz from Sources/LocalSpeech/{AudioIntake,WAVReader,SpeechConverter,
// LocalEngineError}.swift + the pure sources of Sources/Audio it parses and converts with (their
// `import Audio` dropped: one module). The properties live in ListenIntakeCheck.swift, which
// Tests/SecurityTests also compiles to replay fuzz/listen/regressions/ under `swift test`.

@_cdecl("LLVMFuzzerTestOneInput")
public func listenIntakeFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    ListenIntakeCheck.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
