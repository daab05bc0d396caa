import Deepgram
import Foundation
import Testing
import TestSupport
import Transcript

/// `captty transcribe`, `export`, `devices` and `serve`, run as a user would run them.
@Suite struct SubcommandTests {
    static let testingWav = TestPaths.deepgramFixtures.appendingPathComponent("audio/testing-websocket.wav").path

    @Test func transcribeAFileWithTheLocalEngine() throws {
        let r = try runCaptty(["transcribe", "--engine", "local", Self.testingWav], timeout: 240)
        #expect(r.status == 0, "\(r.stderr)")
        let text = r.stdout.lowercased()
        #expect(text.contains("testing"), "\(r.stdout)")
        #expect(text.contains("[00:00:0"), "txt output carries stamps: \(r.stdout)")
    }

    @Test func transcribeToSRTFileIsAtomicAndPrivate() throws {
        let dir = try scratchDirectory("e2e")
        let out = dir.appendingPathComponent("out.srt").path
        let r = try runCaptty(["transcribe", "--engine", "local", "--format", "srt", "-o", out, Self.testingWav], timeout: 240)
        #expect(r.status == 0, "\(r.stderr)")
        let srt = try String(contentsOfFile: out, encoding: .utf8)
        #expect(srt.hasPrefix("1\n00:00:0"), "\(srt)")
        #expect(srt.contains(" --> "))
        let mode = (try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600)
        #expect(r.stderr.contains("written to \(out)"))
        #expect(r.stdout.isEmpty)
    }

    @Test func transcribeRefusesToWriteOverItsOwnRecording() throws {
        let dir = try scratchDirectory("e2e")
        let wav = dir.appendingPathComponent("meeting.wav")
        try FileManager.default.copyItem(atPath: Self.testingWav, toPath: wav.path)
        let before = try Data(contentsOf: wav)
        // The same file by its own path and through a symbolic link.
        let link = dir.appendingPathComponent("link.wav")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: wav.path)
        for out in [wav.path, link.path] {
            let r = try runCaptty(["transcribe", "--engine", "local", "--format", "vtt", "-o", out, wav.path], timeout: 60)
            #expect(r.status == 1, "\(r.stderr)")
            #expect(r.stderr.contains("is the recording being transcribed"), "\(r.stderr)")
            #expect(r.stderr.contains("Choose another output path"), "\(r.stderr)")
            // No note about the format it would write there first: it read as if it would.
            #expect(!r.stderr.contains("not an export format"), "\(r.stderr)")
            #expect(try Data(contentsOf: wav) == before, "the recording is untouched")
        }
        // The same file on standard input (`transcribe - -o X < X`).
        let viaStdin = try runProcess("/bin/sh", ["-c", "exec \(shellQuoted(TestPaths.capttyBinary.path)) transcribe - --engine local -o \(shellQuoted(wav.path)) < \(shellQuoted(wav.path))"],
                                      timeout: 60)
        #expect(viaStdin.status == 1 && viaStdin.stderr.contains("is the file on standard input"), "\(viaStdin.stderr)")
        #expect(try Data(contentsOf: wav) == before, "the recording is untouched")
    }

    @Test func transcribeACorruptFileSaysWhatIsWrong() throws {
        let dir = try scratchDirectory("e2e")
        let bad = dir.appendingPathComponent("bad.wav")
        try Data("RIFF\u{10}\0\0\0WAVEfmt junk".utf8).write(to: bad)
        let r = try runCaptty(["transcribe", "--engine", "local", bad.path], timeout: 60)
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.wav"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// A recording cut short (the header announces more audio than the file holds) is captioned
    /// up to its last sample, with a warning, in both commands: nothing that is there is lost.
    @Test func aWAVCutShortIsCaptionedUpToItsEndWithAWarning() throws {
        let dir = try scratchDirectory("e2e")
        let cut = dir.appendingPathComponent("cut.wav")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.testingWav))
        try whole.prefix(whole.count * 7 / 10).write(to: cut)
        let t = try runCaptty(["transcribe", "--engine", "local", cut.path], timeout: 240)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.lowercased().contains("testing 12"), "\(t.stdout)")
        #expect(t.stderr.contains("captty: \(cut.path) ends early: its WAV header announces 37440 bytes of audio but the file holds 26142"), "\(t.stderr)")
        let live = try runCaptty(["--plain", "--file", cut.path, "--engine", "local", "--no-journal", "--speed", "0"], timeout: 240)
        #expect(live.status == 0, "\(live.stderr)")
        #expect(live.stdout.lowercased().contains("testing 12"), "\(live.stdout)")
        #expect(live.stderr.contains("ends early"), "\(live.stderr)")
        #expect(!live.stderr.contains("error"), "\(live.stderr)")
    }

    /// A WAV cut right after its header holds nothing to caption: both commands fail and say why
    /// (transcribe used to write an empty transcript and exit 0).
    @Test func aWAVWithOnlyItsHeaderFails() throws {
        let dir = try scratchDirectory("e2e")
        let cut = dir.appendingPathComponent("header-only.wav")
        let whole = try Data(contentsOf: URL(fileURLWithPath: Self.testingWav))
        let data = try #require(whole.range(of: Data("data".utf8)))
        try whole.prefix(data.upperBound + 4).write(to: cut)
        let t = try runCaptty(["transcribe", "--engine", "local", cut.path], timeout: 120)
        #expect(t.status != 0, "\(t.stdout)")
        #expect(t.stderr.contains("header-only.wav holds no audio"), "\(t.stderr)")
        let live = try runCaptty(["--plain", "--file", cut.path, "--engine", "local", "--no-journal", "--speed", "0"], timeout: 120)
        #expect(live.status != 0, "\(live.stdout)")
        #expect(live.stderr.contains("header-only.wav holds no audio"), "\(live.stderr)")
    }

    /// Headerless audio is read with `--raw-format`, from a file or stdin, in both commands;
    /// without it the error says which option to use, and a bad format is refused up front.
    @Test func rawAudioWithADeclaredFormat() throws {
        let dir = try scratchDirectory("e2e")
        let raw = dir.appendingPathComponent("speech.ul")
        // µ-law at 8 kHz, a telephone recording's format, converted by sox (not by captty).
        #expect(try runProcess("/usr/bin/sox", [Self.testingWav, "-t", "raw", "-r", "8000", "-e", "mu-law", "-b", "8", raw.path]).status == 0)
        let t = try runCaptty(["transcribe", "--engine", "local", "--raw-format", "mulaw:8000", raw.path], timeout: 240)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.lowercased().contains("testing"), "\(t.stdout)")
        let pcm = dir.appendingPathComponent("speech.s16")
        #expect(try runProcess("/usr/bin/sox", [Self.testingWav, "-t", "raw", "-e", "signed", "-b", "16", "-r", "16000", pcm.path]).status == 0)
        let s = try runCaptty(["--plain", "--file", "-", "--raw-format", "s16le:16000:1", "--engine", "local", "--no-journal",
                               "--speed", "0"], stdin: try Data(contentsOf: pcm), timeout: 240)
        #expect(s.status == 0, "\(s.stderr)")
        #expect(s.stdout.lowercased().contains("testing"), "\(s.stdout)")
        let missing = try runCaptty(["transcribe", "--engine", "local", raw.path], timeout: 60)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--raw-format"), "\(missing.stderr)")
        let bad = try runCaptty(["transcribe", "--engine", "local", "--raw-format", "s16le:999", raw.path], timeout: 60)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("sample rate must be 1000…1000000 Hz"), "\(bad.stderr)")
    }

    @Test func exportAJournalInEveryFormat() async throws {
        let dir = try scratchDirectory("e2e")
        let journal = dir.appendingPathComponent("s.jsonl")
        let w = await JournalWriter(url: journal, header: JournalHeader(engine: "test", model: "nova-3", capttyVersion: "0.1.0"))
        var store = TranscriptStore()
        let words = [("Hello", 0.5, 0.9), ("there,", 0.9, 1.3), ("captions.", 1.3, 2.0)]
        let r = Results(start: 0, duration: 2.2, isFinal: true, speechFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: "Hello there, captions.", confidence: 0.9,
                        words: words.map { Word(word: $0.0.lowercased(), start: $0.1, end: $0.2, confidence: 0.9, punctuatedWord: $0.0) })]))
        _ = await w.append(store.apply(.results(r)))
        _ = await w.close()
        for (format, marker) in [("txt", "Hello there, captions."), ("srt", "00:00:00,500 --> "), ("vtt", "WEBVTT"),
                                 ("json", "\"transcript\""), ("md", "Hello there, captions.")] {
            let res = try runCaptty(["export", journal.path, "--format", format])
            #expect(res.status == 0, "\(format): \(res.stderr)")
            #expect(res.stdout.contains(marker), "\(format): \(res.stdout)")
        }
        let out = dir.appendingPathComponent("x.vtt").path
        let res = try runCaptty(["export", journal.path, "--format", "vtt", "-o", out])
        #expect(res.status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("WEBVTT"))
        #expect(res.stderr.hasPrefix("captty: wrote 1 line (3 words)"), "every message says who speaks: \(res.stderr)")
        // Format names as `ExportFormat(name:)` knows them, any case; `-o -` is standard output
        // (it wrote a file named "-").
        for (name, marker) in [("WebVTT", "WEBVTT"), ("markdown", "Hello there"), ("TXT", "Hello there")] {
            let r = try runCaptty(["export", journal.path, "--format", name, "-o", "-"], currentDirectory: dir.path)
            #expect(r.status == 0 && r.stdout.contains(marker), "\(name): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("-").path))
        // Where the export cannot go is said as transcribe says it (a directory, a device, a
        // reader gone were all "--format is needed", or a silent SIGPIPE).
        let toDir = try runCaptty(["export", journal.path, "-o", dir.path])
        #expect(toDir.status == 1 && toDir.stderr.contains("is a directory: give a file path"), "\(toDir.stderr)")
        let full = try runCaptty(["export", journal.path, "-o", "/dev/full"])
        #expect(full.status == 1 && full.stderr.contains("No space left on device"), "\(full.stderr)")
        // A reader already gone (the pipe's read end closed before captty writes).
        let script = "import os,subprocess,sys\nr,w=os.pipe()\nos.close(r)\n"
            + "p=subprocess.run(sys.argv[1:],stdout=w,stderr=subprocess.PIPE)\nprint('rc=%d' % p.returncode)\nprint(p.stderr.decode())"
        let piped = try runProcess("/usr/bin/python3", ["-c", script, TestPaths.capttyBinary.path, "export", journal.path, "--format", "json"])
        #expect(piped.stdout.hasPrefix("rc=1\n") && piped.stdout.contains("cannot write the export to standard output: Broken pipe"),
                "not killed by SIGPIPE (rc=-13): \(piped.stdout)")
    }

    /// Input that cannot come yet is said, not waited on in silence: standard input that is a
    /// terminal is an error (captty sat on a blank screen, `q` echoed), and a named pipe with no
    /// writer says it waits for one, then captions what a writer sends.
    @Test(.timeLimit(.minutes(3))) func aTerminalOnStdinIsAnErrorAndAFIFOSaysItWaits() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        // `script` gives captty a terminal on standard input.
        let bin = shellQuoted(TestPaths.capttyBinary.path)
        let tty = try runProcess("/usr/bin/script", ["-qec", "\(bin) transcribe - --engine local", "/dev/null"], timeout: 60)
        #expect(tty.status != 0 && !tty.timedOut, "\(tty.status) \(tty.stdout)")
        #expect(tty.stdout.contains("standard input is a terminal, not audio"), "\(tty.stdout)")
        let fifo = dir.appendingPathComponent("audio.fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let r = try runProcess("/bin/sh", ["-c", """
            \(bin) transcribe \(shellQuoted(fifo)) --engine local > out.txt 2> err.txt &
            p=$!; sleep 2; cp err.txt early.txt; cat \(shellQuoted(Self.testingWav)) > \(shellQuoted(fifo)); wait $p
            """], timeout: 240, currentDirectory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let early = try String(contentsOf: dir.appendingPathComponent("early.txt"), encoding: .utf8)
        #expect(early.contains("waiting for audio: \(fifo) is a named pipe (FIFO)"), "\(early)")
        let out = try String(contentsOf: dir.appendingPathComponent("out.txt"), encoding: .utf8)
        #expect(out.lowercased().contains("testing"), "\(out)")
    }

    /// Where an export goes, as a user would expect: through a symbolic link to its target (the
    /// link kept), into a FIFO a reader waits on (it was replaced by a file, as /dev/full was),
    /// and a full standard output is an error, not a truncated export with exit 0.
    @Test func exportsGoThroughLinksAndFIFOsAndAFullStdoutIsAnError() async throws {
        let dir = try scratchDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("s.jsonl")
        let w = await JournalWriter(url: journal, header: JournalHeader(engine: "test", model: "nova-3", capttyVersion: "0.1.0"))
        var store = TranscriptStore()
        let r = Results(start: 0, duration: 2.2, isFinal: true, speechFinal: true, channel: Channel(alternatives: [
            Alternative(transcript: "Hello there.", confidence: 0.9,
                        words: [Word(word: "hello", start: 0.5, end: 0.9, confidence: 0.9, punctuatedWord: "Hello"),
                                Word(word: "there", start: 0.9, end: 1.3, confidence: 0.9, punctuatedWord: "there.")])]))
        _ = await w.append(store.apply(.results(r)))
        _ = await w.close()

        let target = dir.appendingPathComponent("target.srt"), link = dir.appendingPathComponent("link.srt")
        try "old".write(to: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        let viaLink = try runCaptty(["export", journal.path, "--format", "srt", "-o", link.path])
        #expect(viaLink.status == 0, "\(viaLink.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path, "the link is kept")
        #expect(try String(contentsOf: target, encoding: .utf8).contains("Hello there."))
        // A link to a file not there yet: the file is created where it points.
        let dangling = dir.appendingPathComponent("dangling.srt"), later = dir.appendingPathComponent("later.srt")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "later.srt")
        let viaDangling = try runCaptty(["export", journal.path, "--format", "srt", "-o", dangling.path])
        #expect(viaDangling.status == 0, "\(viaDangling.stderr)")
        #expect(try String(contentsOf: later, encoding: .utf8).contains("Hello there."))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dangling.path) == "later.srt")

        let fifo = dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Task.detached { try? runProcess("/bin/cat", [fifo], timeout: 30) }
        let intoFIFO = try runCaptty(["export", journal.path, "--format", "txt", "-o", fifo], timeout: 30)
        #expect(intoFIFO.status == 0, "\(intoFIFO.stderr)")
        let read = await reader.value
        #expect(read?.stdout.contains("Hello there.") == true, "\(String(describing: read))")
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "still a FIFO")

        for (what, args) in [("export", "export \(shellQuoted(journal.path)) --format txt"),
                             ("transcribe", "transcribe --engine local \(shellQuoted(Self.testingWav))")] {
            let full = try runProcess("/bin/sh", ["-c", "\(shellQuoted(TestPaths.capttyBinary.path)) \(args) > /dev/full"], timeout: 120)
            #expect(full.status == 1, "\(what): \(full.stderr)")
            #expect(full.stderr.contains("standard output: No space left on device"), "\(what): \(full.stderr)")
        }
    }

    @Test func exportErrorsNameTheProblem() throws {
        let missing = try runCaptty(["export", "/nonexistent/j.jsonl", "--format", "srt"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/j.jsonl"))
        // Without --format too: the missing file is the problem said, not the format.
        let bare = try runCaptty(["export", "/nonexistent/j.jsonl"])
        #expect(bare.status != 0 && bare.stderr.contains("/nonexistent/j.jsonl") && !bare.stderr.contains("--format is needed"), "\(bare.stderr)")
        let dir = try scratchDirectory("e2e")
        let notJournal = dir.appendingPathComponent("n.jsonl")
        try "hello\n".write(to: notJournal, atomically: true, encoding: .utf8)
        let r = try runCaptty(["export", notJournal.path, "--format", "txt"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("journal"), "\(r.stderr)")
        let empty = try runCaptty(["export", notJournal.path, "--format", "txt", "-o", ""])
        #expect(empty.status != 0 && empty.stderr.contains("-o needs a file name"), "\(empty.stderr)")
    }

    @Test func devicesListsSourcesOrExplainsMissingServer() throws {
        let r = try runCaptty(["devices"], timeout: 30)
        if ProcessInfo.processInfo.environment["PULSE_SERVER"] != nil {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("monitor"), "\(r.stdout)")
        }
        let none = try runCaptty(["devices"], environment: ["PULSE_SERVER": "unix:/nonexistent/pulse/native"], timeout: 30)
        #expect(none.status == 69, "no service, as live captions say it: \(none.status)")
        #expect(none.stderr.contains("PULSE_SERVER"), "\(none.stderr)")
        // The server tried is named (it said "point PULSE_SERVER at…" to someone who had).
        #expect(none.stderr.contains("the PulseAudio server at unix:/nonexistent/pulse/native"), "\(none.stderr)")
    }

    /// When Moonshine cannot start (here: its worker program exits at once), the server falls back
    /// to PocketSphinx: the closing Metadata names the model the Results came from, as Deepgram's
    /// always agree. It named the configured Moonshine model.
    @Test func serveMetadataNamesTheModelThatRanWhenMoonshineCannotStart() throws {
        let (p, port, _) = try startServe(environment: ["CAPTTY_MOONSHINE_WORKER": "/bin/false"])
        defer { kill(p.processIdentifier, SIGKILL) }
        let probe = TestPaths.peers.appendingPathComponent("local_server_probe.py").path
        let r = try runProcess(TestPaths.python, [probe, "stream", "ws://127.0.0.1:\(port)/v1/listen", Self.testingWav], timeout: 120)
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("RESULT ") }, "\(r.stdout) \(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any])
        let uuids = try #require(json["result_model_uuids"] as? [String])
        let meta = try #require(json["metadata"] as? [String: Any], "\(json)")
        let models = try #require(meta["models"] as? [String])
        #expect(uuids.count == 1 && models == uuids, "Results \(uuids), Metadata \(models)")
        let info = (meta["model_info"] as? [String: [String: Any]])?[models.first ?? ""]
        #expect(info?["arch"] as? String == "pocketsphinx", "\(meta)")
    }

    @Test func transcribeThroughTheDeepgramEngineAgainstCapttyServe() throws {
        let (p, port, _) = try startServe()
        defer { kill(p.processIdentifier, SIGKILL) }
        let r = try runCaptty(["transcribe", "--url", "ws://127.0.0.1:\(port)", "--format", "vtt", Self.testingWav],
                              environment: ["DEEPGRAM_API_KEY": "e2e-key-7f3a"], timeout: 240)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("WEBVTT"), "\(r.stdout)")
        #expect(r.stdout.lowercased().contains("testing"), "\(r.stdout)")
        #expect(!r.stdout.contains("e2e-key-7f3a") && !r.stderr.contains("e2e-key-7f3a"))
    }

    /// `--encoding`, `--sample-rate` and `--channels` are what the server is told the bytes are,
    /// so the bytes must be made that way: mu-law at 8 kHz, and a stereo file's two channels
    /// with `--multichannel` (before, 16 kHz mono linear16 was sent under any announcement,
    /// which a server decodes as noise). captty serve decodes exactly what the query says.
    @Test func theFormatAnnouncedToTheServerIsTheFormatSent() throws {
        let (p, port, _) = try startServe()
        defer { kill(p.processIdentifier, SIGKILL) }
        let dir = try scratchDirectory("e2e-format")
        let stereo = dir.appendingPathComponent("stereo.wav").path
        let silence = dir.appendingPathComponent("silence.wav").path
        // The fixture is 8 kHz mu-law: the silent right channel matches it.
        for step in [["-n", "-r", "8000", "-c", "1", "-e", "mu-law", silence, "trim", "0", "4.68"],
                     ["-M", Self.testingWav, silence, stereo]] {
            let sox = try runProcess("/usr/bin/sox", step, timeout: 30)
            try #require(sox.status == 0, "sox \(step): \(sox.stderr)")
        }
        // linear32 is Deepgram's 32-bit float (both ends read it as integers: a float client
        // got empty transcripts).
        for (args, file) in [(["--encoding", "mulaw", "--sample-rate", "8000"], Self.testingWav),
                             (["--encoding", "linear32"], Self.testingWav),
                             (["--channels", "2", "--multichannel"], stereo)] {
            let r = try runCaptty(["transcribe", "--url", "ws://127.0.0.1:\(port)"] + args + [file],
                                  environment: ["DEEPGRAM_API_KEY": "e2e-key-7f3a"], timeout: 240)
            #expect(r.status == 0, "\(args): \(r.stderr)")
            #expect(r.stdout.lowercased().contains("testing 123"), "\(args): \(r.stdout)")
        }
        let mono = try runCaptty(["transcribe", "--url", "ws://127.0.0.1:\(port)", "--channels", "2", Self.testingWav],
                                 environment: ["DEEPGRAM_API_KEY": "e2e-key-7f3a"], timeout: 60)
        #expect(mono.status != 0)
        #expect(mono.stderr.contains("the audio has 1 channel(s), which cannot become 2"), "\(mono.stderr)")
        let opus = try runCaptty(["transcribe", "--url", "ws://127.0.0.1:\(port)", "--encoding", "opus", Self.testingWav],
                                 environment: ["DEEPGRAM_API_KEY": "e2e-key-7f3a"], timeout: 60)
        // A usage error, said before any audio is read (it was exit 1, "transcription failed").
        #expect(opus.status == 64, "\(opus.stderr)")
        #expect(opus.stderr.contains("--encoding opus cannot be sent: captty sends uncompressed audio"), "\(opus.stderr)")
    }

    /// An empty DEEPGRAM_API_KEY leaves the offline engine running, and says so (it ran it
    /// without a word, as if no key had been set).
    @Test func anEmptyKeyIsSaidWhenTheOfflineEngineRuns() throws {
        let r = try runCaptty(["transcribe", Self.testingWav], environment: ["DEEPGRAM_API_KEY": "  "], timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("DEEPGRAM_API_KEY is set but empty, so the offline engine runs"), "\(r.stderr)")
    }

    @Test func deepgramEngineWithoutAKeySaysWhatToDo() throws {
        let r = try runCaptty(["transcribe", "--engine", "deepgram", Self.testingWav],
                              environment: ["DEEPGRAM_API_KEY": nil], timeout: 30)
        #expect(r.status != 0)
        #expect(r.stderr.contains("DEEPGRAM_API_KEY"), "\(r.stderr)")
        // Every way on is named, each once.
        for advice in ["set DEEPGRAM_API_KEY", "--api-key-file", "--engine local"] {
            #expect(r.stderr.components(separatedBy: advice).count == 2, "\(advice): \(r.stderr)")
        }
    }

    @Test func aKeyFileOthersCanReadIsRefusedWithTheFix() throws {
        let dir = try scratchDirectory("e2e")
        let keyFile = dir.appendingPathComponent("dg.key").path
        try "secret-key-9c1d\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o644)
        let r = try runCaptty(["transcribe", "--engine", "deepgram", "--api-key-file", keyFile, Self.testingWav],
                              environment: ["DEEPGRAM_API_KEY": nil], timeout: 30)
        #expect(r.status != 0)
        #expect(r.stderr.contains("chmod 600"), "\(r.stderr)")
        #expect(!r.stderr.contains("set DEEPGRAM_API_KEY"), "\(r.stderr)")
        #expect(!r.stderr.contains("secret-key-9c1d") && !r.stdout.contains("secret-key-9c1d"))
    }

    @Test func serveAnswersADeepgramClientAndStopsOnSIGTERM() throws {
        let (p, port, announced) = try startServe()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        #expect(announced.contains("127.0.0.1"))
        let script = """
        import asyncio, json, sys, websockets
        async def main():
            url = "ws://127.0.0.1:%d/v1/listen?encoding=mulaw&sample_rate=8000&interim_results=true" % int(sys.argv[1])
            data = open(sys.argv[2], "rb").read()
            i = data.index(b"data") + 8          # the mu-law samples after the data chunk header
            audio = data[i:]
            finals = []
            async with websockets.connect(url) as ws:
                assert ws.response.headers.get("dg-request-id"), "no dg-request-id"
                for k in range(0, len(audio), 1600):
                    await ws.send(audio[k:k+1600])
                await ws.send(json.dumps({"type": "CloseStream"}))
                async for m in ws:
                    j = json.loads(m)
                    if j.get("type") == "Results" and j.get("is_final"):
                        finals.append(j["channel"]["alternatives"][0]["transcript"])
            print(" ".join(finals))
        asyncio.run(main())
        """
        let r = try runProcess(TestPaths.python, ["-c", script, String(port), Self.testingWav], timeout: 180)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.lowercased().contains("testing"), "\(r.stdout)")
        kill(p.processIdentifier, SIGTERM)
        let stopBy = ContinuousClock.now + .seconds(20)
        while p.isRunning, ContinuousClock.now < stopBy { Thread.sleep(forTimeInterval: 0.1) }
        #expect(!p.isRunning, "captty serve did not stop on SIGTERM")
    }
}

/// Starts `captty serve --port 0` and returns the process, its port and what it announced.
func startServe(_ extra: [String] = [], environment: [String: String] = [:]) throws -> (Process, Int, String) {
    let p = Process()
    p.executableURL = TestPaths.capttyBinary
    p.arguments = ["serve", "--port", "0"] + extra
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let errPipe = Pipe()
    p.standardError = errPipe
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    var announced = ""
    let deadline = ContinuousClock.now + .seconds(120)
    while !announced.contains("/v1/listen"), ContinuousClock.now < deadline {
        let d = errPipe.fileHandleForReading.availableData
        if d.isEmpty { break }
        announced += String(decoding: d, as: UTF8.self)
    }
    guard let port = announced.split(separator: ":").last.flatMap({ Int($0.prefix { $0.isNumber }) }) else {
        kill(p.processIdentifier, SIGKILL)
        throw ServeError(message: "captty serve did not announce a port: \(announced)")
    }
    return (p, port, announced)
}

struct ServeError: Error, CustomStringConvertible { var message: String; var description: String { message } }

