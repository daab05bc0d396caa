import Testing
@testable import CapttyCore

/// A config saved with Windows (CRLF) line endings means what the same file with LF endings means.
/// Found by the config fuzzer (fuzz/config/regressions/crlf-line-endings-duplicate-key.toml):
/// "\r\n" is a single Character in Swift, so splitting on "\n" left a CRLF file as one line, and a
/// file starting with a comment was silently ignored whole.
struct ConfigLineEndingTests {
    @Test func crlfFileStartingWithACommentIsRead() throws {
        let c = try CapttyConfig.parse("# settings\r\nengine = \"local\"\r\n[display]\r\nmeter = false\r\n")
        #expect(c.engine == .local)
        #expect(c.display.meter == false)
        #expect(try LiveApp.Settings.from(c).toggles.showMeter == false, "the setting reaches the screen")
    }

    @Test func crlfErrorsNameTheSameLineAsLF() {
        for text in ["a = 1\na = 2\n", "a = 1\r\na = 2\r\n"] {
            #expect(throws: ConfigError(file: "config.toml", line: 2, key: "a", message: "a is set twice")) {
                try ConfigParser.parse(text)
            }
        }
    }

    @Test func mixedLineEndingsGiveTheSameEntries() throws {
        let lf = try ConfigParser.parse("engine = \"local\"\n[deepgram]\nmodel = \"nova-2\"\n")
        let mixed = try ConfigParser.parse("engine = \"local\"\r\n[deepgram]\nmodel = \"nova-2\"\r\n")
        #expect(lf == mixed)
        #expect(lf.map(\.line) == [1, 3])
    }
}
