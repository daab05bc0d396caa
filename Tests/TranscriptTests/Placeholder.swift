import Testing

@Test func placeholderTranscriptTests() { #expect(Bool(true)) }
