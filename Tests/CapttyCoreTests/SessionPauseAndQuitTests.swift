import Audio
import CaptionUI
import Deepgram
import Foundation
import SpeechEngines
import Testing
import TestSupport
import Transcript
@testable import CapttyCore

/// Pause sends no audio (the connection stays up on KeepAlive); quit waits for the last
/// results and leaves a complete journal.
@Suite(.serialized) struct SessionPauseAndQuitTests {
    /// The Deepgram engine on `double`.
    static func engine(_ double: DeepgramDoubleProcess) -> DeepgramEngine {
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = double.baseURL
        return DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
    }

    /// `wav` read through a descriptor, as standard input is: pausing drops what comes.
    static func unholdable(_ wav: String) async throws -> FileAudioSource {
        let fd = open(wav, O_RDONLY)
        defer { close(fd) }
        let source = try await FileAudioSource(fileDescriptor: fd, name: "pipe")
        #expect(!source.canHold)
        return source
    }

    @Test func pauseSendsNoAudioAndKeepsTheConnection() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 6, in: dir)
        try await withDeepgramDouble { double in
            var config = LiveClientConfiguration(environment: [:])
            config.baseURL = double.baseURL
            config.keepAliveInterval = .milliseconds(500)
            let engine = DeepgramEngine(credential: .apiKey("test-key"), configuration: config)
            let source = try await Self.unholdable(wav)   // live-like: what comes while paused is dropped
            let session = Session(source: source, engine: engine, options: .captionDefaults)
            let sentAtPauseOutside = try await within(.seconds(90), "captioning with a pause") { () -> Int in
                await session.start()
                #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 32_000 })
                await session.setPaused(true)
                #expect(session.view.status.connection == .paused)
                let sentAtPause = await session.audioCounts.sent
                #expect(await SessionRestartTests.eventually { await session.audioCounts.whilePaused >= 2 * 32_000 })
                #expect(await session.audioCounts.sent == sentAtPause)
                // Pausing asked for the words heard so far to be made final (Finalize): they
                // stayed an interim guess, on no line and in no journal, for the whole pause.
                #expect(await SessionRestartTests.eventually {
                    abs((session.view.store.lines.last?.words.last?.end ?? 0) - Double(sentAtPause) / 32_000) < 1e-3
                }, "words while paused end at \(String(describing: session.view.store.lines.last?.words.last?.end)), sent \(sentAtPause)")
                #expect(session.view.store.lines.last?.isClosed == true)
                #expect((try? double.stats().connections.first?.finalize) == 1)
                await session.setPaused(false)
                #expect(session.view.status.connection != .paused)
                await session.waitUntilIdle()
                await session.finish()
                return sentAtPause
            }
            let counts = await session.audioCounts
            let stats = try double.stats()
            #expect(stats.connections.count == 1)
            #expect(stats.total_bytes == counts.sent)
            #expect(counts.sent + counts.whilePaused == counts.produced)
            #expect(counts.whilePaused >= 2 * 32_000)
            #expect((stats.connections.first?.keepalives ?? 0) >= 1)
            // The engine heard ≤ 4.1 s of audio, yet the words end at 6 s on the session clock:
            // the paused stretch is skipped in time, not squeezed out of it.
            let words = session.view.store.lines.flatMap(\.words)
            #expect(Double(stats.total_bytes) / 32_000 <= 6.0 - 1.9)
            #expect(abs((words.last?.end ?? 0) - 6.0) < 1e-3)
            // The skipped stretch is marked where it was (the exports jumped over it silently).
            let gaps = session.view.store.gaps
            #expect(gaps.count == 1 && gaps.first?.reason == AudioGap.paused, "\(gaps)")
            if let g = gaps.first {
                #expect(abs(g.duration - Double(counts.whilePaused) / 32_000) < 0.06 && abs(g.start - Double(sentAtPauseOutside) / 32_000) < 0.06,
                        "\(g) for \(counts.whilePaused) bytes paused")
                #expect(g.note.hasSuffix("s not captioned: captioning was paused]") && !g.isLoss, "\(g.note)")
            }
        }
    }

    /// A regular file waits where it is while paused: nothing is dropped, nothing is marked as
    /// skipped, and real-time pacing resumes from where it stopped. Its audio was dropped as
    /// live audio is (found in QA: a recording paused to read back lost what played meanwhile).
    @Test func aPausedFileWaitsWhereItIs() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 4, in: dir)
        try await withDeepgramDouble { double in
            let engine = Self.engine(double)
            let source = try await FileAudioSource(path: wav)
            #expect(source.canHold)
            let session = Session(source: source, engine: engine, options: .captionDefaults)
            let began = ContinuousClock.now
            let heldAt = try await within(.seconds(60), "a held file") { () -> Int in
                await session.start()
                #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 32_000 })
                await session.setPaused(true)
                try await Task.sleep(for: .milliseconds(300))
                let held = await session.audioCounts.produced
                try await Task.sleep(for: .seconds(2))
                #expect(await session.audioCounts.produced == held, "the file was read on while paused")
                await session.setPaused(false)
                await session.waitUntilIdle()
                await session.finish()
                return held
            }
            let took = ContinuousClock.now - began
            let counts = await session.audioCounts
            #expect(heldAt < 3 * 32_000)
            #expect(counts.whilePaused == 0 && counts.sent == counts.produced && counts.produced == 4 * 32_000, "\(counts)")
            #expect(session.view.store.gaps.isEmpty, "\(session.view.store.gaps)")
            #expect(abs((session.view.store.lines.flatMap(\.words).last?.end ?? 0) - 4.0) < 1e-3)
            // Paced from where it stopped: 4 s of audio and the 2.3 s pause, not a catch-up burst.
            #expect(took > .seconds(6), "\(took)")
        }
    }

    /// Audio that cannot wait (a pipe, standard input) and ends while paused: the skipped stretch is marked as soon as the audio ends,
    /// on the screen that stays up, not only in the journal at quit (found in QA).
    @Test func aPauseRunningToTheEndOfAFileIsMarkedWhenTheAudioEnds() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 4, in: dir)
        try await withDeepgramDouble { double in
            let engine = Self.engine(double)
            let source = try await Self.unholdable(wav)   // live-like: what comes while paused is dropped
            let session = Session(source: source, engine: engine, options: .captionDefaults)
            let gaps = try await within(.seconds(60), "a pause to the end") { () -> [AudioGap] in
                await session.start()
                #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 32_000 })
                await session.setPaused(true)
                #expect(await SessionRestartTests.eventually { session.view.sourceEnded })
                let shown = session.view.store.gaps
                await session.finish()
                return shown
            }
            #expect(gaps.count == 1 && gaps.first?.reason == AudioGap.paused, "\(gaps)")
            #expect(gaps.first.map { $0.end > 3.9 && $0.duration > 2 } == true, "\(gaps)")
        }
    }

    /// After `s` saves, the status says "saved …" for a few seconds, then names the journal
    /// again (it said "saved" for the rest of the session, found in QA) — also once the session
    /// has finished, the file played to its end (it stayed until something else changed the
    /// screen, found in QA).
    @Test(arguments: [false, true]) func theSavedNoticeGivesWayToTheJournal(afterTheEnd: Bool) async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: afterTheEnd ? 2 : 12, in: dir)
        try await withDeepgramDouble { double in
            let engine = Self.engine(double)
            let source = try await FileAudioSource(path: wav)
            let url = dir.appendingPathComponent("talk.jsonl")
            let header = JournalHeader(engine: engine.name, capttyVersion: "test")
            let journal = await JournalWriter(url: url, header: header)
            let session = Session(source: source, engine: engine, options: .captionDefaults, journal: journal, header: header)
            try await within(.seconds(60), "a save, then the notice gone") {
                await session.start()
                if afterTheEnd {
                    #expect(await SessionRestartTests.eventually(.seconds(30)) { session.view.status.connection == .finished },
                            "\(session.view.status.connection)")
                } else {
                    #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 32_000 })
                }
                let saved = try await session.export(.srt)
                #expect(session.view.status.save == .exported(path: saved.path))
                #expect(await SessionRestartTests.eventually(.seconds(9)) {
                    if case .journaling = session.view.status.save { true } else { false }
                }, "still \(session.view.status.save)")
                _ = await session.finish()
            }
        }
    }

    @Test func quitWaitsForTheLastResultsAndFlushesTheJournal() async throws {
        let dir = try scratchDirectory("app")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 8, in: dir)
        // The double holds its last final 1.5 s after CloseStream: quit must wait for it.
        try await withDeepgramDouble(["--late-final-delay", "1.5"]) { double in
            let engine = Self.engine(double)
            let source = try await FileAudioSource(path: wav)
            let url = dir.appendingPathComponent("quit.jsonl")
            let header = JournalHeader(engine: engine.name, capttyVersion: "test")
            let journal = await JournalWriter(url: url, header: header)
            let session = Session(source: source, engine: engine, options: .captionDefaults, journal: journal, header: header)
            let summary = try await within(.seconds(60), "quitting") { () -> Session.Summary in
                await session.start()
                #expect(await SessionRestartTests.eventually { await session.audioCounts.produced >= 3 * 32_000 })
                return await session.finish()   // quit mid-file
            }
            let counts = await session.audioCounts
            #expect(summary.engineFinishedCleanly)
            #expect(summary.save == .closed(path: url.path))
            let words = session.view.store.lines.flatMap(\.words)
            // The late final covers every byte sent: the transcript ends where the audio sent ends.
            #expect(abs((words.last?.end ?? 0) - Double(counts.sent) / 32_000) < 1e-3)
            let journaled = try JournalReader.read(url)
            #expect(journaled.lines.flatMap(\.words) == words)
            #expect(journaled.issues.isEmpty && !journaled.tornLastLine)
            // Where the audio ended is journaled: exports end their last cue by it.
            let produced = Double(counts.produced) / 32_000
            #expect(journaled.audioEnd.map { $0 >= (words.last?.end ?? 0) - 1e-3 && $0 <= produced + 0.01 } == true,
                    "\(String(describing: journaled.audioEnd)) for \(produced) s produced")
            #expect(session.view.connection == .finished)
        }
    }

    /// The save key writes `<journal stem>.<format>` beside the journal: a journal named like an
    /// export (`--journal talk.txt`) was replaced by its own txt export, and the writer went on
    /// appending to the deleted file (found by an audit). The export takes another name.
    @Test func savingNeverReplacesTheJournal() async throws {
        let dir = try scratchDirectory("save")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 3, in: dir)
        try await withDeepgramDouble([]) { double in
            let engine = Self.engine(double)
            let source = try await FileAudioSource(path: wav)
            let url = dir.appendingPathComponent("talk.txt")
            let header = JournalHeader(engine: engine.name, capttyVersion: "test")
            let journal = await JournalWriter(url: url, header: header)
            let session = Session(source: source, engine: engine, options: .captionDefaults, journal: journal, header: header)
            try await within(.seconds(60), "captioning") {
                await session.start()
                await session.waitUntilIdle()
                // The status names the model by its `arch` (Deepgram's is "nova-3" where its
                // `name` is "2-general-nova"; the double's arch is "test-double").
                #expect(session.view.modelName == "test-double")
                let exported = try await session.export(.txt)
                #expect(exported.lastPathComponent == "talk-export.txt")
                #expect(try await session.export(.srt).lastPathComponent == "talk.srt")
                // The user's own talk.md is not replaced (it was, without a word): the export
                // takes the next free name; saving again updates this session's own file.
                try "my notes".write(to: dir.appendingPathComponent("talk.md"), atomically: true, encoding: .utf8)
                #expect(try await session.export(.md).lastPathComponent == "talk-1.md")
                #expect(try await session.export(.md).lastPathComponent == "talk-1.md")
                #expect(try await session.export(.srt).lastPathComponent == "talk.srt")
                #expect(try String(contentsOf: dir.appendingPathComponent("talk.md"), encoding: .utf8) == "my notes")
                _ = await session.finish()
            }
            let journaled = try JournalReader.read(url)
            #expect(!journaled.lines.isEmpty && journaled.issues.isEmpty, "the journal was replaced")
            #expect(journaled.lines.flatMap(\.words) == session.view.store.lines.flatMap(\.words))
        }
    }
}
