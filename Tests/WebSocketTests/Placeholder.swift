import Testing

@Test func placeholderWebSocketTests() { #expect(Bool(true)) }
