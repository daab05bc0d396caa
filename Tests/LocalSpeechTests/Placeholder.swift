import Testing

@Test func placeholderLocalSpeechTests() { #expect(Bool(true)) }
