import Audio
import CaptionUI
import Deepgram
import Foundation
import LocalSpeech
import SpeechEngines
import Testing
import TestSupport
import Transcript
@testable import CapttyCore

/// Changing an engine option mid-stream opens a new engine run with no audio dropped and a
/// continuous transcript.
@Suite(.serialized) struct SessionRestartTests {
    /// Polls `condition` (bounded); true when it held before `timeout`.
    static func eventually(_ timeout: Duration = .seconds(60), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Real speech through the offline engine: punctuation is turned off 8 s in. Every byte the
    /// source produced reached exactly one run; the words after the switch come from the new
    /// run (no punctuation), the transcript runs from the first sentence to the last.
    /// Keys for options the offline engine does not have (diarize, profanity filter, model,
    /// language) restarted it for nothing, splitting what was being said, and the status bar
    /// showed "diar" on. Now they are said to change nothing; punctuation still restarts.
    @Test func offlineEngineKeysItLacksChangeNothingAndSaySo() async throws {
        let engine = try LocalRecognizer.discover()
        let source = try await FileAudioSource(path: TestAudio.preamble)
        let session = Session(source: source, engine: engine, options: .captionDefaults)
        #expect(session.view.status.model != "nova-3", "the status named a Deepgram model: \(session.view.status.model)")
        try await within(.seconds(120), "keys on the offline engine") {
            await session.start()
            #expect(await Self.eventually { await session.audioCounts.produced >= 4 * 32_000 })
            for action in [KeyAction.toggleDiarize, .toggleProfanityFilter, .cycleModel, .cycleLanguage] {
                #expect(await session.apply(action, languages: [], models: []))
            }
            #expect(await session.audioCounts.perRun.count == 1, "no restart")
            #expect(session.view.options == .captionDefaults)
            #expect(session.view.warning?.contains("the offline engine has no other languages") == true, "\(String(describing: session.view.warning))")
            #expect(session.view.warningCount == 4)
            #expect(await session.apply(.togglePunctuate, languages: [], models: []))
            #expect(await Self.eventually { await session.audioCounts.perRun.count == 2 })
            await session.finish()
        }
    }

    /// Paused time is not lag: after a 6 s pause the offline engine's lag read over 6 s until
    /// its next result (found in QA).
    @Test func aPauseIsNotCountedAsLag() async throws {
        let engine = try LocalRecognizer.discover()
        // A pipe, as live audio: it cannot be held, so audio goes by uncaptioned while paused (a
        // regular file waits instead).
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let wav = try Data(contentsOf: URL(fileURLWithPath: TestAudio.preamble))
        let writer = Thread {
            wav.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = write(writeEnd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            close(writeEnd)
        }
        writer.start()
        let source = try await FileAudioSource(fileDescriptor: readEnd, name: "a pipe")
        let session = Session(source: source, engine: engine, options: .captionDefaults)
        try await within(.seconds(120), "a pause on the offline engine") {
            await session.start()
            #expect(await Self.eventually { await session.audioCounts.produced >= 3 * 32_000 })
            await session.setPaused(true)
            try await Task.sleep(for: .seconds(6))
            await session.setPaused(false)
            var lags: [Int] = []
            for _ in 0 ..< 15 {
                try await Task.sleep(for: .milliseconds(100))
                if let lag = session.view.lagMilliseconds { lags.append(lag) }
            }
            #expect(!lags.isEmpty && lags.allSatisfy { $0 < 4_000 }, "lag after a 6 s pause: \(lags)")
            await session.finish()
        }
    }

    /// The model key names the model the offline engine runs: "it runs Moonshine" was said
    /// with only PocketSphinx installed, while the status bar said pocketsphinx (found in QA).
    @Test func theModelKeyNamesTheModelTheOfflineEngineRuns() throws {
        let sphinx = try LocalRecognizer.discover(mode: .sphinxOnly)
        #expect(Session.offlineModel(sphinx, .captionDefaults) == "PocketSphinx")
        #expect(Session.offlineEngineLacks(.cycleModel, runs: Session.offlineModel(sphinx, .captionDefaults)) == "other models (it runs PocketSphinx)")
        let hybrid = try LocalRecognizer.discover(mode: .hybrid)
        #expect(Session.offlineModel(hybrid, .captionDefaults) == "Moonshine")
    }

    @Test func optionChangeKeepsEveryByteAndTheTranscript_localEngine() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = CountingEngine(try LocalRecognizer.discover())
        let source = try await FileAudioSource(path: TestAudio.preamble)
        let journalURL = dir.appendingPathComponent("s.jsonl")
        let header = JournalHeader(engine: engine.name, capttyVersion: "test")
        let journal = await JournalWriter(url: journalURL, header: header)
        let session = Session(source: source, engine: engine, options: .captionDefaults, journal: journal, header: header)
        try await within(.seconds(120), "captioning the preamble") {
            await session.start()
            #expect(await Self.eventually { await session.audioCounts.produced >= 8 * 32_000 })
            var o = LiveOptions.captionDefaults
            o.punctuate = false
            o.smartFormat = false
            await session.setOptions(o)
            let switchedAt = Double(await session.audioCounts.perRun[0]) / 32_000
            await session.waitUntilIdle()
            let summary = await session.finish()
            let counts = await session.audioCounts
            // No audio dropped: what the source produced went to run 0 then run 1, and each run's
            // engine read exactly what the session sent it.
            #expect(counts.perRun.count == 2)
            #expect(counts.whilePaused == 0)
            #expect(counts.sent == counts.produced)
            #expect(counts.produced == Int((19.098 * 16_000).rounded(.down)) * 2 || abs(counts.produced - 611_152) < 400)
            #expect(engine.bytesPerRun == counts.perRun)
            #expect(counts.perRun[0] > 0 && counts.perRun[1] > 0)

            let view = session.view
            let words = view.store.lines.flatMap(\.words)
            // Continuous: first and last sentence present, times never go backwards.
            let text = view.store.committedText.lowercased()
            #expect(text.contains("people"))
            #expect(text.contains("america"))
            #expect(zip(words, words.dropFirst()).allSatisfy { $0.start <= $1.start + 1e-6 })
            // Words after the switch come from the new run: no punctuation or capitals.
            let late = words.filter { $0.start > switchedAt + 1.5 }
            #expect(!late.isEmpty)
            #expect(late.allSatisfy { $0.text == $0.word })
            let early = words.filter { $0.end < switchedAt - 0.5 }
            #expect(early.contains { $0.text != $0.word })
            // The journal holds the whole transcript.
            #expect(summary.journalPath == journalURL.path)
            let journaled = try JournalReader.read(journalURL)
            #expect(journaled.lines.flatMap(\.words).map(\.word) == words.map(\.word))
            #expect(view.runsStarted == 2)
        }
    }

    /// An old run that does not finish within the hold time after a settings change (here a
    /// server that stopped sending finals and answers CloseStream slowly): what it had not made
    /// final is not dropped without a word. It vanished: 10 s of speech with the offline engine
    /// on a busy machine, with no note in the captions, journal or exports.
    @Test func anOldRunThatDoesNotFinishLeavesAGapNotASilentHole() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 8, in: dir)
        // Finals for the first 1 s only, then none until CloseStream, then one every 20 s.
        try await withDeepgramDouble(["--final-seconds", "0.5", "--backlog-after-bytes", "32000", "--backlog-pace", "20"]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let source = try await FileAudioSource(path: wav)
            var sc = Session.Configuration()
            sc.restartHoldTimeout = .seconds(2)
            let session = Session(source: source, engine: engine, options: .captionDefaults, configuration: sc)
            try await within(.seconds(90), "an old run that does not finish") {
                await session.start()
                #expect(await Self.eventually { await session.audioCounts.produced >= 4 * 32_000 })
                #expect(await session.apply(.togglePunctuate, languages: [], models: []))
                #expect(await Self.eventually { session.view.warningCount > 0 })
                await session.finish()
            }
            let v = session.view
            let said = v.recentWarnings.first { $0.contains("before the settings changed have no captions") }
            #expect(said != nil, "\(v.recentWarnings)")
            let gap = v.store.gaps.first { $0.reason == AudioGap.notFinished }
            #expect(gap != nil, "\(v.store.gaps)")
            // The words kept (finals, and the last guess as unconfirmed) and the gap leave no hole
            // before the switch.
            let firstRunWords = v.store.lines.flatMap(\.words).filter { $0.start < (gap?.start ?? 0) }
            let coveredTo = firstRunWords.map(\.end).max() ?? 0
            #expect(coveredTo > 0 && abs((gap?.start ?? -1) - coveredTo) < 1e-3,
                    "gap \(String(describing: gap)), words to \(coveredTo): \(v.store.lines.flatMap(\.words).map { "\($0.word)@\($0.start)-\($0.end)" })")
            #expect((gap?.end ?? 0) >= 3.9, "\(String(describing: gap))")
        }
    }

    /// Through the Deepgram client to the protocol test double: the language switch opens a
    /// second connection; the double's byte counts per connection add up to the file's audio,
    /// the first connection got CloseStream, and the words (one per 0.5 s of audio received)
    /// tile the session's time with no gap or overlap across the switch.
    @Test func languageSwitchOpensANewConnectionWithNoAudioLost_deepgram() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 5, in: dir)
        try await withDeepgramDouble(["--final-seconds", "1.0"]) { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let source = try await FileAudioSource(path: wav)
            let session = Session(source: source, engine: engine, options: .captionDefaults)
            try await within(.seconds(90), "captioning through the double") {
                await session.start()
                #expect(await Self.eventually { await session.audioCounts.produced >= 2 * 32_000 })
                #expect(await session.apply(.cycleLanguage, languages: ["en", "es"], models: []))
                await session.waitUntilIdle()
                await session.finish()
            }
            let counts = await session.audioCounts
            let stats = try double.stats()
            #expect(stats.connections.count == 2)
            #expect(stats.connections.first?.query.contains("language=en") == true)
            #expect(stats.connections.last?.query.contains("language=es") == true)
            #expect(stats.connections.map(\.bytes) == counts.perRun)
            #expect(stats.total_bytes == counts.produced)
            #expect(counts.produced == 5 * 32_000)
            #expect(stats.connections.allSatisfy { $0.close_stream == 1 })

            let words = session.view.store.lines.flatMap(\.words)
            #expect(abs((words.first?.start ?? -1) - 0) < 1e-3)
            #expect(abs((words.last?.end ?? -1) - 5.0) < 1e-3)
            for (a, b) in zip(words, words.dropFirst()) {
                #expect(abs(a.end - b.start) < 1e-3, "gap or overlap between \(a.word) [\(a.start)–\(a.end)] and \(b.word) [\(b.start)–\(b.end)]")
            }
            #expect(session.view.options.language == "es")
        }
    }
}
