import Testing

@Test func placeholderAudioTests() { #expect(Bool(true)) }
