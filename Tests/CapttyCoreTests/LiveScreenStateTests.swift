import Audio
import CaptionUI
import Deepgram
import Testing
import Transcript
@testable import CapttyCore

/// The screen drawn from a session view: transcript lines read through the store's storage,
/// the interim toggle, the status bar (paused, lag, language) and scrolling.
@Suite struct LiveScreenStateTests {
    static func result(_ words: [(String, Double)], final: Bool, speechFinal: Bool = false) -> LiveEvent {
        let ws = words.map { Word(word: $0.0.lowercased(), start: $0.1, end: $0.1 + 0.4, confidence: 0.9, punctuatedWord: $0.0) }
        let start = words.first?.1 ?? 0
        return .results(Results(start: start, duration: (words.last?.1 ?? 0) + 0.4 - start, isFinal: final,
                                speechFinal: speechFinal,
                                channel: Channel(alternatives: [Alternative(transcript: words.map(\.0).joined(separator: " "),
                                                                            confidence: 0.9, words: ws)])))
    }

    static func view() -> SessionView {
        var v = SessionView()
        for i in 0..<40 {
            v.store.apply(result([("Line", Double(i)), ("number", Double(i) + 0.5), ("\(i).", Double(i) + 0.7)], final: true, speechFinal: true))
        }
        v.store.apply(result([("pending", 41), ("guess", 41.5)], final: false))
        v.revision = 40
        v.options = .captionDefaults
        v.engineName = "deepgram"
        v.modelName = "nova-3"
        v.connection = .live
        v.lagMilliseconds = 250
        return v
    }

    /// During an outage the interim on screen is the last guess from before it: marked as
    /// unconfirmed, so nobody reads it as what is being said now.
    @Test func theInterimIsMarkedUnconfirmedWhileTheConnectionIsDown() {
        var v = Self.view()
        let state = LiveScreenState()
        #expect(state.snapshot(v).interim == "pending guess")
        v.connection = .reconnecting(inSeconds: 2, attempt: 1, reason: "connection reset")
        #expect(state.snapshot(v).interim == "pending guess (unconfirmed: connection lost)")
        v.connection = .live
        #expect(state.snapshot(v).interim == "pending guess")
        v.store.apply(Self.result([("Line", 41), ("done.", 41.5)], final: true, speechFinal: true))
        v.connection = .reconnecting(inSeconds: 2, attempt: 1)
        #expect(state.snapshot(v).interim == "", "no guess, nothing to mark")
    }

    /// Under timestamps, a guess that begins a line carries its line's timestamp, so its words
    /// stay where they are when they become final; one that continues the open line above has
    /// none (it joins that line).
    @Test func anInterimBeginningALineIsTimestampedAsItsLineWillBe() {
        var v = Self.view()                       // every line closed; "pending guess" at 41 s
        var state = LiveScreenState()
        state.toggles.timestamps = true
        let size = TerminalSize(width: 60, height: 12)
        #expect(state.snapshot(v).interimStart == 41)
        let guess = ScreenView.render(state.snapshot(v), size: size).text()
        #expect(guess.contains("[00:00:41] pending guess"), "\(guess)")
        v.store.apply(Self.result([("Pending", 41), ("guess", 41.5)], final: true, speechFinal: true))
        v.revision += 1
        let final = ScreenView.render(state.snapshot(v), size: size).text()
        #expect(final.contains("[00:00:41] Pending guess"), "\(final)")
        // A final without speech_final leaves its line open: the next guess continues it.
        v.store.apply(Self.result([("Open", 50)], final: true))
        v.store.apply(Self.result([("more", 51)], final: false))
        v.revision += 1
        #expect(state.snapshot(v).interimStart == nil)
        // It is drawn at that line's end, where its words go when they become final (it had a
        // row of its own, and jumped up into the line).
        #expect(state.snapshot(v).interimJoinsLastLine)
        let joined = ScreenView.render(state.snapshot(v), size: size)
        let row = try! #require((0..<12).first { joined.rowText($0).contains("[00:00:50] Open more") }, "\(joined.text())")
        let text = joined.rowText(row)
        let col = text.distance(from: text.startIndex, to: text.range(of: "more")!.lowerBound)
        #expect(joined[row, col].style == Theme(mode: .color).interim)
        v.store.apply(Self.result([("more.", 51)], final: true))
        v.revision += 1
        #expect(ScreenView.render(state.snapshot(v), size: size).rowText(row).hasPrefix("[00:00:50] Open more."))
        state.toggles.timestamps = false
        v.store.apply(Self.result([("Closed.", 52)], final: true, speechFinal: true))
        v.store.apply(Self.result([("next", 60)], final: false))
        let plain = ScreenView.render(state.snapshot(v), size: size).text()
        #expect(plain.contains("\nnext") && !plain.contains("[00:01:00]"), "no timestamp when they are hidden: \(plain)")
    }

    /// After the audio ended the meter stayed at the last chunk's level (−21 dB), as if audio
    /// were still coming: it is empty then.
    @Test func theMeterIsEmptyOnceTheAudioHasEnded() {
        var v = Self.view()
        v.level = LevelReading(rmsDB: -21, peakDB: -12, peakHoldDB: -12)
        #expect(v.meter.rmsDBFS == -21)
        v.paused = true
        #expect(v.meter.rmsDBFS == LevelMeter.floorDB && v.meter.peakHoldDBFS == LevelMeter.floorDB, "paused: nothing is captioned")
        #expect(!v.meter.silent, "not \"no audio\": paused")
        v.paused = false
        #expect(v.meter.rmsDBFS == -21)
        v.sourceEnded = true
        #expect(v.meter.rmsDBFS == LevelMeter.floorDB && v.meter.peakHoldDBFS == LevelMeter.floorDB)
        #expect(!v.meter.silent, "not \"no audio\": the audio has ended")
    }

    /// The status bar's shortest flag form shows each option's key as bound: the snapshot
    /// fills the keys in from the key table.
    @Test func flagsCarryTheirKeysFromTheKeyTable() {
        let state = LiveScreenState()
        let flags = state.snapshot(Self.view()).status.flags
        #expect(flags.map(\.key) == ["p", "f", "d", "n", "x"], "\(flags)")
    }

    /// The offline engine's bar shows the options it has: "-diar -prof" named speaker labels
    /// and a profanity filter it cannot give (found in review).
    @Test func theOfflineEnginesBarLeavesOutOptionsItLacks() {
        var v = Self.view()
        for name in ["local", "local-sphinx"] {
            v.engineName = name
            #expect(v.status.flags.map(\.label) == ["punct", "smart", "num"], "\(name)")
        }
        v.engineName = "deepgram"
        #expect(v.status.flags.map(\.label) == ["punct", "smart", "diar", "num", "prof"])
    }

    @Test func drawsTheNewestLinesTheInterimAndTheStatus() {
        let term = MemoryTerminal(width: 80, height: 12)
        let renderer = Renderer(terminal: term)
        var state = LiveScreenState()
        let v = Self.view()
        renderer.renderNow(state.snapshot(v), now: 0)
        var text = term.text()
        #expect(text.contains("Line number 39."))
        #expect(!text.contains("Line number 0."))
        #expect(text.contains("pending guess"))
        #expect(text.contains("live"))
        #expect(text.contains("lag 250 ms"))
        #expect(text.contains("deepgram nova-3"))
        // The snapshot reads lines from the store's storage, nothing copied into it.
        #expect(state.snapshot(v).lines.source is TranscriptLineSource)
        #expect(state.snapshot(v).lines.count == 40)

        // `i` hides the interim guess.
        state.toggles.apply(.toggleInterim)
        renderer.render(state.snapshot(v), now: 1)
        text = term.text()
        #expect(!text.contains("pending guess"))

        // Paused shows in the status bar.
        var paused = v
        paused.paused = true
        renderer.render(state.snapshot(paused), now: 2)
        #expect(term.text().contains("paused"))
    }

    @Test func pageUpScrollsBackToOlderLines() {
        var state = LiveScreenState()
        let v = Self.view()
        let size = TerminalSize(width: 80, height: 12)
        state.scroll = CaptionViewport.scrolled(state.snapshot(v), by: .pageUp, screen: size)
        state.scroll = CaptionViewport.scrolled(state.snapshot(v), by: .pageUp, screen: size)
        let term = MemoryTerminal(width: 80, height: 12)
        Renderer(terminal: term).renderNow(state.snapshot(v), now: 0)
        #expect(!term.text().contains("Line number 39."))
        #expect(term.text().contains("Line number 2"))
        state.scroll = CaptionViewport.scrolled(state.snapshot(v), by: .bottom, screen: size)
        #expect(state.scroll == .following)
    }

    @Test func statusMapsJournalStatesAndExports() {
        var v = SessionView()
        v.save = .failing(path: "/j.jsonl", message: "disk full", retrying: true)
        #expect(v.status.save == .failing(message: "disk full"))
        v.save = .saved(path: "/j.jsonl")
        #expect(v.status.save == .journaling(path: "/j.jsonl"))
        v.lastExport = "/j.srt"
        #expect(v.status.save == .exported(path: "/j.srt"))
    }

    /// Paused shows over a healthy connection only: Space hid a refused key's error behind
    /// "paused" (and "Listening…"), as if all were well.
    @Test func pausedDoesNotHideAnErrorOrAReconnect() {
        var v = SessionView()
        v.paused = true
        v.connection = .live
        #expect(v.status.connection == .paused)
        v.connection = .error(message: "HTTP 401 Unauthorized")
        #expect(v.status.connection == .error(message: "HTTP 401 Unauthorized"))
        v.connection = .reconnecting(inSeconds: 2, attempt: 1, reason: "closed")
        #expect(v.status.connection == .reconnecting(inSeconds: 2, attempt: 1, reason: "closed"))
        v.paused = false
        v.connection = .live
        #expect(v.status.connection == .live)
    }

    /// A warning the session reports shows on the meter row for 15 s; a new one replaces it;
    /// looking again without a new one does not extend it.
    @Test func warningsShowForAWhile() {
        var state = LiveScreenState()
        var v = Self.view()
        state.noteWarnings(v, now: 100)
        #expect(state.snapshot(v, now: 100).warning == nil)
        v.recentWarnings = ["the server did not close the stream within 10 seconds"]
        v.warningCount = 1
        state.noteWarnings(v, now: 100)
        #expect(state.snapshot(v, now: 100).warning == "the server did not close the stream within 10 seconds")
        #expect(state.snapshot(v, now: 114.9).warning != nil)
        state.noteWarnings(v, now: 114)             // same count: not renewed
        #expect(state.snapshot(v, now: 115.1).warning == nil)
        v.recentWarnings.append("replay buffer full while disconnected: dropped the oldest 2.0 s of audio")
        v.warningCount = 2
        state.noteWarnings(v, now: 120)
        #expect(state.snapshot(v, now: 130).warning?.hasPrefix("replay buffer full") == true)
        // Drawn: the meter row carries it.
        let surface = ScreenView.render(state.snapshot(v, now: 130), size: TerminalSize(width: 120, height: 30))
        #expect(surface.rowText(28).contains("⚠ replay buffer full while disconnected"), "\(surface.rowText(28))")
    }

    /// Two people on two channels speaking at once: each channel's guess is on screen, in
    /// channel order, labelled; only the latest one was shown.
    @Test func everyChannelsInterimIsShownInAMultichannelSession() {
        func interim(_ text: String, channel: Int, at t: Double) -> LiveEvent {
            let ws = text.split(separator: " ").enumerated().map { i, w in
                Word(word: String(w), start: t + Double(i) * 0.3, end: t + Double(i) * 0.3 + 0.2, confidence: 0.9, punctuatedWord: String(w))
            }
            return .results(Results(channelIndex: [channel, 2], start: t, duration: 1, isFinal: false, speechFinal: false,
                                    channel: Channel(alternatives: [Alternative(transcript: text, confidence: 0.9, words: ws)])))
        }
        var v = SessionView()
        v.options = .captionDefaults
        v.options.multichannel = true
        v.options.channels = 2
        v.connection = .live
        v.store.apply(interim("second channel talking", channel: 1, at: 1))
        v.store.apply(interim("first channel too", channel: 0, at: 1.2))
        let state = LiveScreenState()
        let surface = ScreenView.render(state.snapshot(v), size: TerminalSize(width: 80, height: 20))
        let rows = (0..<20).map { surface.rowText($0) }
        let first = rows.firstIndex { $0.hasPrefix("[ch 1] first channel too") }
        let second = rows.firstIndex { $0.hasPrefix("[ch 2] second channel talking") }
        #expect(first != nil && second != nil, "\(rows)")
        if let first, let second { #expect(first < second) }
        // One channel's guess ends (its final came): the other's stays.
        v.store.apply(.results(Results(channelIndex: [0, 2], start: 1.2, duration: 1, isFinal: true, speechFinal: true,
                                       channel: Channel(alternatives: [Alternative(transcript: "", confidence: 0, words: [])]))))
        let after = ScreenView.render(state.snapshot(v), size: TerminalSize(width: 80, height: 20)).text()
        #expect(after.contains("[ch 2] second channel talking") && !after.contains("first channel too"), "\(after)")
        // A single-channel session is unchanged: no labels.
        var mono = SessionView()
        mono.options = .captionDefaults
        mono.store.apply(interim("just one", channel: 0, at: 0))
        #expect(ScreenView.render(state.snapshot(mono), size: TerminalSize(width: 80, height: 20)).text().contains("just one"))
        #expect(state.snapshot(mono).otherInterims.isEmpty)
    }

    /// `i`, `t`, `w` and `c` say what they did on the meter row for a few seconds: at 100
    /// columns `i` with no guess on screen, `c` with no unsure word and `w` without diarization
    /// changed nothing visible. The words follow the key bindings in effect.
    @Test func displayTogglesSayWhatTheyDid() throws {
        func press(_ s: inout LiveScreenState, _ a: KeyAction, diarizing: Bool, now: Double) -> Bool {
            s.applyDisplayToggle(a, diarizing: diarizing, now: now)
        }
        var state = LiveScreenState()
        let v = Self.view()
        #expect(press(&state, .toggleInterim, diarizing: false, now: 10))
        #expect(state.snapshot(v, now: 11).notice == "interim guesses hidden (i shows them)")
        #expect(state.snapshot(v, now: 10 + LiveScreenState.noticeSeconds).notice == nil, "gone after a few seconds")
        #expect(press(&state, .toggleInterim, diarizing: false, now: 20))
        #expect(state.snapshot(v, now: 20).notice == "interim guesses shown")
        #expect(press(&state, .toggleSpeakerLabels, diarizing: false, now: 30))
        #expect(state.snapshot(v, now: 30).notice == "speaker labels hidden")
        #expect(press(&state, .toggleSpeakerLabels, diarizing: false, now: 31))
        #expect(state.snapshot(v, now: 31).notice == "speaker labels on (d: tell speakers apart)")
        #expect(press(&state, .toggleSpeakerLabels, diarizing: true, now: 32))
        #expect(press(&state, .toggleSpeakerLabels, diarizing: true, now: 33))
        #expect(state.snapshot(v, now: 33).notice == "speaker labels shown")
        #expect(press(&state, .toggleConfidenceDimming, diarizing: false, now: 40))
        #expect(state.snapshot(v, now: 40).notice == "dimming words under 60% confidence")
        #expect(press(&state, .toggleTimestamps, diarizing: false, now: 50))
        #expect(state.snapshot(v, now: 50).notice == "timestamps shown")
        #expect(!press(&state, .pause, diarizing: false, now: 51), "not a display toggle")
        #expect(state.snapshot(v, now: 51).notice == "timestamps shown", "left as it was")

        var rebound = LiveScreenState(keyBindings: try KeyBindingTable.default.applying(overrides: ["toggle-interim": ["v"]]))
        #expect(press(&rebound, .toggleInterim, diarizing: false, now: 0))
        #expect(rebound.snapshot(v, now: 0).notice?.contains("v shows them") == true)
    }

    /// Two devices with one description (two identical headsets, two null sinks): the one
    /// chosen is marked current, not the first (found in QA).
    @Test func theDeviceChosenIsMarkedAmongTwinDescriptions() {
        let a = AudioDevice(name: "spk.monitor", description: "Monitor of Null Output", index: 0, isDefault: true)
        let b = AudioDevice(name: "spk2.monitor", description: "Monitor of Null Output", index: 1)
        let mic = AudioDevice(name: "mic", description: "USB Mic", index: 2)
        let list = [a, b, mic]
        #expect(LiveScreenState.currentDevice(in: list, deviceName: "Monitor of Null Output", chosen: "spk2.monitor") == 1)
        #expect(LiveScreenState.currentDevice(in: list, deviceName: "Monitor of Null Output", chosen: nil) == 0, "the default")
        #expect(LiveScreenState.currentDevice(in: list, deviceName: "USB Mic", chosen: "spk2.monitor") == 2)
        #expect(LiveScreenState.currentDevice(in: list, deviceName: "spk2.monitor", chosen: nil) == 1)
        #expect(LiveScreenState.currentDevice(in: list, deviceName: "Gone", chosen: nil) == nil)
    }

    /// Option keys say what they set (a change shows only in what is captioned next).
    @Test func optionKeysSayWhatTheySet() {
        var o = LiveOptions.captionDefaults
        o.punctuate = true; o.diarize = false; o.language = "es"; o.model = "nova-2"
        #expect(OptionToggles.notice(after: .togglePunctuate, options: o) == "punctuation on, from what is said next")
        #expect(OptionToggles.notice(after: .toggleDiarize, options: o) == "not telling speakers apart, from what is said next")
        #expect(OptionToggles.notice(after: .cycleLanguage, options: o) == "language es, from what is said next")
        #expect(OptionToggles.notice(after: .cycleModel, options: o) == "model nova-2, from what is said next")
        o.numerals = nil
        #expect(OptionToggles.notice(after: .toggleNumerals, options: o) == "numerals off, from what is said next")
        #expect(OptionToggles.notice(after: .pause, options: o) == nil)
    }

    /// Space says what it did, also while reconnecting (the bar then keeps the connection's
    /// state): a file waits, live audio is not captioned.
    @Test func pauseSaysWhatHappensToTheAudio() {
        #expect(LiveScreenState.pauseNotice(paused: true, key: "Space", holdsFile: true) == "paused: the file waits (Space resumes)")
        #expect(LiveScreenState.pauseNotice(paused: true, key: "Space", holdsFile: false) == "paused: not captioning (Space resumes)")
        #expect(LiveScreenState.pauseNotice(paused: false, key: "Space", holdsFile: true) == "resumed")
    }
}
