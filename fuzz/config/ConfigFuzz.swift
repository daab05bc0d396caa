// libFuzzer entry point for the config file parser. Built by scripts/fuzz together with
// Sources/CapttyCore/{ConfigParser,CapttyConfig,EngineSelection}.swift and
// Sources/Deepgram/LiveOptions.swift; the properties live in ConfigCheck.swift, which
// Tests/SecurityTests also compiles to replay fuzz/config/regressions/ under `swift test`.

@_cdecl("LLVMFuzzerTestOneInput")
public func configFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    ConfigCheck.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
