import Testing

@Test func placeholderCaptionUITests() { #expect(Bool(true)) }
