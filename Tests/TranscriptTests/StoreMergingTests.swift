import Foundation
import Deepgram
import Testing
import Transcript

/// How the store merges interims, finals, pauses, speakers, channels and replays.
@Suite struct StoreMergingTests {
    static func w(_ text: String, _ start: Double, _ end: Double, speaker: Int? = nil, conf: Double = 0.9) -> Word {
        Word(word: text.lowercased().trimmingCharacters(in: .punctuationCharacters), start: start, end: end,
             confidence: conf, punctuatedWord: text, speaker: speaker)
    }

    static func r(_ words: [Word], final: Bool, speechFinal: Bool = false, channel: Int = 0, start: Double? = nil,
                  end: Double? = nil, transcript: String? = nil) -> LiveEvent {
        let s = start ?? words.first?.start ?? 0
        let e = end ?? words.last?.end ?? s
        return .results(Results(channelIndex: [channel, 2], start: s, duration: e - s, isFinal: final, speechFinal: speechFinal,
                                channel: Channel(alternatives: [Alternative(
                                    transcript: transcript ?? words.map(\.display).joined(separator: " "),
                                    confidence: 0.95, words: words)])))
    }

    @Test func interimReplacesPendingAndFinalCommits() {
        var s = TranscriptStore()
        var c = s.apply(Self.r([Self.w("hello", 0, 0.4)], final: false))
        #expect(c.interimChanged && c.committed.isEmpty)
        #expect(s.pending?.text == "hello")
        s.apply(Self.r([Self.w("hello", 0, 0.4), Self.w("word", 0.5, 0.8)], final: false))
        #expect(s.pending?.text == "hello word")
        c = s.apply(Self.r([Self.w("Hello", 0, 0.4), Self.w("world.", 0.5, 0.9)], final: true))
        #expect(s.pending == nil)
        #expect(c.committed.map(\.text) == ["Hello world."])
        #expect(s.lines.map(\.text) == ["Hello world."])
        #expect(s.lines[0].words.map(\.confidence) == [0.9, 0.9])
        #expect(s.lines[0].isClosed == false)
    }

    /// A server that punctuates its transcript but sends its words bare (no `punctuated_word`)
    /// had the punctuation and capitals thrown away (found in QA). Its transcript is shown when
    /// each token is its word; one that is not (a token more, another word) is not used.
    @Test func aPunctuatedTranscriptOfBareWordsIsShown() {
        func bare(_ w: String, _ t: Double) -> Word { Word(word: w, start: t, end: t + 0.3, confidence: 0.9) }
        let words = [bare("hello", 0), bare("there", 0.4), bare("general", 0.8), bare("kenobi", 1.2)]
        var s = TranscriptStore()
        s.apply(Self.r(words, final: false, transcript: "Hello there, General"))
        #expect(s.pending?.text == "hello there general kenobi", "a token short: the words as sent")
        s.apply(Self.r(words, final: true, transcript: "Hello there, General Kenobi."))
        #expect(s.lines.map(\.text) == ["Hello there, General Kenobi."])
        #expect(s.lines[0].words.map(\.word) == ["hello", "there", "general", "kenobi"])
        var other = TranscriptStore()
        other.apply(Self.r(words, final: true, transcript: "Hello where, General Kenobi."))
        #expect(other.lines.map(\.text) == ["hello there general kenobi"])
    }

    @Test func speechFinalAndUtteranceEndCloseTheLine() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("One.", 0, 0.4)], final: true, speechFinal: true))
        s.apply(Self.r([Self.w("Two", 1, 1.4)], final: true))
        s.apply(Self.r([Self.w("three.", 1.5, 1.9)], final: true))
        let c = s.apply(.utteranceEnd(UtteranceEnd(lastWordEnd: 1.9)))
        #expect(c.closedLineIDs == [1])
        s.apply(Self.r([Self.w("Four.", 3, 3.4)], final: true))
        #expect(s.lines.map(\.text) == ["One.", "Two three.", "Four."])
        #expect(s.lines.map(\.isClosed) == [true, true, false])
        #expect(s.lastLines(2).map(\.id) == [1, 2])
    }

    @Test func emptyFinalsOnlyAdvanceTime() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("hi", 0, 0.3)], final: false))
        let c = s.apply(Self.r([], final: true, start: 0, end: 5))
        #expect(c.committed.isEmpty && s.lines.isEmpty)
        #expect(s.time == 5)
        #expect(s.pending == nil)
    }

    @Test func replayedFinalsAfterAReconnectAreMergedNotDuplicated() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("We,", 0.32, 0.64), Self.w("the", 0.64, 0.88), Self.w("people", 0.88, 1.2)], final: true))
        // The new connection re-sends the same span (its offset is off by 20 ms), one word
        // recognised differently, plus new words.
        s.apply(.reconnecting(attempt: 1, delay: .seconds(1)))
        s.apply(.open(requestID: nil))
        let c = s.apply(Self.r([Self.w("We", 0.34, 0.66), Self.w("the", 0.66, 0.9), Self.w("peoples", 0.9, 1.22),
                                Self.w("of", 1.22, 1.4)], final: true))
        #expect(c.duplicateWordsDropped == 3)
        #expect(s.committedText == "We, the people of")
        // An interim over the replayed span shows only what is new.
        s.apply(Self.r([Self.w("people", 0.9, 1.22), Self.w("of", 1.22, 1.4), Self.w("the", 1.4, 1.6)], final: false))
        #expect(s.pending?.text == "the")
    }

    /// Words of one final never repeat each other, however close their times: short words,
    /// zero-length words, and transcripts spread evenly over a short span all stay.
    @Test func closeWordsWithinOneFinalAreAllKept() {
        var s = TranscriptStore()
        let tight = (0..<50).map { Self.w("w\($0)", 1 + Double($0) * 0.01, 1 + Double($0) * 0.01 + 0.005) }
        let c = s.apply(Self.r(tight, final: true))
        #expect(c.duplicateWordsDropped == 0)
        #expect(s.wordCount == 50)
        s.apply(Self.r([Self.w("a", 2, 2), Self.w("b", 2, 2), Self.w("c", 2, 2)], final: true))
        #expect(s.committedText.hasSuffix("w49 a b c"))
        // Without word timings: 20 tokens in 0.2 s.
        s.apply(Self.r([], final: true, start: 3, end: 3.2, transcript: (0..<20).map { "t\($0)" }.joined(separator: " ")))
        #expect(s.wordCount == 73)
        // A replay of the same span by a new connection is still recognised as one.
        s.apply(.open(requestID: nil))
        let again = s.apply(Self.r(Array(tight.suffix(5)), final: true))
        #expect(again.duplicateWordsDropped == 5)
        #expect(s.wordCount == 73)
        // The next result follows on: its first word is short and ends 20 ms after the last
        // committed word, yet is new.
        s.apply(Self.r([Self.w("x", 3.2, 3.22), Self.w("y", 3.3, 3.5)], final: true, start: 3.2))
        // (On a new line: 73 words without punctuation close their line at a result's end.)
        #expect(s.committedText.hasSuffix("t19\nx y"), "\(s.committedText)")
    }

    /// A speaker who never pauses still gets paragraphs: a line closes at `maxLineWords`.
    /// One word with a bogus end (60 s) made every later word ending before 60 s a "repeat": a
    /// word's end is clamped to its result's span, and replays are judged only after a reconnect.
    @Test func anOutlierWordEndDoesNotSwallowLaterWords() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("ok", 0.1, 0.4), Self.w("glitch", 0.5, 60)], final: true, start: 0, end: 1))
        s.apply(Self.r([Self.w("these", 1.1, 1.4), Self.w("words", 1.5, 1.9)], final: true, speechFinal: true, start: 1, end: 2))
        #expect(s.committedText == "ok glitch these words")
        #expect(s.lines.first?.words.map(\.end) == [0.4, 1, 1.4, 1.9])
        // After a reconnect, replayed words up to the real end of speech (not 60 s) are dropped.
        s.apply(.open(requestID: nil))
        let c = s.apply(Self.r([Self.w("words", 1.52, 1.91), Self.w("are", 2.1, 2.4)], final: true, start: 1.5, end: 2.5))
        #expect(c.duplicateWordsDropped == 1)
        #expect(s.committedText == "ok glitch these words\nare")
    }

    /// Only a new connection re-sends audio: within one, a final that arrives after a later one
    /// is kept, not taken for a repeat.
    @Test func anOutOfOrderFinalWithinOneConnectionIsKept() {
        var s = TranscriptStore()
        s.apply(.open(requestID: nil))
        s.apply(Self.r([Self.w("d1", 3.1, 3.5)], final: true, start: 3, end: 4))
        let c = s.apply(Self.r([Self.w("c1", 2.1, 2.5)], final: true, start: 2, end: 3))
        #expect(c.duplicateWordsDropped == 0)
        #expect(s.committedText == "d1 c1")
    }

    /// An old final sent again after later ones (a server's mistake): its words were printed
    /// again and moved to the end of the transcript. It is left out and its span said; a final
    /// with other words for committed audio is still kept (out of order, above).
    @Test func anOldFinalSentAgainIsLeftOut() {
        var s = TranscriptStore()
        s.apply(.open(requestID: nil))
        let old = Self.r([Self.w("one", 1.0, 1.3), Self.w("two", 1.4, 1.8)], final: true, start: 1, end: 2)
        s.apply(old)
        // More finals than the store remembers as "the very same final" (8).
        for i in 2 ..< 14 { s.apply(Self.r([Self.w("w\(i)", Double(i) + 0.1, Double(i) + 0.5)], final: true, start: Double(i), end: Double(i) + 1)) }
        let again = s.apply(old)
        #expect(again.committed.isEmpty && again.duplicateWordsDropped == 2)
        #expect(again.staleFinal == 1.0 ... 2.0)
        let words = "one two " + (2 ..< 14).map { "w\($0)" }.joined(separator: " ")
        #expect(s.committedText == words, "\(s.committedText)")
        // The same words later in time are new speech, not a repeat.
        s.apply(Self.r([Self.w("one", 14.1, 14.4), Self.w("two", 14.5, 14.8)], final: true, start: 14, end: 15))
        #expect(s.committedText == words + " one two", "\(s.committedText)")
    }

    /// Words sent out of time order are put in order ("ran it Then" read for "Then it ran").
    @Test func wordsAreTakenInTimeOrder() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("ran", 1.0, 1.2), Self.w("it", 0.5, 0.7), Self.w("Then", 0.1, 0.4)], final: true, start: 0, end: 2))
        #expect(s.committedText == "Then it ran", "\(s.committedText)")
    }

    @Test func aLineThatNeverPausesIsBrokenIntoParagraphs() {
        var s = TranscriptStore()
        s.maxLineWords = 10
        let words = (0..<25).map { Self.w("w\($0)", Double($0) * 0.3, Double($0) * 0.3 + 0.2) }
        let c = s.apply(Self.r(Array(words.prefix(12)), final: true))
        #expect(c.closedLineIDs == [0])
        #expect(c.committed.map(\.words.count) == [10, 2])
        s.apply(Self.r(Array(words.suffix(13)), final: true))
        #expect(s.lines.map(\.words.count) == [10, 10, 5])
        #expect(s.lines.map(\.isClosed) == [true, true, false])
        #expect(s.wordCount == 25)
    }

    /// Without speech_final (endpointing off, a speaker who never pauses), a final ending a
    /// sentence closes a line of `sentenceLineWords` or more: plain mode prints a line once it
    /// is closed, and printed nothing until 200 words had come. Shorter lines, and finals ending
    /// mid-sentence, leave the line open.
    @Test func aLongLineClosesAtTheEndOfASentence() {
        var s = TranscriptStore()
        s.sentenceLineWords = 6
        func words(_ texts: [String], from t: Double) -> [Word] {
            texts.enumerated().map { Self.w($0.element, t + Double($0.offset) * 0.3, t + Double($0.offset) * 0.3 + 0.2) }
        }
        s.apply(Self.r(words(["Short", "one."], from: 0), final: true))
        #expect(s.lines.map(\.isClosed) == [false], "two words: not yet")
        s.apply(Self.r(words(["and", "then", "some", "more"], from: 1), final: true))
        #expect(s.lines.map(\.isClosed) == [false], "no sentence end")
        let c = s.apply(Self.r(words(["words", "“here.”"], from: 3), final: true))
        #expect(c.closedLineIDs == [0])
        #expect(s.lines.map(\.isClosed) == [true])
        s.apply(Self.r(words(["Next", "line"], from: 5), final: true))
        #expect(s.lines.map(\.text) == ["Short one. and then some more words “here.”", "Next line"])
        #expect(TranscriptStore.endsSentence("why?") && TranscriptStore.endsSentence("no!)") && !TranscriptStore.endsSentence("Mr"))
        // A speech_final is still marked only when the server sent one.
        #expect(c.committed.last?.speechFinal == false)
    }

    /// A long line with no sentence end (no speech_final either) closes at the end of a result
    /// that ends a clause, and, when the engine does not punctuate at all, at the end of any
    /// result once very long: plain mode printed such a monologue only at 200 words.
    @Test func aLongLineClosesAtAClauseOrWhenUnpunctuated() {
        var s = TranscriptStore()
        s.clauseLineWords = 4
        s.hardLineWords = 8
        func words(_ texts: [String], from t: Double) -> [Word] {
            texts.enumerated().map { Self.w($0.element, t + Double($0.offset) * 0.3, t + Double($0.offset) * 0.3 + 0.2) }
        }
        s.apply(Self.r(words(["one,", "two"], from: 0), final: true))
        s.apply(Self.r(words(["three", "four"], from: 1), final: true))
        #expect(s.lines.map(\.isClosed) == [false], "four words, no clause end")
        s.apply(Self.r(words(["five", "six", "seven", "eight,"], from: 2), final: true))
        #expect(s.lines.map(\.isClosed) == [true], "a clause end on a long line")
        // Punctuated text waits for a clause however long the line.
        s.apply(Self.r(words(["a,", "b", "c", "d", "e", "f", "g", "h", "i"], from: 4), final: true))
        #expect(s.lines.map(\.isClosed) == [true, false])
        // Unpunctuated: closed at the end of the result that takes it past `hardLineWords`.
        var u = TranscriptStore()
        u.clauseLineWords = 4
        u.hardLineWords = 8
        u.apply(Self.r(words(["a", "b", "c", "d", "e"], from: 0), final: true))
        #expect(u.lines.map(\.isClosed) == [false])
        u.apply(Self.r(words(["f", "g", "h"], from: 2), final: true))
        #expect(u.lines.map(\.isClosed) == [true])
        u.apply(Self.r(words(["i"], from: 3), final: true))
        #expect(u.lines.map(\.text) == ["a b c d e f g h", "i"])
        #expect(TranscriptStore.endsClause("so;") && TranscriptStore.endsClause("as follows:") && !TranscriptStore.endsClause("word"))
    }

    /// The same final sent again with speech_final (first without) ends the line: the repeat's
    /// words are dropped, its end of speech was dropped with them and the next line joined on.
    @Test func aRepeatedFinalStillEndsTheLine() {
        var s = TranscriptStore()
        let words = [Self.w("same", 0, 0.4), Self.w("text", 0.5, 0.9)]
        s.apply(Self.r(words, final: true, speechFinal: false))
        let again = s.apply(Self.r(words, final: true, speechFinal: true))
        #expect(again.duplicateWordsDropped == 2 && again.closedLineIDs == [0])
        s.apply(Self.r([Self.w("then", 1, 1.4)], final: true))
        #expect(s.lines.map(\.text) == ["same text", "then"])
        // A repeat of an older final (not the latest) does not close the line now open.
        let older = Self.r([Self.w("then", 1, 1.4)], final: true)
        s.apply(Self.r([Self.w("more", 1.5, 1.9)], final: true))
        s.apply(older)
        #expect(s.lines.map(\.isClosed) == [true, false])
    }

    /// An interim the engine never made final (it closed the stream first, or stopped
    /// answering) is kept at the end as the only text for its audio; results after a reconnect
    /// replace it.
    @Test func anUnconfirmedInterimIsKeptAtTheEnd() throws {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("first", 0, 0.4)], final: true, speechFinal: true))
        s.apply(Self.r([Self.w("guess", 1, 1.4), Self.w("only", 1.5, 1.9)], final: false))
        s.apply(.close(code: 1000, reason: ""))
        #expect(s.pending == nil, "not shown once the connection closed")
        let kept = s.keepUnconfirmedTail()
        #expect(kept.from == 1 && kept.change.committed.map(\.words.count) == [2] && kept.change.committed.first?.speechFinal == true)
        #expect(s.lines.map(\.text) == ["first", "guess only"] && s.lines.allSatisfy(\.isClosed) && s.wordCount == 3)
        #expect(s.keepUnconfirmedTail().from == nil, "kept once")
        // Marked as such in the journal and every text export (found in QA: exported as
        // confirmed speech, with "speech_final":true and nothing else to tell).
        let segment = try #require(kept.change.committed.first)
        #expect(segment.unconfirmed && s.unconfirmedSpans == [UnconfirmedSpan(channel: 0, start: 1, end: 1.9)])
        let journal = JournalCodec.encode(FixtureReplay.header) + "\n"
            + s.lines.indices.map { i in
                JournalCodec.encode(i == 0 ? CommittedSegment(lineID: 0, channel: 0, speaker: nil, start: 0, end: 0.4, confidence: 1,
                                                              words: s.lines[0].words, speechFinal: true) : segment, sessionStartUnixMs: 0)
            }.joined(separator: "\n") + "\n"
        #expect(journal.contains("\"unconfirmed\":true") && journal.components(separatedBy: "unconfirmed").count == 2, "\(journal)")
        let read = try JournalReader.parse(Data(journal.utf8), path: "j")
        #expect(read.unconfirmed == s.unconfirmedSpans)
        let options = ExportOptions(unconfirmed: read.unconfirmed)
        #expect(PlainTextExporter.render(read.lines, options: options)
                == "[00:00:00] first\n[00:00:01] guess only [unconfirmed: the engine's last guess]\n")
        #expect(MarkdownExporter.render(read.lines, options: options).contains("guess only _\\[unconfirmed: the engine's last guess\\]_"))
        // Caption files too, on the cue (they showed the guess as confirmed speech).
        let srt = SRTExporter.render(read.lines, options: options)
        #expect(srt.contains("\nfirst\n") && srt.contains("\n[unconfirmed] guess only\n"), "\(srt)")
        let vtt = WebVTTExporter.render(read.lines, options: options)
        #expect(vtt.contains("\nfirst\n") && vtt.contains("\n[unconfirmed] guess only\n"), "\(vtt)")
        #expect(!SRTExporter.render(read.lines).contains("unconfirmed"), "nothing marked without spans")
        // A confirmed line whose end touches the span (finals tile) is not marked (it was).
        let touching = CaptionLine(id: 7, words: [CaptionWord(word: "before", start: 0.5, end: 1, confidence: 1)])
        #expect(!UnconfirmedSpan.marks(touching, in: s.unconfirmedSpans))
        #expect(UnconfirmedSpan.marks(s.lines[1], in: s.unconfirmedSpans))
        let json = DeepgramJSONExporter.render(read.lines, unconfirmed: read.unconfirmed)
        #expect(json.contains("\"unconfirmed\" : [") || json.contains("\"unconfirmed\": ["), "\(json)")

        // After a reconnect, the replayed audio's results replace the guess.
        var r = TranscriptStore()
        r.apply(Self.r([Self.w("guess", 1, 1.4)], final: false))
        r.apply(.close(code: 1011, reason: ""))
        r.apply(.open(requestID: nil))
        r.apply(Self.r([Self.w("guessed", 1, 1.4), Self.w("right", 1.5, 1.9)], final: true))
        #expect(r.keepUnconfirmedTail().from == nil)
        #expect(r.committedText == "guessed right")
    }

    /// The same final sent twice on one connection (a server's mistake) added its words twice
    /// ("s0 s0 s1 s1"); it is dropped. A final for an earlier span with other words is kept.
    @Test func theSameFinalTwiceIsDroppedOnce() {
        var s = TranscriptStore()
        s.apply(.open(requestID: nil))
        let first = Self.r([Self.w("s0", 0, 0.5)], final: true, start: 0, end: 1)
        s.apply(first)
        let again = s.apply(first)
        #expect(again.committed.isEmpty && again.duplicateWordsDropped == 1)
        s.apply(Self.r([Self.w("s1", 1, 1.5)], final: true, start: 1, end: 2))
        s.apply(Self.r([Self.w("s1", 1, 1.5)], final: true, start: 1, end: 2))
        #expect(s.committedText == "s0 s1", "\(s.committedText)")
        s.apply(Self.r([Self.w("stale", 0.2, 0.4)], final: true, start: 0, end: 0.5))
        #expect(s.wordCount == 3)
    }

    @Test func aReplayedSpeechFinalDoesNotCloseANewerLine() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("One.", 0, 0.4)], final: true, speechFinal: true))
        s.apply(Self.r([Self.w("Two", 1, 1.4)], final: true))
        s.apply(.open(requestID: nil))
        s.apply(Self.r([Self.w("One.", 0.01, 0.41)], final: true, speechFinal: true))
        s.apply(Self.r([Self.w("three", 1.5, 1.8)], final: true))
        #expect(s.lines.map(\.text) == ["One.", "Two three"])
    }

    @Test func aSpeakerChangeStartsALabelledLine() {
        var s = TranscriptStore()
        let c = s.apply(Self.r([Self.w("Hi.", 0, 0.3, speaker: 0), Self.w("Hello", 0.5, 0.8, speaker: 1),
                                Self.w("there.", 0.8, 1.0, speaker: 1)], final: true))
        #expect(s.lines.map(\.speaker) == [0, 1])
        #expect(s.lines.map(\.text) == ["Hi.", "Hello there."])
        #expect(c.committed.map(\.lineID) == [0, 1])
        #expect(c.closedLineIDs == [0])
    }

    @Test func channelsKeepTheirOwnLinesAndInterims() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("left", 0, 0.3)], final: false, channel: 0))
        s.apply(Self.r([Self.w("right", 0.1, 0.4)], final: false, channel: 1))
        #expect(s.pending(channel: 0)?.text == "left")
        #expect(s.pending?.text == "right")
        s.apply(Self.r([Self.w("Right.", 0.1, 0.4)], final: true, channel: 1))
        s.apply(Self.r([Self.w("Left.", 0, 0.3)], final: true, channel: 0))
        #expect(s.lines.map(\.channel) == [1, 0])
        #expect(s.lines.map(\.text) == ["Right.", "Left."])
        #expect(s.pending == nil)
    }

    @Test func aTranscriptWithoutWordTimingsIsSpreadOverItsSpan() {
        var s = TranscriptStore()
        s.apply(Self.r([], final: true, start: 2, end: 4, transcript: "good morning"))
        #expect(s.lines.first?.words.map(\.start) == [2, 3])
        #expect(s.committedText == "good morning")
    }

    @Test func aRestoredStoreContinuesWithoutDuplicates() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("One.", 0, 0.4)], final: true, speechFinal: true))
        var restored = TranscriptStore(restoring: Array(s.lines))
        restored.apply(Self.r([Self.w("One.", 0, 0.4), Self.w("Two.", 1, 1.4)], final: true))
        #expect(restored.lines.map(\.text) == ["One.", "Two."])
        #expect(restored.lines.map(\.id) == [0, 1])
    }

    @Test func copiesAreIndependentSnapshots() {
        var s = TranscriptStore()
        for i in 0 ..< 3000 {
            s.apply(Self.r([Self.w("w\(i).", Double(i), Double(i) + 0.5)], final: true, speechFinal: true))
        }
        let snapshot = s
        s.apply(Self.r([Self.w("more", 5000, 5000.5)], final: true))
        #expect(snapshot.lines.count == 3000 && s.lines.count == 3001)
        #expect(snapshot.lines[2999].text == "w2999.")
        #expect(s.lastLines(1).first?.text == "more")
    }
}

extension StoreMergingTests {
    @Test func pendingFallsBackToAnotherChannelsInterim() {
        var s = TranscriptStore()
        s.apply(Self.r([Self.w("left", 0, 0.3)], final: false, channel: 0))
        s.apply(Self.r([Self.w("right", 0.1, 0.4)], final: false, channel: 1))
        s.apply(Self.r([], final: false, channel: 1, start: 0.4, end: 0.5))
        #expect(s.pending?.text == "left")
    }
}
