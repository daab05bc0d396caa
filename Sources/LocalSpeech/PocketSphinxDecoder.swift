import FoundationEssentials

/// One PocketSphinx decoder: streaming recognition of 16 kHz mono 16-bit speech.
///
/// Not thread-safe: a decoder is confined to the serial queue of the session that owns it.
/// Times in results are relative to the start of the current utterance (10 ms frames).
final class PocketSphinxDecoder {
    private let lib: SphinxLibrary
    private let ps: OpaquePointer
    private let logmath: OpaquePointer?
    private(set) var inUtterance = false
    /// Segment frame numbers run on across utterances in this PocketSphinx release: the frames
    /// of earlier utterances, subtracted to make times relative to the current one.
    ///
    /// They run on by exactly the whole 10 ms frames of audio each utterance was given. Neither
    /// `ps_get_n_frames` reading says that: before `ps_end_utt` it lags by the 4 frames the
    /// feature pipeline still holds, and after it is sometimes 4 short as well (for about one
    /// utterance length in five). Each shortfall made every later word 40 ms late: the offline
    /// engine's times fell behind the voice by half a second in two minutes, half a minute in
    /// an hour. So the decoder counts the frames itself, and feeds only whole frames (a partial
    /// frame waits for the rest of its samples; at the end of an utterance it is dropped).
    private var frameBase = 0
    /// Whole frames given to the current utterance.
    private var framesFed = 0
    /// Samples of the current utterance short of a whole frame.
    private var partialFrame: [Int16] = []
    static let samplesPerFrame = SpeechSegmenter.samplesPerFrame   // 10 ms at 16 kHz
    /// PocketSphinx's frame rate (its default `-frate`).
    static let framesPerSecond = 100.0

    /// PocketSphinx's own initial backpointer table (`-latsize`), doubled when full.
    static let defaultBackpointers = 5_000

    /// A backpointer table that an utterance of `frames` 10 ms frames never outgrows.
    ///
    /// PocketSphinx grows the table only when a word exit is added to a full one, and
    /// `ps_get_hyp` asserts that the index where the last frame's exits start is inside the table:
    /// a frame that fills it exactly, then a frame with no word exit (a pause, quiet speech)
    /// and a hypothesis request abort the whole process (`ngram_search_find_exit: Assertion
    /// 'end_bpidx < ngs->bp_table_size' failed`, seen in CI). A table that never fills mid-
    /// utterance cannot meet that. An utterance uses about 20–40 entries a frame (12 s of speech
    /// or noise: 20 000–40 000); 128 a frame leaves a wide margin. The table is `calloc`ed, so
    /// what no utterance reaches is never touched (not resident).
    static func backpointers(forUtteranceFrames frames: Int) -> Int {
        min(8_388_608, max(defaultBackpointers, frames * 128))
    }

    /// Creates a decoder for the model in `model` (a directory holding `en-us/`, `en-us.lm.bin`
    /// and `cmudict-en-us.dict`). `fwdflat` off cuts end-of-utterance latency at equal accuracy.
    /// `backpointers`: the backpointer table's size (`backpointers(forUtteranceFrames:)`).
    init(model: SphinxModel, fwdflat: Bool = false, backpointers: Int = defaultBackpointers) throws(LocalEngineError) {
        let args = [
            "-hmm", model.acousticModel.path, "-lm", model.languageModel.path,
            "-dict", model.dictionary.path, "-fwdflat", fwdflat ? "yes" : "no",
            "-remove_silence", "no", "-latsize", "\(backpointers)",
            // No -logfn: ps_init would fopen it and, in a second decoder, fclose the first one's log
            // FILE while that decoder may be writing to it (a use-after-free). captty_ps_create
            // silences logging globally with err_set_logfp(NULL) instead (SphinxLibrary.createDecoder).
        ]
        let lib = try SphinxLibrary.shared.get()
        guard let created = lib.createDecoder(args) else {
            throw .modelLoadFailed(engine: "PocketSphinx", path: model.directory.path,
                                   detail: "ps_init failed (missing or unreadable model files)")
        }
        self.lib = lib
        ps = created
        logmath = lib.psGetLogmath(created)
    }

    deinit { _ = lib.psFree(ps) }

    func startUtterance() {
        if inUtterance { _ = lib.psEndUtt(ps); frameBase += framesFed }
        _ = lib.psStartUtt(ps)
        inUtterance = true
        framesFed = 0
        partialFrame = []
    }

    /// Feeds samples to the current utterance (starting one if needed), in whole frames.
    func process(_ samples: ArraySlice<Int16>) {
        if !inUtterance { startUtterance() }
        let input = partialFrame.isEmpty ? samples : ArraySlice(partialFrame + samples)
        let whole = input.count - input.count % Self.samplesPerFrame
        feed(input.prefix(whole))
        partialFrame = Array(input.dropFirst(whole))
    }

    private func feed(_ frames: ArraySlice<Int16>) {
        guard !frames.isEmpty else { return }
        frames.withUnsafeBufferPointer { buf in
            _ = lib.psProcessRaw(ps, buf.baseAddress, buf.count, 0, 0)
        }
        framesFed += frames.count / Self.samplesPerFrame
    }

    /// The current best hypothesis' words, times relative to the utterance start.
    func hypothesis() -> [TimedWord] {
        guard inUtterance else { return [] }
        return words()
    }

    /// Ends the utterance and returns its final words (times relative to its start).
    func endUtterance() -> [TimedWord] {
        guard inUtterance else { return [] }
        _ = lib.psEndUtt(ps)
        inUtterance = false
        let w = words()
        frameBase += framesFed
        partialFrame = []
        return w
    }

    private func words() -> [TimedWord] {
        var score: Int32 = 0
        guard lib.psGetHyp(ps, &score) != nil else { return [] }
        var out: [TimedWord] = []
        var seg = lib.psSegIter(ps)
        while let s = seg {
            if let cw = lib.psSegWord(s), let word = Self.clean(String(cString: cw)) {
                var sf: Int32 = 0, ef: Int32 = 0
                lib.psSegFrames(s, &sf, &ef)
                var a: Int32 = 0, l: Int32 = 0, b: Int32 = 0
                let prob = lib.psSegProb(s, &a, &l, &b)
                let conf = logmath.map { min(1, max(0, lib.logmathExp($0, prob))) } ?? 0
                out.append(TimedWord(word: word, start: Double(Int(sf) - frameBase) / Self.framesPerSecond,
                                     end: Double(Int(ef) + 1 - frameBase) / Self.framesPerSecond, confidence: conf))
            }
            seg = lib.psSegNext(s)
        }
        return out
    }

    /// Drops fillers (`<s>`, `<sil>`, `[NOISE]`) and alternate-pronunciation marks (`word(2)`).
    static func clean(_ raw: String) -> String? {
        if raw.hasPrefix("<") || raw.hasPrefix("[") || raw.hasPrefix("+") { return nil }
        var w = raw
        if let paren = w.firstIndex(of: "("), w.hasSuffix(")") { w = String(w[..<paren]) }
        return w.isEmpty ? nil : w.lowercased()
    }
}
