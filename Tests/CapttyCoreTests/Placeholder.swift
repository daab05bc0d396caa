import Testing

@Test func placeholderCapttyCoreTests() { #expect(Bool(true)) }
