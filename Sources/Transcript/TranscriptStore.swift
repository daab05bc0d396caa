import Deepgram

/// Merges a stream of `LiveEvent`s into committed caption lines plus the pending interim.
///
/// - An interim replaces the pending text of its channel; a final commits its words and
///   clears it. Empty finals only advance time.
/// - `speech_final` and `UtteranceEnd` close the channel's current line; a change of
///   diarized speaker starts a new one, and so does a line reaching `maxLineWords`.
/// - Words that repeat already committed words are dropped. Only a new connection repeats
///   words (a reconnecting client replays buffered audio, so the new connection re-sends finals
///   for a span already committed; a restored session may re-send restored audio): a word is a
///   repeat when its midpoint lies before the end of the words committed before the latest
///   `.open` (the replay horizon) or, in a result that re-covers that audio, it ends no later
///   than that end plus `tolerance`. Within one connection no final word is a repeat, so a
///   final that arrives out of order is kept. An interim shows only words after every
///   committed one.
/// - A word's end is clamped to its result's span: one word with a bogus end must not push the
///   replay horizon past speech that follows.
///
/// Each update costs amortised O(words in the event), independent of the transcript's length.
/// Lines live in chunked storage, so copies (UI snapshots) stay cheap too.
public struct TranscriptStore: Sendable {
    /// Per-channel merge state.
    struct ChannelState: Sendable {
        /// The interim shown when the connection closed, until results for the channel come again.
        var unconfirmed: PendingInterim?
        var pending: PendingInterim?
        /// Index into `lines` of the line still accepting words.
        var openLine: Int?
        /// End of the last committed word.
        var committedEnd: Double = -.infinity
        /// `committedEnd` when the latest connection opened: words before it may be replays.
        var replayHorizon: Double = -.infinity
        var lastStart: Double = -.infinity
        /// The latest finals with words (start, duration, transcript): the same final sent twice
        /// is a server's mistake, dropped, where a later final for an earlier span is kept.
        var recentFinals: [RecentFinal] = []
    }

    struct RecentFinal: Sendable, Equatable {
        var start: Double
        var duration: Double
        var transcript: String
    }

    public private(set) var lines = LineStorage()
    /// The latest session time seen (end of the latest result), in seconds.
    public private(set) var time: Double = 0
    /// Total committed words.
    public private(set) var wordCount = 0
    /// The last `Metadata` the engine sent (for Deepgram-shaped exports).
    public private(set) var metadata: Metadata?
    /// Hits of `--search` queries in final results (for the JSON export).
    public private(set) var search = SearchResults()
    /// Entities of final results (`detect_entities`, for the JSON export).
    public private(set) var entities = EntityResults()
    /// Audio lost in the session (`AudioGap`), in time order: marked in the exports.
    public private(set) var gaps: [AudioGap] = []

    /// Where the session's audio ends, given the end of the audio read: a gap may run past it
    /// (a pause, or a device lost, at the end).
    public func audioEnd(read seconds: Double) -> Double { max(seconds, gaps.last?.end ?? 0) }
    /// Words kept without a final (`keepUnconfirmedTail`).
    public private(set) var unconfirmedSpans: [UnconfirmedSpan] = []

    /// Records audio lost at `gap` (one that continues an earlier gap extends it).
    public mutating func addGap(_ gap: AudioGap) { gaps = AudioGap.adding(gap, to: gaps) }
    /// Engine options changed mid-session (a key), in the order they took effect.
    public private(set) var optionChanges: [OptionsChange] = []
    public mutating func addOptionsChange(_ change: OptionsChange) { optionChanges.append(change) }

    /// Slack, in seconds, when deciding that a word repeats a committed one.
    public var tolerance: Double
    private var channels: [Int: ChannelState] = [:]
    private var nextLineID = 0
    private var latestPendingChannel: Int?

    /// A line holding this many words is closed and the next word starts a new one, so that a
    /// speaker who never pauses (or endpointing turned off) still gets paragraphs, and the work
    /// of wrapping the open line for the screen stays bounded.
    public var maxLineWords = 200
    /// A line holding this many words is also closed by a final that ends a sentence (`.`, `?`,
    /// `!`) without ending the speech: with endpointing off, or a speaker who never pauses,
    /// Deepgram sends no speech_final, and plain mode (which prints a line once it is closed,
    /// for screen readers) printed nothing until 200 words had come.
    public var sentenceLineWords = 20
    /// A line spanning this many seconds is closed by the next final that ends a clause on it
    /// (`,` `;` `:`) though not the speech (no speech_final: a speaker who never pauses)…
    public var clauseLineSeconds: Double = 10
    /// … or holding this many words.
    public var clauseLineWords = 30
    /// A line spanning this many seconds, without any punctuation (punctuation off), is closed
    /// by the next final that ends on it.
    public var hardLineSeconds: Double = 15
    /// … or holding this many words.
    public var hardLineWords = 60

    public init(tolerance: Double = 0.03) { self.tolerance = tolerance }

    /// A store continuing a restored session (from `JournalReader`): new words never
    /// duplicate the restored ones and new lines get fresh ids.
    public init(restoring restored: [CaptionLine], tolerance: Double = 0.03) {
        self.tolerance = tolerance
        for var l in restored {
            l.isClosed = true
            lines.append(l)
            wordCount += l.words.count
            var ch = channels[l.channel] ?? ChannelState()
            ch.committedEnd = max(ch.committedEnd, l.end)
            ch.replayHorizon = ch.committedEnd
            ch.lastStart = max(ch.lastStart, l.words.last?.start ?? ch.lastStart)
            channels[l.channel] = ch
            nextLineID = max(nextLineID, l.id + 1)
            time = max(time, l.end)
        }
    }

    // MARK: Reading

    /// The last `n` committed lines, oldest first; O(n).
    public func lastLines(_ n: Int) -> [CaptionLine] { lines.suffix(n) }

    /// The most recently updated pending interim of any channel.
    public var pending: PendingInterim? { latestPendingChannel.flatMap { channels[$0]?.pending } }

    /// The pending interim of one channel.
    public func pending(channel: Int) -> PendingInterim? { channels[channel]?.pending }

    /// Whether `channel` has a line still open (its next final words join it).
    public func hasOpenLine(channel: Int) -> Bool { channels[channel]?.openLine != nil }

    /// The index in `lines` of `channel`'s open line, if it has one.
    public func openLineIndex(channel: Int) -> Int? { channels[channel]?.openLine }

    /// Every channel's pending interim, by channel (in a multichannel session two people can
    /// be speaking at once: each guess is shown, not only the latest).
    public var pendingByChannel: [PendingInterim] {
        channels.keys.sorted().compactMap { channels[$0]?.pending }
    }

    /// All committed text, one line per caption line (O(transcript); for tests and tools).
    public var committedText: String { lines.map(\.text).joined(separator: "\n") }

    // MARK: Updating

    /// Applies one engine event and says what changed.
    @discardableResult
    public mutating func apply(_ event: LiveEvent) -> StoreChange {
        var change = StoreChange()
        switch event {
        case .results(let r):
            if r.isFinal { commit(r, into: &change) } else { setInterim(r, into: &change) }
        case .utteranceEnd(let u):
            closeLine(channel: u.channel.first ?? 0, into: &change)
        case .metadata(let m):
            metadata = m
        case .close:
            for c in channels.keys {
                guard let p = channels[c]?.pending else { continue }
                // Kept aside: a reconnect's results replace it; at the end of the stream it is
                // the only text for its audio (`keepUnconfirmedTail`).
                channels[c]?.unconfirmed = p
                channels[c]?.pending = nil
                change.interimChanged = true
            }
            latestPendingChannel = nil
        case .open:
            // A new connection (after a reconnect) may re-send finals for audio committed so far.
            for c in channels.keys {
                guard var ch = channels[c] else { continue }
                ch.replayHorizon = ch.committedEnd
                channels[c] = ch
            }
        case .speechStarted, .reconnecting, .error, .unhandled, .configured, .configureRefused:
            break
        }
        return change
    }

    /// Whether `w` of result `r` repeats a word committed before `horizon` (for a final, the
    /// end of the words committed before the latest connection opened). A word whose middle
    /// lies before that end is one. The `tolerance` for times shifted by a reconnect applies
    /// only to a result that re-covers committed audio (starts before that end): a new result
    /// follows on, and its first word may be a short one ending within the tolerance of the
    /// last committed word.
    private func isRepeat(_ w: CaptionWord, of r: Results, before horizon: Double) -> Bool {
        if (w.start + w.end) / 2 < horizon { return true }
        return r.start < horizon - tolerance && w.end <= horizon + tolerance
    }

    /// Whether `words` are, word for word, the words this channel committed over their span
    /// (judged among the latest 200 lines: a server re-sending a final from long ago is rare,
    /// and the look-up stays cheap).
    private func repeatsCommittedWords(_ words: [CaptionWord], channel: Int) -> Bool {
        guard let first = words.first, let last = words.last else { return false }
        let from = first.start - tolerance, to = last.end + tolerance
        var committed: [String] = []
        var checked = 0
        for line in lines.reversed() where line.channel == channel {
            checked += 1
            if checked > 200 { return false }
            if line.end < from { break }
            for w in line.words.reversed() where (w.start + w.end) / 2 >= from && (w.start + w.end) / 2 <= to {
                committed.append(w.word.lowercased())
            }
        }
        return committed.reversed().elementsEqual(words.map { $0.word.lowercased() })
    }

    /// The result's words, or words spread evenly over its span when the engine sent a
    /// transcript without word timings.
    private static func words(of r: Results) -> [CaptionWord] {
        let alt = r.best
        if !alt.words.isEmpty {
            var given = alt.words.map(CaptionWord.init)
            if let shown = punctuatedTranscript(alt) { for i in given.indices { given[i].text = shown[i] } }
            // In time order (Deepgram's always are; words sent backwards read "ran it Then").
            let inOrder = zip(given, given.dropFirst()).allSatisfy { $0.start <= $1.start }
                ? given : given.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
            return inOrder.compactMap { cw in
                var w = cw
                if r.duration > 0, w.end > r.end { w.end = max(w.start, r.end) }
                // A word of spaces alone (a server's "   ") made a cue of spaces, shown as an empty
                // caption. (Dictation's "\n\n" and "\n" words are breaks, which the exports keep
                // inside their line.)
                if w.text.allSatisfy({ $0.isWhitespace && !$0.isNewline }) { return nil }
                return w
            }
        }
        let tokens = alt.transcript.split(whereSeparator: \.isWhitespace)
        guard !tokens.isEmpty else { return [] }
        let step = max(r.duration, 0) / Double(tokens.count)
        return tokens.enumerated().map { i, t in
            CaptionWord(word: String(t).lowercased(), text: String(t), start: r.start + Double(i) * step,
                        end: r.start + Double(i + 1) * step, confidence: alt.confidence)
        }
    }

    /// The transcript's tokens, one for each word, when a server punctuated its transcript but
    /// sent its words bare (no `punctuated_word`): "Hello there, General Kenobi." for
    /// hello/there/general/kenobi was shown as "hello there general kenobi" (found in QA). Nil
    /// unless every token is its word with punctuation and capitals.
    static func punctuatedTranscript(_ alt: Alternative) -> [String]? {
        guard alt.words.allSatisfy({ $0.punctuatedWord == nil }) else { return nil }
        let tokens = alt.transcript.split(whereSeparator: \.isWhitespace)
        guard tokens.count == alt.words.count else { return nil }
        func core(_ s: some StringProtocol) -> String { String(s.lowercased().filter { $0.isLetter || $0.isNumber }) }
        var differs = false
        for (t, w) in zip(tokens, alt.words) {
            guard core(t) == core(w.word), !core(t).isEmpty else { return nil }
            if t != w.word { differs = true }
        }
        return differs ? tokens.map(String.init) : nil
    }

    private mutating func setInterim(_ r: Results, into change: inout StoreChange) {
        let c = r.channelIndex.first ?? 0
        var ch = channels[c] ?? ChannelState()
        ch.unconfirmed = nil
        time = max(time, r.end)
        let all = Self.words(of: r)
        // An interim shows only what is not committed yet, whichever connection committed it.
        let fresh = all.filter { !isRepeat($0, of: r, before: ch.committedEnd) }
        let new: PendingInterim? = fresh.isEmpty ? nil : PendingInterim(
            channel: c, words: fresh, text: fresh.map(\.text).joined(separator: " "),
            start: fresh.first!.start, end: max(fresh.last!.end, r.end))
        if new != ch.pending {
            ch.pending = new
            change.interimChanged = true
        }
        change.duplicateWordsDropped += all.count - fresh.count
        channels[c] = ch
        if new != nil { latestPendingChannel = c } else { forgetLatestPending(c) }
    }

    /// Commits the interims no final replaced (the engine closed the stream, or stopped
    /// answering, before confirming them) as closed lines: at the end of a session they are the
    /// only text for their audio. Returns the change and where the first such word starts.
    public mutating func keepUnconfirmedTail() -> (change: StoreChange, from: Double?) {
        var change = StoreChange()
        var from: Double?
        for c in channels.keys.sorted() {
            guard var ch = channels[c], let p = ch.pending ?? ch.unconfirmed else { continue }
            ch.pending = nil
            ch.unconfirmed = nil
            let words = p.words.filter { ($0.start + $0.end) / 2 >= ch.committedEnd }
            if !words.isEmpty {
                let i: Int
                if let open = ch.openLine, lines[open].speaker == words[0].speaker { i = open } else {
                    closeOpenLine(&ch, into: &change)
                    lines.append(CaptionLine(id: nextLineID, channel: c, speaker: words[0].speaker))
                    nextLineID += 1
                    i = lines.count - 1
                }
                var kept: [CaptionWord] = []
                for var w in words {
                    w.start = max(w.start, ch.lastStart)
                    w.end = max(w.end, w.start)
                    lines[i].append(w)
                    kept.append(w)
                    wordCount += 1
                    ch.committedEnd = max(ch.committedEnd, w.end)
                    ch.lastStart = w.start
                }
                ch.openLine = i
                closeOpenLine(&ch, into: &change)
                change.committed.append(CommittedSegment(
                    lineID: lines[i].id, channel: c, speaker: kept[0].speaker, start: kept[0].start, end: kept[kept.count - 1].end,
                    confidence: kept.reduce(0) { $0 + $1.confidence } / Double(kept.count), words: kept, speechFinal: true,
                    fromFinalize: false, unconfirmed: true))
                unconfirmedSpans.append(UnconfirmedSpan(channel: c, start: kept[0].start, end: kept[kept.count - 1].end))
                from = min(from ?? kept[0].start, kept[0].start)
                change.interimChanged = true
            }
            channels[c] = ch
        }
        latestPendingChannel = nil
        return (change, from)
    }

    private mutating func commit(_ r: Results, into change: inout StoreChange) {
        let c = r.channelIndex.first ?? 0
        for s in r.channel.search ?? [] where !s.hits.isEmpty {
            if let fresh = search.add(s, channel: c) { change.searchHits.append(ChannelSearchHits(channel: c, hits: fresh)) }
        }
        var ch = channels[c] ?? ChannelState()
        ch.unconfirmed = nil
        time = max(time, r.end)
        if ch.pending != nil {
            ch.pending = nil
            change.interimChanged = true
        }
        let all = Self.words(of: r)
        if !all.isEmpty {
            let key = RecentFinal(start: r.start, duration: r.duration, transcript: r.best.transcript)
            if ch.recentFinals.contains(key) {
                // The very same final again (start, length and text): its words were committed.
                change.duplicateWordsDropped += all.count
                // Its end of speech still counts when it repeats the latest final (a server that
                // sent it first without speech_final): the next words start a new line.
                if r.speechFinal || r.fromFinalize, ch.recentFinals.last == key { closeOpenLine(&ch, into: &change) }
                channels[c] = ch
                forgetLatestPending(c)
                return
            }
            // An old final sent again on this connection (not the latest, which `recentFinals`
            // catches): wholly inside audio this channel already captioned, with the very words
            // committed there. It was printed again and moved to the end of the transcript; it is
            // left out and said. (A final with other words there is kept: a server's final that
            // came out of order.)
            if ch.committedEnd > ch.replayHorizon,
               all.allSatisfy({ ($0.start + $0.end) / 2 < ch.committedEnd - tolerance }),
               repeatsCommittedWords(all, channel: c) {
                change.duplicateWordsDropped += all.count
                change.staleFinal = max(0, r.start) ... max(0, r.start, r.end)
                channels[c] = ch
                forgetLatestPending(c)
                return
            }
            ch.recentFinals.append(key)
            if ch.recentFinals.count > 8 { ch.recentFinals.removeFirst() }
        }
        var kept = 0
        // Where each word went (nil: a repeat), for placing the result's entities.
        var placed = [(start: Double, end: Double)?](repeating: nil, count: r.detectedEntities.isEmpty ? 0 : all.count)
        // Repeats are judged against what was committed before this connection: words of one
        // result never repeat each other, however close their times (short words, evenly spread
        // timings, an engine with coarse timestamps).
        for (j, var w) in all.enumerated() {
            if isRepeat(w, of: r, before: ch.replayHorizon) { change.duplicateWordsDropped += 1; continue }
            kept += 1
            // Keep time monotonic even if the engine's word times overlap slightly.
            w.start = max(w.start, ch.lastStart)
            w.end = max(w.end, w.start)
            if !placed.isEmpty { placed[j] = (w.start, w.end) }
            if let i = ch.openLine, !lines[i].words.isEmpty,
               lines[i].speaker != w.speaker || lines[i].words.count >= maxLineWords {
                closeOpenLine(&ch, into: &change)
            }
            let i: Int
            if let open = ch.openLine { i = open } else {
                lines.append(CaptionLine(id: nextLineID, channel: c, speaker: w.speaker))
                nextLineID += 1
                i = lines.count - 1
                ch.openLine = i
            }
            lines[i].append(w)
            wordCount += 1
            ch.committedEnd = max(ch.committedEnd, w.end)
            ch.lastStart = w.start
            let id = lines[i].id
            // Appended in place: a copy of the last segment held here would share its words
            // array and make every append copy it (quadratic in a result's words).
            let lastIndex = change.committed.count - 1
            if lastIndex >= 0, change.committed[lastIndex].lineID == id {
                change.committed[lastIndex].words.append(w)
                change.committed[lastIndex].end = max(change.committed[lastIndex].end, w.end)
            } else {
                change.committed.append(CommittedSegment(
                    lineID: id, channel: c, speaker: w.speaker, start: w.start, end: w.end,
                    confidence: r.best.confidence, words: [w], speechFinal: false,
                    fromFinalize: r.fromFinalize))
            }
        }
        for e in r.detectedEntities {
            // Placed by its words that were kept (none: a replay's repeat, or indices that do
            // not fit the words).
            guard let from = e.startWord, let to = e.endWord, from < to, to <= placed.count else { continue }
            let spans = placed[from ..< to].compactMap { $0 }
            guard let first = spans.first, let last = spans.last else { continue }
            let timed = TimedEntity(channel: c, label: e.label, value: e.value, rawValue: e.rawValue,
                                    confidence: e.confidence, start: first.start, end: last.end, words: spans.count)
            if entities.add(timed) { change.entities.append(timed) }
        }
        // A replayed speech_final whose words were all repeats refers to an older line. The
        // answer to a Finalize ends the line too: Finalize says the speaker has stopped for now
        // (the audio stalled, the session pauses), and its result rarely has speech_final; the
        // line stayed open, on no screen line and not printed, until more speech came.
        let replayOnly = !all.isEmpty && kept == 0
        let endsSentence = kept > 0 && ch.openLine.map { i in
            lines[i].words.count >= sentenceLineWords && lines[i].words.last.map { Self.endsSentence($0.text) } == true
        } == true
        // A long line is closed at the end of a result that ends a clause (`,` `;` `:`), and a
        // very long one at the end of any result (punctuation off): plain mode printed a
        // monologue only at 200 words.
        let longEnough = kept > 0 && ch.openLine.map { i in
            let words = lines[i].words.count
            let span = (lines[i].words.last?.end ?? 0) - (lines[i].words.first?.start ?? 0)
            guard words >= clauseLineWords || span >= clauseLineSeconds, let last = lines[i].words.last?.text else { return false }
            if Self.endsSentence(last) || Self.endsClause(last) { return true }
            // Unpunctuated text has no better place to break: a punctuated line waits for one.
            return (words >= hardLineWords || span >= hardLineSeconds)
                && !lines[i].words.contains { Self.endsSentence($0.text) || Self.endsClause($0.text) }
        } == true
        if (r.speechFinal || r.fromFinalize || endsSentence || longEnough) && !replayOnly {
            if r.speechFinal, !change.committed.isEmpty { change.committed[change.committed.count - 1].speechFinal = true }
            closeOpenLine(&ch, into: &change)
        }
        channels[c] = ch
        forgetLatestPending(c)
    }

    /// Whether `text` ends with a clause mark (`,` `;` `:` `—`).
    public static func endsClause(_ text: String) -> Bool {
        guard let last = text.last else { return false }
        return last == "," || last == ";" || last == ":" || last == "—" || last == "，" || last == "、"
    }

    /// Whether a word's shown text ends a sentence ("done.", "why?", "no!", "said.”").
    public static func endsSentence(_ text: String) -> Bool {
        var t = Substring(text)
        while let last = t.last, "\"'”’)]".contains(last) { t = t.dropLast() }
        guard let last = t.last else { return false }
        return last == "." || last == "?" || last == "!" || last == "…"
    }

    /// When channel `c` no longer has an interim, `pending` shows another channel's, if any.
    private mutating func forgetLatestPending(_ c: Int) {
        guard latestPendingChannel == c, channels[c]?.pending == nil else { return }
        latestPendingChannel = channels.first { $0.value.pending != nil }?.key
    }

    private mutating func closeLine(channel c: Int, into change: inout StoreChange) {
        guard var ch = channels[c] else { return }
        closeOpenLine(&ch, into: &change)
        channels[c] = ch
    }

    /// Closes the channel's open line, if any (`ch` is the caller's copy of its state).
    private mutating func closeOpenLine(_ ch: inout ChannelState, into change: inout StoreChange) {
        guard let i = ch.openLine else { return }
        lines[i].isClosed = true
        change.closedLineIDs.append(lines[i].id)
        ch.openLine = nil
    }
}
