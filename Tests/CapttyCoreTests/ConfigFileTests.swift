import Foundation
import Testing
import TestSupport
import Deepgram
@testable import CapttyCore

/// The config file: every setting is read, and an invalid file names the line and key.
@Suite struct ConfigFileTests {
    @Test func fullExampleParses() throws {
        let text = """
        # captty settings
        engine = "local"
        url = 'ws://127.0.0.1:8080'
        device = "USB Mic"   # trailing comment
        plain = false

        [deepgram]
        model = "nova-2"
        language = "en-GB"
        languages = ["en", "es", "de"]
        models = ["nova-3", "nova-2"]
        punctuate = true
        smart_format = false
        diarize = true
        endpointing = false
        utterance_end_ms = 1_500
        keyterm = ["captty", "Deepgram"]
        keywords = ["kale:2"]
        redact = "pci"
        search = ["budget", "Q3"]
        replace = ["color:colour", "um"]
        tag = "standup"
        extra = ["team:ops", "room:4:b"]
        params = ["new_option=1"]
        version = "latest"
        callback = "https://example.com/hook"
        callback_method = "put"
        mip_opt_out = true
        detect_entities = true
        diarize_model = "latest"
        language_hint = ["en", "de"]

        [display]
        interim = false
        low_confidence = 0.45

        [keys]
        pause = "p"
        quit = "ctrl-q"
        """
        let c = try CapttyConfig.parse(text)
        #expect(c.engine == .local)
        #expect(c.url == "ws://127.0.0.1:8080")
        #expect(c.device == "USB Mic")
        #expect(c.options.model == "nova-2")
        #expect(c.options.language == "en-GB")
        #expect(c.languages == ["en", "es", "de"])
        #expect(c.models == ["nova-3", "nova-2"])
        #expect(c.options.punctuate == true && c.options.smartFormat == false && c.options.diarize == true)
        #expect(c.options.endpointing == .disabled)
        #expect(c.options.utteranceEndMs == 1500)
        #expect(c.options.keyterm == ["captty", "Deepgram"])
        #expect(c.options.keywords == [.init("kale", boost: 2)])
        #expect(c.options.redact == [.pci])
        // These were "unknown setting" though the README says the config holds every option.
        #expect(c.options.search == ["budget", "Q3"])
        #expect(c.options.replace == [.init("color", with: "colour"), .init("um")])
        #expect(c.options.tag == ["standup"])
        #expect(c.options.extra == [KeyValue("team", "ops"), KeyValue("room", "4:b")])
        #expect(c.options.additional == [KeyValue("new_option", "1")])
        #expect(c.options.version == "latest" && c.options.callback == "https://example.com/hook")
        #expect(c.options.callbackMethod == .put && c.options.mipOptOut == true)
        #expect(c.options.detectEntities == true && c.options.diarizeModel == "latest" && c.options.languageHint == ["en", "de"])
        #expect(c.display.interim == false)
        #expect(c.display.lowConfidence == 0.45)
        #expect(c.keys == ["pause": "p", "quit": "ctrl-q"])
        #expect(c.keyLines["quit"] == 39)
    }

    @Test(arguments: [
        ("engine = \"cloud\"", 1, "engine", "not an engine"),
        ("[deepgram]\nlanguage = \"english\"", 2, "deepgram.language", "language tag"),
        ("[deepgram]\npunctuate = yes", 2, "deepgram.punctuate", "not a value"),
        ("[deepgram]\npunctuate = \"yes\"", 2, "deepgram.punctuate", "true or false"),
        ("plain = true\nplain = false", 2, "plain", "set twice"),
        ("\n\nwhatever = 1", 3, "whatever", "unknown setting"),
        // A typo, or a setting in the wrong section, gets a suggestion.
        ("[deepgram]\nmodle = \"nova-3\"", 2, "deepgram.modle", "did you mean 'deepgram.model'?"),
        ("[display]\nchunk_ms = 100", 2, "display.chunk_ms", "did you mean 'chunk_ms'?"),
        ("[display]\nlow_confidence = 2.5", 2, "display.low_confidence", "between 0 and 1"),
        ("[deepgram]\nmodels = [\"a\", 3]", 2, "deepgram.models", "list of strings"),
        ("url = \"ws://x", 1, "url", "not closed"),
        ("[deepgram]\nkeyterm = [\"a\",", 2, "deepgram.keyterm", "not closed"),
        // A list over several lines that never closes is named where it starts; a mistake
        // inside it, where it is.
        ("[deepgram]\nkeyterm = [\n  \"a\",\n  \"b\",\n\n[display]\nmeter = true", 2, "deepgram.keyterm", "not closed with ]"),
        ("[deepgram]\nkeyterm = [\n  \"a\"\n  \"b\"\n]", 4, "deepgram.keyterm", "expected , or ] in list (in the list starting on line 2)"),
        ("[deepgram]\nkeyterm = [\n  \"a,\n  \"b\"\n]", 3, "deepgram.keyterm", "string is not closed"),
        ("x = " + String(repeating: "[", count: 100_000), 1, "x", "nested too deeply"),
        ("[deepgram]\nkeyterm = [\"a\"\nmodel = \"nova-3\"", 2, "deepgram.keyterm", "not closed with ] (line 3 is not part of it)"),
        ("api_key = \"abc\"", 1, "api_key", "DEEPGRAM_API_KEY"),
        // It said "put text in quotes".
        ("chunk_ms = 99999999999999999999", 1, "chunk_ms", "too large a number"),
        ("[deepgram]\nextra = [\"nocolon\"]", 2, "deepgram.extra", "must be key:value"),
        ("[deepgram]\nparams = [\"=x\"]", 2, "deepgram.params", "must be key=value"),
        ("[deepgram]\ncallback_method = \"GET\"", 2, "deepgram.callback_method", "not POST or PUT"),
        ("[deepgram]\nutterance_end_ms = -99999999999999999999", 2, "deepgram.utterance_end_ms", "too large a negative number"),
        // It said "put text in quotes, e.g. \"1e400\"".
        ("[display]\nlow_confidence = 1e400", 2, "display.low_confidence", "1e400 is too large a number"),
        ("[display]\nlow_confidence = nan", 2, "display.low_confidence", "nan is not a number"),
        // TOML's dotted keys: the message says to use a section ("may use only letters…").
        ("deepgram.model = \"nova-3\"", 1, "deepgram.model", "write model = … under a [deepgram] section"),
        // Checked where they are written, not blamed on flags the user never gave (--model…).
        ("[deepgram]\nmodel = \" \"", 2, "deepgram.model", "the model name is empty"),
        ("[deepgram]\nkeyterm = [\"a\", \"\"]", 2, "deepgram.keyterm", "a key term is empty"),
        ("[deepgram]\nparams = [\"encoding=mulaw\"]", 2, "deepgram.params", "set encoding = … in [deepgram] instead"),
        // Said with the file and line, not later as "transcription failed" (found in QA).
        ("url = \"not a url\"", 1, "url", "invalid Deepgram base URL 'not a url'"),
        ("[deepgram]\nsample_rate = 1", 2, "deepgram.sample_rate", "1 is out of range 1000…384000"),
        ("[deepgram]\nencoding = \"bogus\"", 2, "deepgram.encoding", "'bogus' is not an encoding captty sends"),
        ("[deepgram]\nmodels = [\"\", \"nova-2\"]", 2, "deepgram.models", "a model name is empty"),
        ("journal_dir = \"\"", 1, "journal_dir", "the directory is empty"),
        ("device = \" \"", 1, "device", "the device is empty"),
    ])
    func invalidConfigNamesLineAndKey(_ text: String, line: Int, key: String, words: String) {
        do {
            _ = try CapttyConfig.parse(text, file: "/home/u/.config/captty/config.toml")
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.key == key)
            #expect(error.description.contains(words), "\(error)")
            #expect(error.description.hasPrefix("/home/u/.config/captty/config.toml:\(line)"))
        }
    }

    @Test func syntaxErrorsWithoutKey() {
        for (text, line) in [("just words", 1), ("[unclosed", 1), ("x = 1\n[bad name]", 2), ("= 3", 1)] {
            do {
                _ = try CapttyConfig.parse(text)
                Issue.record("expected an error for \(text)")
            } catch {
                #expect(error.line == line, "\(text): \(error)")
            }
        }
    }

    @Test func secretsInConfigAreNotEchoed() {
        do {
            _ = try CapttyConfig.parse("[deepgram]\napi_key = \"dg-secret-123\"")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("dg-secret-123"))
        }
    }

    /// `--config /dev/null` skips a broken default config; a directory, a FIFO or a huge file
    /// is named for what it is (all were "cannot read the config file (check its permissions)").
    @Test func whatIsNotAConfigFileIsNamed() throws {
        #expect(try CapttyConfig.load(path: "/dev/null") == CapttyConfig.parse("", file: "/dev/null"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-cfg-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let huge = dir.appendingPathComponent("huge.toml")
        try Data(repeating: UInt8(ascii: "#"), count: CapttyConfig.maxFileBytes + 1).write(to: huge)
        for (path, says) in [(dir.path, "is a directory, not a config file"), (fifo, "is not a regular file"),
                             (huge.path, "too large for a config file"), ("", "the config path is empty")] {
            #expect {
                try CapttyConfig.load(path: path)
            } throws: { e in
                "\(e)".contains(says)
            }
        }
    }

    /// A list is read once it closes, not again at each of its lines: 9,000 key terms took 10 s,
    /// and the same list left open 108 s of CPU. Counted, not timed: the values are all there.
    @Test func aLongListOverManyLines() throws {
        let terms = (0 ..< 9_000).map { "term \($0)" }
        let text = "[deepgram]\nkeyterm = [\n" + terms.map { "  \"\($0)\",  # [not] a bracket\n" }.joined() + "]\nmodel = \"nova-3\"\n"
        let c = try CapttyConfig.parse(text)
        #expect(c.options.keyterm == terms)
        #expect(c.options.model?.rawValue == "nova-3")
        let open = "[deepgram]\nkeyterm = [\n" + terms.map { "  \"\($0)\",\n" }.joined()
        #expect {
            try CapttyConfig.parse(open)
        } throws: { e in
            (e as? ConfigError)?.line == 2 && "\(e)".contains("not closed with ]")
        }
    }

    @Test func missingDefaultFileIsEmptyButNamedFileIsAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-cfg-\(UUID())").path
        let c = try CapttyConfig.load(path: nil, environment: ["XDG_CONFIG_HOME": dir])
        #expect(c == CapttyConfig())
        #expect(throws: ConfigError.self) { try CapttyConfig.load(path: dir + "/nope.toml") }
    }

    @Test func loadsFromXDGConfigHome() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-cfg-\(UUID())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("captty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "engine = \"deepgram\"\n".write(to: dir.appendingPathComponent("captty/config.toml"), atomically: true, encoding: .utf8)
        let c = try CapttyConfig.load(path: nil, environment: ["XDG_CONFIG_HOME": dir.path])
        #expect(c.engine == .deepgram)
    }

    /// Lists over several lines, as TOML writes long ones: with comments, blank lines and a
    /// trailing comma. They were refused ("lists must fit on one line").
    @Test func listsOverSeveralLines() throws {
        let text = """
            [deepgram]
            keyterm = [
              "captty",      # the product
              'Deepgram',

              # people
              "Ada Lovelace",
            ]
            languages = ["en",
                         "fr"]
            models = [ ]
            model = "nova-3"   # after the lists, lines count on
            """
        let c = try CapttyConfig.parse(text)
        #expect(c.options.keyterm == ["captty", "Deepgram", "Ada Lovelace"])
        #expect(c.languages == ["en", "fr"])
        #expect(c.models.isEmpty)
        #expect(c.options.model?.rawValue == "nova-3")
        let entries = try ConfigParser.parse(text)
        #expect(entries.map(\.line) == [2, 9, 11, 12], "each entry is placed where it starts")
        // CRLF files too.
        #expect(try ConfigParser.parse(text.replacingOccurrences(of: "\n", with: "\r\n")) == entries)
    }

    @Test func stringEscapes() throws {
        let c = try CapttyConfig.parse(#"device = "a\"b\\c\u00e9""#)
        #expect(c.device == "a\"b\\cé")
    }
}

/// The sample config shipped in Assets/ is valid and matches captty's defaults.
@Suite struct SampleConfigTests {
    @Test func sampleConfigParses() throws {
        let url = TestPaths.packageRoot.appendingPathComponent("Assets/config.toml")
        let c = try CapttyConfig.parse(String(contentsOf: url, encoding: .utf8), file: url.path)
        #expect(c.engine == .auto)
        #expect(c.options.model == LiveOptions.captionDefaults.model)
        #expect(c.languages.count >= 2)
        #expect(c.display == CapttyConfig.DisplayDefaults())
    }

    /// The list suggestions come from holds only settings the config knows (a setting added
    /// to the config but not to the list would never be suggested; one in the list it does not
    /// know would be suggested in vain).
    @Test func everyListedSettingIsKnown() {
        for path in CapttyConfig.knownSettings {
            let parts = path.split(separator: ".")
            let text = parts.count == 2 ? "[\(parts[0])]\n\(parts[1]) = 1" : "\(path) = 1"
            do { _ = try CapttyConfig.parse(text) } catch {
                #expect(!error.message.contains("unknown setting"), "\(path): \(error)")
            }
        }
        #expect(ConfigError(file: "x.toml", line: 0, message: "no such config file").description == "x.toml: no such config file")
    }
}
