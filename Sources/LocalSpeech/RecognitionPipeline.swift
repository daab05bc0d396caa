import Deepgram
import FoundationEssentials
import Logging
import WebSocket

/// The offline recognizer's state machine: 16 kHz mono samples in, Deepgram-shaped events out.
///
/// Not thread-safe and blocking (it runs the C engines): a pipeline is confined to the serial
/// queue of its `LocalRecognizer` session. Times are seconds of audio since the stream began.
final class RecognitionPipeline {
    static let sampleRate = 16_000
    private let spf = SpeechSegmenter.samplesPerFrame

    let config: LocalEngineConfiguration
    let options: LiveOptions
    let requestID: String
    /// `channel_index` of results (`[channel, channels]`).
    let channelIndex: [Int]
    private let emit: (LiveEvent) -> Void
    private let log: Logger

    private var mode: LocalEngineConfiguration.Mode
    private let sphinx: PocketSphinxDecoder
    private var moonshine: (any UtteranceTranscriber)?
    /// Moonshine calls that failed in a row (its worker died, hung or erred twice over).
    private var moonshineFailures = 0
    /// Audio time before which Moonshine is not asked again after failing in a row.
    private var moonshineRestsUntil = -Double.infinity
    private var segmenter: SpeechSegmenter
    private var smoother = PartialSmoother()
    /// Boosts input recorded far too quietly (decided between utterances).
    private var inputGain = InputGain()
    /// Takes DC offset and hum out before anything measures the input.
    private var lowCut = LowCutFilter()
    private var framesSinceGainCheck = 0
    /// Of every sample fed, as linear16 bytes (Metadata.sha256, as Deepgram's of the audio sent).
    private let received = SHA256Digest()
    /// When the boost has just come on: the earliest sample the next utterance may start from.
    /// The boost needs a second or more of input to decide, and quiet speech in that time was
    /// too quiet for the segmenter: it is boosted after the fact and taken into the utterance.
    private var boostReachBack: Int?
    /// How far back (seconds) the boost reaches when it comes on; history keeps that much.
    static let boostReachBackSeconds = 1.5

    /// The longest utterance the decoder sees, in 10 ms frames: the segmenter's limit, plus the
    /// audio the input boost and the pre-roll reach back for when an utterance is (re)started,
    /// and a second to spare.
    static func longestUtteranceFrames(_ config: LocalEngineConfiguration) -> Int {
        config.segmenter.maxUtteranceFrames + Int((boostReachBackSeconds + config.preroll) * 100) + 100
    }

    /// Audio kept for the current utterance (and a little before it): `history[0]` is sample
    /// `historyStart` of the stream.
    private var history: [Int16] = []
    private var historyStart = 0
    /// Samples not yet making a whole 10 ms frame.
    private var pending: [Int16] = []
    /// Samples consumed into frames.
    private var consumed = 0
    /// Seconds added to sample time (audio lost in gaps).
    private var timeOffset = 0.0

    private var active = false
    private var utteranceStartSample = 0
    private var lastUtteranceEndSample = 0
    private var nextInterimSample = 0
    private var lastFinalEnd = 0.0
    /// The last final's last word ends a sentence (or nothing was said yet).
    private var lastFinalEndedSentence = true
    private var lastWordEnd: Double?
    /// Accurate words for the start of the current utterance, from a partial Moonshine decode.
    private var interimPrefix: [TimedWord] = []
    private var nextMoonshineInterimSample = Int.max
    /// A Moonshine decode started early in a pause: the samples it covered and its text.
    private var speculation: (start: Int, end: Int, text: String)?

    private var wantInterims: Bool { options.interimResults == true }
    private var wantPunctuation: Bool { options.punctuate == true || options.smartFormat == true }

    init(config: LocalEngineConfiguration, options: LiveOptions, requestID: String, channelIndex: [Int] = [0, 1],
         logger: Logger, emit: @escaping (LiveEvent) -> Void) throws(LocalEngineError) {
        self.config = config; self.options = options; self.requestID = requestID; self.channelIndex = channelIndex
        self.emit = emit; self.log = logger; self.mode = config.mode
        var seg = config.segmenter
        if case .milliseconds(let ms)? = options.endpointing, ms > seg.hangoverFrames * 10 {
            seg.hangoverFrames = ms / 10   // honour a longer pause than ours, never a shorter one
        }
        segmenter = SpeechSegmenter(config: seg)
        sphinx = try PocketSphinxDecoder(model: config.models.sphinx, backpointers: PocketSphinxDecoder.backpointers(
            forUtteranceFrames: Self.longestUtteranceFrames(config)))
        if mode == .hybrid, let files = config.models.moonshine {
            do {
                // In-process only on request: libmoonshine leaks per call (see MoonshineWorker).
                if ProcessInfo.processInfo.environment["CAPTTY_MOONSHINE_INPROCESS"] == "1" {
                    moonshine = try MoonshineModel.shared(files)
                } else {
                    moonshine = try MoonshineProcess.shared(files, memoryLimitMB: config.moonshineMemoryLimitMB,
                                                           workerPath: config.moonshineWorkerPath, deadlines: config.moonshineDeadlines)
                }
            } catch {
                log.warning("Moonshine could not be loaded, using PocketSphinx for finals: \(error)")
                emit(.error(LiveError(kind: .engine, message: "\(error); using PocketSphinx only (less accurate)", isFatal: false)))
                mode = .sphinxOnly
            }
        }
    }

    /// The mode actually running (hybrid falls back when Moonshine fails to load).
    var runningMode: LocalEngineConfiguration.Mode { mode }

    private var modelInfo: ModelInfo {
        var c = config; c.mode = mode; return c.modelInfo
    }
    private var modelUUID: String { var c = config; c.mode = mode; return c.modelUUID }

    /// Seconds since the stream began at stream sample `s`.
    private func time(_ s: Int) -> Double { Double(s) / Double(Self.sampleRate) + timeOffset }

    /// Audio time of everything consumed so far.
    var audioTime: Double { time(consumed) }

    // MARK: input

    /// Feeds samples; `gapBefore` seconds of audio were lost just before them.
    func push(_ samples: [Int16], gapBefore: Double = 0) {
        if gapBefore > 0 {
            if active { endUtterance(atSample: consumed, pause: true, fromFinalize: false) }
            segmenter.reset()   // speech after the gap starts a new utterance,
            lastUtteranceEndSample = consumed   // with no audio from before the gap
            timeOffset += gapBefore
        }
        samples.withUnsafeBytes { received.update($0) }   // little-endian, as sent on the wire
        pending += samples
        var i = 0
        while pending.count - i >= spf {
            processFrame(pending[i..<(i + spf)])
            i += spf
        }
        pending.removeFirst(i)
    }

    /// Flushes the current utterance into a final marked `from_finalize` (Deepgram's Finalize);
    /// not marked (`marked: false`) when no Finalize asked for it (an idle stream closed).
    func finalize(marked: Bool = true) {
        flushPending()
        if active, let speechEnd = endOfSpeechBeforeLongSilence() {
            // The speech, then the silence after it as an empty final answering the Finalize.
            endUtterance(atSample: speechEnd, pause: true, fromFinalize: false)
            segmenter.reset()
            emitFinal(words: [], start: lastFinalEnd, end: max(lastFinalEnd, audioTime), speechFinal: false, fromFinalize: marked)
            lastFinalEnd = max(lastFinalEnd, audioTime)
        } else if active {
            endUtterance(atSample: consumed, pause: false, fromFinalize: marked)
            segmenter.reset()
        } else {
            emitFinal(words: [], start: lastFinalEnd, end: max(lastFinalEnd, audioTime), speechFinal: false, fromFinalize: marked)
            lastFinalEnd = max(lastFinalEnd, audioTime)
        }
    }

    /// Ends the stream: the last final (an empty one for trailing silence), then Metadata, then
    /// a normal close.
    func finish() {
        flushPending()
        if active {
            endUtterance(atSample: endOfSpeechBeforeLongSilence() ?? consumed, pause: true, fromFinalize: false)
        }
        if !active && audioTime > lastFinalEnd {
            emitFinal(words: [], start: lastFinalEnd, end: audioTime, speechFinal: false, fromFinalize: false)
            lastFinalEnd = audioTime
        }
        emitUtteranceEndIfDue(force: true)
        let created = ISO8601Timestamp.utc(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        emit(.metadata(Metadata(requestID: requestID, sha256: received.hex, created: created, duration: audioTime, channels: 1,
                                models: [modelUUID], modelInfo: [modelUUID: modelInfo], extra: options.extraMetadata)))
        emit(.close(code: 1000, reason: ""))
    }

    /// Where the current utterance's speech ends, with its tail, when a long silence follows it
    /// that has not ended the utterance yet (a long `endpointing`, cut short by Finalize or the
    /// end of the stream); nil otherwise. Seconds of silence fed to Moonshine after the speech
    /// made it return nothing, or repeat the last words over and over: with endpointing=3000, a
    /// Finalize 2 s after the last word lost all 7 s of speech.
    private func endOfSpeechBeforeLongSilence() -> Int? {
        guard active, segmenter.lastSpeechFrame >= 0 else { return nil }
        let end = (segmenter.lastSpeechFrame + 1) * spf + Int(config.tail * Double(Self.sampleRate))
        guard end > utteranceStartSample, consumed - end > Self.sampleRate / 2 else { return nil }
        return end
    }

    /// Completes the last partial frame with silence for the decoders. The silence is not audio
    /// the client sent: the clock steps back by its length, or every Finalize on a stream whose
    /// messages are not whole 10 ms frames would push later results up to 10 ms further from
    /// the audio (0.5 s after 100 of them). The utterance being ended shifts by under 10 ms.
    private func flushPending() {
        guard !pending.isEmpty else { return }
        let pad = Array(repeating: Int16(0), count: spf - pending.count)
        let frame = pending + pad
        pending = []
        processFrame(frame[...])
        timeOffset -= Double(pad.count) / Double(Self.sampleRate)
    }

    // MARK: frames

    /// One 10 ms frame of input as it came (the gain is applied here, after the level checks).
    private func processFrame(_ raw: ArraySlice<Int16>) {
        // DC offset and mains hum out first: they hid whole sentences from the detector.
        let input = lowCut.process(raw)
        let energy = SpeechSegmenter.energy(input)
        inputGain.observe(energy)
        framesSinceGainCheck += 1
        var change = 0.0
        if inputGain.wouldOverdrive(energy) {
            change = inputGain.release()   // even mid-utterance: clipping would be worse than a step
        } else if !active && framesSinceGainCheck >= 50 {
            framesSinceGainCheck = 0
            change = inputGain.update()
        }
        if change != 0 {
            segmenter.rescale(by: change)
            log.info("input level \(Int(inputGain.level ?? 0)) dBFS: gain now \(Int(inputGain.gainDB)) dB")
            if change == inputGain.gainDB && !active { boostRecentHistory() }
        }
        let frame = inputGain.gainDB > 0 ? ArraySlice(inputGain.apply(Array(input))) : input
        history += frame
        consumed += frame.count
        let events = segmenter.push(frame)
        var fedThisFrame = false
        for e in events {
            switch e {
            case .start(let f):
                // After a split the next utterance has already begun (`beginContinuation`).
                guard !active else { continue }
                let onset = f * spf
                var from = onset - Int(config.preroll * Double(Self.sampleRate))
                if let r = boostReachBack, onset - r <= 2 * Int(Self.boostReachBackSeconds * Double(Self.sampleRate)) {
                    from = min(from, r)
                }
                boostReachBack = nil
                beginUtterance(atSample: max(lastUtteranceEndSample, from, historyStart), onset: onset)
                fedThisFrame = true
            case .end(let f, let pause):
                let cut = pause ? min(consumed, f * spf + Int(config.tail * Double(Self.sampleRate))) : f * spf
                endUtterance(atSample: cut, pause: pause, fromFinalize: false)
                if !pause { fedThisFrame = true }   // the continuation was fed up to this frame
            }
        }
        if active && !fedThisFrame { sphinx.process(frame) }
        if active, mode == .hybrid, config.speculationDelay > 0,
           segmenter.trailingSilenceFrames == speculationFrames {
            speculate()
        }
        if active && wantInterims && mode == .hybrid && consumed >= nextMoonshineInterimSample
            && segmenter.trailingSilenceFrames == 0 {
            nextMoonshineInterimSample = consumed + moonshineInterimSamples
            refreshInterimPrefix()
        }
        if active && wantInterims && consumed >= nextInterimSample {
            nextInterimSample = consumed + Int(config.interimInterval * Double(Self.sampleRate))
            emitInterim()
        }
        if !active {
            emitSilenceFinalIfDue()
            emitUtteranceEndIfDue(force: false)
            trimHistory()
        }
    }

    /// Samples before `consumed` that the next utterance may still take in: its preroll, and
    /// what the input boost reaches back over when it comes on (plus the frames the segmenter
    /// needs to confirm an onset).
    private var reachBackSamples: Int {
        Int(max(config.preroll, Self.boostReachBackSeconds) * Double(Self.sampleRate)) + spf * 4
    }

    /// Between utterances: closes the silence up to where no utterance can start any more with
    /// an empty final, every `silenceFinalInterval` seconds. The next utterance starts after it.
    private func emitSilenceFinalIfDue() {
        guard config.silenceFinalInterval > 0 else { return }
        var boundary = consumed - reachBackSamples
        // The boost has just come on: the next utterance may start where it reached back to.
        if let r = boostReachBack, consumed - r <= 2 * Int(Self.boostReachBackSeconds * Double(Self.sampleRate)) {
            boundary = min(boundary, r)
        }
        // Not before the last utterance (or a gap in the audio: times before it are shifted).
        guard boundary > lastUtteranceEndSample, time(boundary) - lastFinalEnd >= config.silenceFinalInterval else { return }
        let end = time(boundary)
        emitFinal(words: [], start: lastFinalEnd, end: end, speechFinal: false, fromFinalize: false)
        lastFinalEnd = end
        lastUtteranceEndSample = boundary
    }

    private var moonshineInterimSamples: Int {
        config.moonshineInterimInterval > 0 ? Int(config.moonshineInterimInterval * Double(Self.sampleRate)) : Int.max / 2
    }

    /// Re-decodes the utterance so far with Moonshine; its words (but the last, unsure ones)
    /// replace the start of the interims until the next refresh or the final.
    private func refreshInterimPrefix() {
        guard moonshineUsable else { return }
        let start = utteranceStartSample, end = consumed
        let t0 = time(start), t1 = time(end)
        guard let text = try? askMoonshine(moonshineInput(start, end)) else { return }
        let tokens = TextNormalizer.tokens(text)
        guard Double(tokens.count) / max(0.5, t1 - t0) <= config.maxWordsPerSecond else { return }
        let hyp = sphinx.hypothesis().map { w -> TimedWord in Self.shift(w, by: t0) }
        let aligned = WordAligner.align(tokens, with: hyp, span: t0...t1)
        interimPrefix = aligned.filter { $0.end <= t1 - config.moonshineInterimHoldback }
    }

    /// Quiet frames after which to speculate: never before the tail kept after speech is heard.
    private var speculationFrames: Int {
        max(1, Int((config.speculationDelay * 100).rounded()), Int((config.tail * 100).rounded(.up)))
    }

    /// Decodes the utterance as if it ended at its last speech frame; `endUtterance` uses the
    /// text when the pause is confirmed with the same end.
    private func speculate() {
        guard moonshineUsable else { return }
        let start = utteranceStartSample
        let end = min(consumed, (segmenter.lastSpeechFrame + 1) * spf + Int(config.tail * Double(Self.sampleRate)))
        guard end > start else { return }
        if let text = try? askMoonshine(moonshineInput(start, end)) {
            speculation = (start, end, text)
        }
    }

    /// Failures in a row after which Moonshine rests, and how long it rests at first (seconds of
    /// audio; doubled on each further failure, up to `moonshineLongestRest`).
    static let moonshineFailuresBeforeRest = 3
    static let moonshineFirstRest = 60.0
    static let moonshineLongestRest = 600.0

    /// Whether Moonshine is there and not resting after failures.
    private var moonshineUsable: Bool { mode == .hybrid && moonshine != nil && audioTime >= moonshineRestsUntil }

    /// Moonshine's text for `samples`, keeping count of failures. A failure is said once (its
    /// lines come from PocketSphinx, less accurate); after several in a row Moonshine rests for a
    /// while (a hung worker costs its deadline on every call) and says when it is tried again;
    /// working again is said too. Before, a failing Moonshine only went to the log.
    private func askMoonshine(_ samples: [Float]) throws(LocalEngineError) -> String {
        guard let moonshine else { throw .decodeFailed(engine: "Moonshine", detail: "not loaded") }
        do {
            let text = try moonshine.transcribe(samples)
            if moonshineFailures > 0 {
                moonshineFailures = 0
                moonshineRestsUntil = -.infinity
                log.notice("Moonshine is working again")
                emit(.error(LiveError(kind: .engine, message: "offline engine: Moonshine is working again; captions use it as before", isFatal: false)))
            }
            return text
        } catch {
            moonshineFailures += 1
            log.warning("\(error); using PocketSphinx's words for this utterance (failure \(moonshineFailures) in a row)")
            let restAfter = Self.moonshineFailuresBeforeRest
            if moonshineFailures == 1 {
                emit(.error(LiveError(kind: .engine, message: "offline engine: \(error); this line uses PocketSphinx (less accurate), and Moonshine is tried again for the next one", isFatal: false)))
            } else if moonshineFailures >= restAfter {
                let rest = min(Self.moonshineLongestRest, Self.moonshineFirstRest * Double(1 << min(10, moonshineFailures - restAfter)))
                moonshineRestsUntil = audioTime + rest
                emit(.error(LiveError(kind: .engine, message: "offline engine: Moonshine failed \(moonshineFailures) times in a row (\(error)); "
                    + "captions use PocketSphinx alone (less accurate) for the next \(Int(rest)) s, then Moonshine is tried again", isFatal: false)))
            }
            throw error
        }
    }

    /// Moonshine's empty answer where PocketSphinx heard at least this many words is not taken:
    /// PocketSphinx's words are (one word alone may be its guess at a noise).
    static let sphinxWordsKeptWhenMoonshineIsEmpty = 4
    /// Other lead-ins and paddings (seconds) tried when Moonshine returns nothing.
    static let moonshineReframings: [(Double, Double)] = [(0, 0.5), (0.5, 1.0)]
    private struct MoonshineHeardNothing: Error {}

    /// The longest piece a long utterance Moonshine heard nothing in is asked again in (4 s).
    static let moonshinePieceSamples = 4 * sampleRate

    /// Moonshine asked for a long utterance in pieces cut at its quietest moments, their texts
    /// joined: 9.5 s of compressed speech with no pause in it (a broadcast-style recording) came
    /// back empty however it was framed, and PocketSphinx's words were used ("Just look up you
    /// are getting" for "Good morning everyone"; found in QA), while each half read right.
    private func askMoonshineInPieces(_ start: Int, _ end: Int) throws(LocalEngineError) -> [(text: String, start: Int, end: Int)] {
        let cuts = Self.quietCuts(history[(start - historyStart)..<(end - historyStart)], maxPiece: Self.moonshinePieceSamples)
        var pieces: [(text: String, start: Int, end: Int)] = []
        var from = start
        for cut in cuts.map({ start + $0 }) + [end] where cut > from {
            let text = try askMoonshine(moonshineInput(from, cut))
            if !TextNormalizer.tokens(text).isEmpty { pieces.append((text, from, cut)) }
            from = cut
        }
        return pieces
    }

    /// Where to cut `samples` into pieces of at most `maxPiece` samples: each cut at the middle of
    /// the quietest 10 ms frame in the second half of the piece before it. Offsets into `samples`.
    static func quietCuts(_ samples: ArraySlice<Int16>, maxPiece: Int) -> [Int] {
        let frame = SpeechSegmenter.samplesPerFrame
        guard maxPiece >= 2 * frame else { return [] }
        var cuts: [Int] = []
        var from = 0
        let n = samples.count
        while n - from > maxPiece {
            var best = from + maxPiece - frame
            var bestEnergy = Double.infinity
            var f = from + maxPiece / 2
            while f + frame <= from + maxPiece {
                let lo = samples.startIndex + f
                let e = SpeechSegmenter.energy(samples[lo ..< lo + frame])
                if e < bestEnergy { bestEnergy = e; best = f }
                f += frame
            }
            let cut = best + frame / 2
            cuts.append(cut)
            from = cut
        }
        return cuts
    }

    private func moonshineInput(_ start: Int, _ end: Int, leadIn: Double? = nil, padding: Double? = nil) -> [Float] {
        let span = history[(start - historyStart)..<(end - historyStart)]
        let gain = Self.normalizingGain(peak: span.lazy.map { abs(Int($0)) }.max() ?? 0)
        let lead = Int((leadIn ?? config.moonshineLeadIn) * Double(Self.sampleRate))
        let pad = Int((padding ?? config.moonshinePadding) * Double(Self.sampleRate))
        var samples = [Float](repeating: 0, count: lead)
        samples.reserveCapacity(lead + span.count + pad)
        samples += span.lazy.map { Float($0) * gain / 32768 }
        samples += Array(repeating: 0, count: pad)
        return samples
    }

    /// The gain that brings quiet speech (peak `peak` of 32768) up to a peak of −6 dBFS, by at
    /// most 40 dB; loud audio is left as it is. A quiet microphone or a recording made at low
    /// level is then heard like a normal one.
    static func normalizingGain(peak: Int) -> Float {
        guard peak > 0 else { return 1 }
        return min(100, max(1, 16_384 / Float(peak)))
    }

    private func beginUtterance(atSample from: Int, onset: Int) {
        active = true
        utteranceStartSample = from
        smoother.reset()
        sphinx.startUtterance()
        sphinx.process(history[(from - historyStart)...])
        nextInterimSample = consumed + Int(config.interimInterval * Double(Self.sampleRate))
        interimPrefix = []
        nextMoonshineInterimSample = from + moonshineInterimSamples
        if options.vadEvents == true {
            // Where the utterance's audio starts (its pre-roll), not where the detector was sure:
            // the first word often starts before that, and a client cutting at the timestamp
            // lost it (found in QA: 0.03–0.15 s after the first word). An input boost reaching
            // further back does not move it.
            let start = max(from, onset - Int(config.preroll * Double(Self.sampleRate)))
            emit(.speechStarted(SpeechStarted(channel: channelIndex, timestamp: round3(time(start)))))   // to the millisecond, as every time sent
        }
    }

    private func endUtterance(atSample cut: Int, pause: Bool, fromFinalize: Bool) {
        guard active else { return }
        let start = utteranceStartSample
        let end = max(start, min(cut, consumed))
        let t0 = time(start), t1 = time(end)
        let sphinxWords = sphinx.endUtterance()
            .map { w -> TimedWord in Self.shift(w, by: t0) }
            .filter { $0.start < t1 }
        var words = sphinxWords
        var fromMoonshine = false
        if moonshineUsable {
            do {
                var text: String
                // Moonshine's texts of pieces of the utterance, when it was asked in pieces: each
                // is aligned within its own piece.
                var pieces: [(text: String, start: Int, end: Int)] = []
                if let s = speculation, s.start == start, s.end == end { text = s.text }
                else { text = try askMoonshine(moonshineInput(start, end)) }
                // Moonshine can return nothing for clear speech, depending on where the audio is
                // cut: tried again framed otherwise (whole sentences were lost as an empty final,
                // found in QA).
                for (leadIn, padding) in Self.moonshineReframings where TextNormalizer.tokens(text).isEmpty && !sphinxWords.isEmpty {
                    text = try askMoonshine(moonshineInput(start, end, leadIn: leadIn, padding: padding))
                }
                if TextNormalizer.tokens(text).isEmpty, !sphinxWords.isEmpty, end - start > Self.moonshinePieceSamples {
                    pieces = try askMoonshineInPieces(start, end)
                    text = pieces.map(\.text).joined(separator: " ")
                }
                if TextNormalizer.tokens(text).isEmpty, sphinxWords.count >= Self.sphinxWordsKeptWhenMoonshineIsEmpty {
                    log.warning("Moonshine heard nothing in \(NumberText.fixed(t1 - t0, decimals: 1)) s where PocketSphinx heard \(sphinxWords.count) words; using PocketSphinx's")
                    throw MoonshineHeardNothing()
                }
                let tokens = TextNormalizer.tokens(text)
                let seconds = max(0.5, t1 - t0)
                if Double(tokens.count) / seconds > config.maxWordsPerSecond {
                    log.info("Moonshine transcript too fast for its audio (\(tokens.count) words in \(seconds) s); using PocketSphinx's")
                } else {
                    let lo = sphinxWords.first.map { min($0.start, t0 + 0.1) } ?? t0
                    if pieces.isEmpty {
                        words = WordAligner.align(tokens, with: sphinxWords, span: max(t0, lo)...t1)
                    } else {
                        words = pieces.flatMap { p -> [TimedWord] in
                            let (a, b) = (time(p.start), time(p.end))
                            let inside = sphinxWords.filter { (a..<b).contains(($0.start + $0.end) / 2) }
                            return WordAligner.align(TextNormalizer.tokens(p.text), with: inside, span: a...b)
                        }
                    }
                    fromMoonshine = true
                }
            } catch is MoonshineHeardNothing {
                // (said above)
            } catch {
                // (said by askMoonshine)
            }
        }
        // PocketSphinx's words (its mode, or Moonshine's fallback) are all lower case: cased as a
        // sentence, "I" included ("But i would often" was a final).
        if wantPunctuation, !fromMoonshine {
            words = Self.sentenceCased(words)
            // PocketSphinx gives no punctuation: a pause ends its sentence with a period, so
            // `punctuate` gives sentences, not only capitals (not at a split of a long utterance
            // or a Finalize, which may fall mid-sentence).
            if pause, !fromFinalize, var last = words.last, let c = last.punctuated.last, c.isLetter || c.isNumber {
                last.punctuated += "."
                words[words.count - 1] = last
            }
        }
        active = false
        speculation = nil
        interimPrefix = []
        nextMoonshineInterimSample = Int.max
        lastUtteranceEndSample = end
        let spanEnd = max(lastFinalEnd, t1)
        // The utterance may have begun before the last final's end (its preroll, after a Finalize
        // between utterances), and PocketSphinx's times can run past the audio it was given.
        words = Self.clamp(words, to: lastFinalEnd...spanEnd)
        if wantPunctuation {
            words = Self.startingSentence(words, afterSentenceEnd: lastFinalEndedSentence)
            if let last = words.last { lastFinalEndedSentence = Self.endsSentence(last.punctuated) }
        }
        // With `endpointing=false` Deepgram never marks speech_final; finals still come at pauses.
        let endpointingOn = options.endpointing != .disabled
        emitFinal(words: words, start: lastFinalEnd, end: spanEnd, speechFinal: pause && !fromFinalize && endpointingOn,
                  fromFinalize: fromFinalize)
        lastFinalEnd = spanEnd
        if let last = words.last { lastWordEnd = last.end }
        // The next utterance may start right here (a split); audio before `end` is no longer needed.
        dropHistory(before: end - Int(config.preroll * Double(Self.sampleRate)))
        if !pause && !fromFinalize {
            // Over-long utterance split: the next one starts at the cut, with audio already heard.
            beginContinuation(at: end)
        }
    }

    /// After a split, the next utterance starts at `from` and must see the audio since then.
    private func beginContinuation(at from: Int) {
        active = true
        utteranceStartSample = from
        smoother.reset()
        sphinx.startUtterance()
        sphinx.process(history[max(0, from - historyStart)...])
        nextInterimSample = consumed
        interimPrefix = []
        nextMoonshineInterimSample = from + moonshineInterimSamples
    }

    // MARK: output

    private func emitInterim() {
        let t0 = time(utteranceStartSample)
        let hyp = sphinx.hypothesis().map { w -> TimedWord in Self.shift(w, by: t0) }
        var words = smoother.update(hyp)
        if let cut = interimPrefix.last?.end {
            words = interimPrefix + words.filter { $0.start >= cut - 0.05 }
        } else if wantPunctuation {
            words = Self.sentenceCased(words)
        }
        // Deepgram repeats interims even when unchanged; so do we, to keep the cadence steady.
        let end = max(lastFinalEnd, audioTime)
        emit(.results(results(words: Self.clamp(words, to: lastFinalEnd...end), start: lastFinalEnd, end: end,
                              isFinal: false, speechFinal: false, fromFinalize: false)))
    }

    private func emitFinal(words: [TimedWord], start: Double, end: Double, speechFinal: Bool, fromFinalize: Bool) {
        emit(.results(results(words: words, start: start, end: end, isFinal: true,
                              speechFinal: speechFinal, fromFinalize: fromFinalize)))
    }

    private func emitUtteranceEndIfDue(force: Bool) {
        guard let ms = options.utteranceEndMs, let last = lastWordEnd else { return }
        if force || audioTime >= last + Double(ms) / 1000 {
            // Rounded like every other time sent (it read 3.3200000000000003).
            emit(.utteranceEnd(UtteranceEnd(channel: channelIndex, lastWordEnd: round3(last))))
            lastWordEnd = nil
        }
    }

    private func transcript(_ words: [TimedWord]) -> String {
        words.map { wantPunctuation ? $0.punctuated : $0.word }.joined(separator: " ")
    }

    private func results(words spoken: [TimedWord], start: Double, end: Double, isFinal: Bool, speechFinal: Bool, fromFinalize: Bool) -> Results {
        // Deepgram's numerals (and smart_format, which includes them) write numbers in digits.
        // Without them, words: Moonshine's own digits are spelled out.
        let words = options.numerals == true || options.smartFormat == true ? SpokenNumbers.format(spoken) : SpokenNumbers.spelledOut(spoken)
        let dgWords = words.map { w in
            Word(word: w.word, start: round3(w.start), end: round3(w.end), confidence: round3(w.confidence),
                 punctuatedWord: wantPunctuation ? w.punctuated : nil)
        }
        let conf = words.isEmpty ? 0 : words.map(\.confidence).reduce(0, +) / Double(words.count)
        let alt = Alternative(transcript: transcript(words), confidence: round3(conf), words: dgWords)
        // The duration of the rounded span: start + duration is the rounded end, which the words
        // (rounded alike) do not pass and the next final starts at.
        return Results(channelIndex: channelIndex, start: round3(start), duration: round3(round3(end) - round3(start)),
                       isFinal: isFinal, speechFinal: speechFinal,
                       fromFinalize: fromFinalize, channel: Channel(alternatives: [alt]),
                       // The request's `extra` pairs come back in every result, as Deepgram's do.
                       metadata: ResultsMetadata(requestID: requestID, modelInfo: modelInfo, modelUUID: modelUUID,
                                                 extra: options.extraMetadata))
    }

    /// PocketSphinx's interim words as the start of a sentence: the first word capitalised, and
    /// "i" (also "i'm", "i'll" …) as "I". With punctuation asked for, the final (Moonshine's) is
    /// written that way; an all-lower-case interim made every line flicker when it became final.
    static func sentenceCased(_ words: [TimedWord]) -> [TimedWord] {
        words.enumerated().map { k, w in
            var w = w
            if w.punctuated == "i" || w.punctuated.hasPrefix("i'") {
                w.punctuated = "I" + w.punctuated.dropFirst()
            } else if k == 0, let first = w.punctuated.first, first.isLowercase {
                w.punctuated = first.uppercased() + w.punctuated.dropFirst()
            }
            return w
        }
    }

    /// A final's words after a final that ended a sentence: the first word capitalised.
    /// Moonshine sees each utterance alone, and one that continues after a pause squeezed out
    /// (or a split) can come back in lower case: "It was cold. after an hour…".
    static func startingSentence(_ words: [TimedWord], afterSentenceEnd: Bool) -> [TimedWord] {
        guard afterSentenceEnd, var first = words.first, let c = first.punctuated.first, c.isLowercase else { return words }
        var out = words
        first.punctuated = c.uppercased() + first.punctuated.dropFirst()
        out[0] = first
        return out
    }

    /// Whether a punctuated word ends a sentence ("cold.", "why?", "now!\"", "end.)").
    static func endsSentence(_ word: String) -> Bool {
        let trimmed = word.reversed().drop { "\"'”’)]".contains($0) }
        guard let last = trimmed.first else { return false }
        return ".?!…".contains(last)
    }

    /// Makes utterance-relative word times absolute; PocketSphinx's frame count can be one off
    /// at an utterance's edge, so times are kept inside it.
    static func shift(_ w: TimedWord, by t0: Double) -> TimedWord {
        var w = w
        w.start = max(t0, w.start + t0)
        w.end = max(w.start, w.end + t0)
        return w
    }

    /// Keeps words inside a Result's span: a word is never before its start nor past its end.
    /// `words` inside `span`, each starting where the one before ended at the earliest
    /// (PocketSphinx's segments can overlap by a frame: "even" 57.79–57.99, "people" from 57.98).
    static func clamp(_ words: [TimedWord], to span: ClosedRange<Double>) -> [TimedWord] {
        var cursor = span.lowerBound
        return words.map { w in
            var w = w
            w.start = min(max(w.start, cursor), span.upperBound)
            w.end = min(max(w.end, w.start), span.upperBound)
            cursor = w.end
            return w
        }
    }

    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    // MARK: memory

    /// Keeps the preroll and the boost's reach back; drops in batches (not a frame at a time).
    private func trimHistory() {
        let keep = reachBackSamples
        guard consumed - historyStart > 2 * keep else { return }
        dropHistory(before: consumed - keep)
    }

    /// The boost has just come on between utterances: the last `boostReachBackSeconds` of input
    /// (not yet in any utterance) get it too, and the next utterance may start there.
    private func boostRecentHistory() {
        let from = max(lastUtteranceEndSample, historyStart,
                       consumed - Int(Self.boostReachBackSeconds * Double(Self.sampleRate)))
        guard from < consumed else { return }
        let i = from - historyStart
        history.replaceSubrange(i..., with: inputGain.apply(Array(history[i...])))
        boostReachBack = from
    }

    private func dropHistory(before sample: Int) {
        let n = sample - historyStart
        guard n > 0 else { return }
        if active { guard sample <= utteranceStartSample else { return } }
        let k = min(n, history.count)
        history.removeFirst(k)
        historyStart += k
    }
}
