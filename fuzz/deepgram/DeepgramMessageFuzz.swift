// libFuzzer entry point for the Deepgram server-message decoder. Built by scripts/fuzz together
// with Sources/Deepgram/Messages.swift; the properties live in DeepgramMessageCheck.swift, which
// Tests/SecurityTests also compiles to replay fuzz/deepgram/regressions/ under `swift test`.

@_cdecl("LLVMFuzzerTestOneInput")
public func deepgramMessageFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    DeepgramMessageCheck.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
