import Foundation
import Testing
import TestSupport

/// The `captty` command-line surface, run as a user would run the built binary.
@Suite struct CommandLineTests {
    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: TestPaths.capttyBinary.path),
                "build captty first: swift build")
    }

    @Test func helpListsSubcommandsWithDescriptions() throws {
        let r = try runCaptty(["--help"])
        #expect(r.status == 0)
        for (name, words) in [("live", "Caption live audio"), ("transcribe", "Transcribe an audio file"),
                              ("export", "Export a session journal"), ("devices", "List audio sources"),
                              ("serve", "Deepgram-compatible")] {
            let line = r.stdout.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(name) }
            #expect(line != nil, "no line for \(name) in:\n\(r.stdout)")
            #expect(r.stdout.contains(words), "\(name) lacks its description")
        }
    }

    @Test func versionPrintsSemver() throws {
        let r = try runCaptty(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test func liveHelpListsOneFlagPerDeepgramOption() throws {
        let r = try runCaptty(["live", "--help"])
        #expect(r.status == 0)
        for flag in ["--engine", "--url", "--device", "--system-audio", "--file", "--plain", "--language", "--model",
                     "--journal", "--punctuate", "--no-punctuate", "--smart-format", "--diarize", "--numerals",
                     "--profanity-filter", "--interim-results", "--vad-events", "--dictation", "--filler-words",
                     "--endpointing", "--utterance-end-ms", "--redact", "--keyterm", "--keywords", "--search",
                     "--replace", "--tag", "--extra", "--multichannel", "--channels", "--sample-rate", "--encoding",
                     "--model-version", "--callback", "--callback-method", "--mip-opt-out", "--param",
                     "--detect-entities", "--diarize-model", "--language-hint",
                     "--api-key-file", "--ca-file"] {
            #expect(r.stdout.contains(flag), "missing \(flag)")
        }
    }

    @Test func badOptionValuesGetClearErrors() throws {
        let lang = try runCaptty(["--language", "english", "--file", "/nonexistent.wav"])
        #expect(lang.status != 0)
        #expect(lang.stderr.contains("BCP-47"))
        let hint = try runCaptty(["--language-hint", "english", "--file", "/nonexistent.wav"])
        #expect(hint.status == 64 && hint.stderr.contains("--language-hint 'english' is not a language tag"), "\(hint.stderr)")
        let diarizeModel = try runCaptty(["--diarize-model", " ", "--file", "/nonexistent.wav"])
        #expect(diarizeModel.status == 64 && diarizeModel.stderr.contains("--diarize-model is empty"), "\(diarizeModel.stderr)")
        // An empty path is said as such ("cannot read : No such file or directory" was printed).
        let empty = try runCaptty(["--plain", "--file", ""])
        #expect(empty.status == 64 && empty.stderr.contains("--file needs a path (or - for standard input)"), "\(empty.stderr)")
        // A misspelt command is said as one (it was "Unexpected argument" under live's usage).
        let typo = try runCaptty(["transcibe", "x.wav"])
        #expect(typo.status == 64 && typo.stderr.contains("'transcibe' is not a command; did you mean 'transcribe'?"), "\(typo.stderr)")
        let devices = try runCaptty(["devics"])
        #expect(devices.status == 64 && devices.stderr.contains("did you mean 'devices'?"), "\(devices.stderr)")
        let emptyDevice = try runCaptty(["--plain", "--device", ""])
        #expect(emptyDevice.status == 64 && emptyDevice.stderr.contains("--device needs a device's name"), "\(emptyDevice.stderr)")
        let emptyJournal = try runCaptty(["--plain", "--file", "/nonexistent.wav", "--journal", ""])
        #expect(emptyJournal.status == 64 && emptyJournal.stderr.contains("--journal needs a file path"), "\(emptyJournal.stderr)")
        let emptyT = try runCaptty(["transcribe", ""])
        #expect(emptyT.status == 64 && emptyT.stderr.contains("the file to transcribe is an empty path"), "\(emptyT.stderr)")
        let ep = try runCaptty(["--endpointing", "soon"])
        #expect(ep.status != 0)
        #expect(ep.stderr.contains("milliseconds (0 or more) or false"))
        let two = try runCaptty(["--system-audio", "--file", "x.wav"])
        #expect(two.status != 0)
        #expect(two.stderr.contains("choose one audio source"))
        let fmt = try runCaptty(["export", "j.jsonl", "--format", "doc"])
        #expect(fmt.status != 0)
        #expect(fmt.stderr.contains("txt"))
    }

    /// A negative number is the option's value, not another option: the user hears what is
    /// wrong with it ("Missing value for '--port'" said they had given none).
    @Test func negativeNumbersGetTheOptionsOwnError() throws {
        for (args, says) in [(["serve", "--port", "-1"], "--port must be between 0 and 65535"),
                             (["serve", "--max-clients", "-1"], "--max-clients must be at least 1"),
                             (["--chunk-ms", "-5"], "--chunk-ms -5 is outside 20-250"),
                             (["--speed", "-1"], "--speed must be 0"),
                             (["--speed", "1e-9"], "a factor of at least 0.1"),
                             (["transcribe", "x.wav", "--sample-rate", "-8000"], "--sample-rate must be a number of Hz between 1000 and 384000"),
                             (["transcribe", "x.wav", "--sample-rate", "1"], "--sample-rate must be a number of Hz between 1000 and 384000"),
                             (["--url", "notaurl"], "--url: invalid Deepgram base URL 'notaurl'"),
                             (["transcribe", "x.wav", "--channels", "-2"], "--channels must be at least 1"),
                             (["transcribe", "x.wav", "--utterance-end-ms", "-5"], "--utterance-end-ms must not be negative"),
                             (["transcribe", "x.wav", "--endpointing", "-5"], "--endpointing '-5' must be a number of milliseconds (0 or more)")] {
            let r = try runCaptty(args)
            #expect(r.status == 64, "a usage error, said before anything starts: \(args): \(r.status)")
            #expect(r.stderr.contains(says) && !r.stderr.contains("Missing value"), "\(args): \(r.stderr)")
        }
        // A value left out is still reported as missing.
        let missing = try runCaptty(["serve", "--port"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("Missing value for '--port"), "\(missing.stderr)")
    }

    @Test func apiKeyIsNeverAcceptedOnTheCommandLine() throws {
        let r = try runCaptty(["--api-key", "sekrit-key-123"])
        #expect(r.status != 0)
        #expect(!r.stderr.contains("sekrit-key-123") || r.stderr.contains("Unknown option"))
    }
}
