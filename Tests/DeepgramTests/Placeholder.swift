import Testing

@Test func placeholderDeepgram() { #expect(Bool(true)) }
