import CaptionUI
import Deepgram
import Synchronization
import Testing
import Transcript
@testable import CapttyCore

/// Audio lost to an outage is shown while captioning, not only in the exports: the screen draws
/// a note line in the gap's place, and plain mode prints it on stdout.
@Suite struct GapShownLiveTests {
    static let lost = AudioGap(start: 12, duration: 19.2, reason: "the engine was disconnected")

    /// Lines at 0, 5, 10, 40 and 45 s.
    static func store() -> TranscriptStore {
        var s = TranscriptStore()
        for t in [0.0, 5, 10, 40, 45] {
            s.apply(LiveScreenStateTests.result([("At", t), ("\(Int(t)).", t + 0.5)], final: true, speechFinal: true))
        }
        return s
    }

    @Test func theScreenShowsTheGapBetweenTheLinesAroundIt() throws {
        var store = Self.store()
        store.addGap(Self.lost)
        store.addGap(AudioGap(start: 60, duration: 3, reason: "the audio device was lost"))
        let source = TranscriptLineSource(store.lines, revision: 1, gaps: store.gaps)
        #expect(source.count == 7)
        let views = (0..<source.count).map { source.line(at: $0) }
        #expect(views.map(\.plainText) == ["At 0.", "At 5.", "At 10.", Self.lost.note, "At 40.", "At 45.",
                                           "[3.0 s of audio lost: the audio device was lost; no captions]"], "\(views.map(\.plainText))")
        #expect(views[3].content == .note(Self.lost.note) && views[3].start == 12)
        // Ids increase with position, so scrolling can find every line again by its id.
        #expect(zip(views, views.dropFirst()).allSatisfy { $0.id < $1.id }, "\(views.map(\.id))")
        for (i, v) in views.enumerated() { #expect(source.index(ofLineID: v.id) == i) }
        // The same line keeps its id once a gap appears before it (a scroll anchor stays put).
        let without = TranscriptLineSource(store.lines, revision: 0)
        #expect(without.line(at: 3).id == views[4].id && without.count == 5)
        // The note is drawn in the warning style, not as a caption.
        let rows = LineLayout.rows(for: views[3], toggles: DisplayToggles(), theme: Theme(mode: .color), width: 80)
        #expect(rows.first?.spans.last?.style == Theme(mode: .color).warning, "\(rows)")
    }

    @Test func twoGapsBeforeTheSameLineKeepDistinctIDs() {
        var store = Self.store()
        store.addGap(AudioGap(start: 12, duration: 2, reason: "the engine was disconnected"))
        store.addGap(AudioGap(start: 20, duration: 2, reason: "the engine was disconnected"))
        let source = TranscriptLineSource(store.lines, revision: 1, gaps: store.gaps)
        let ids = (0..<source.count).map { source.line(at: $0).id }
        #expect(Set(ids).count == ids.count && ids == ids.sorted(), "\(ids)")
        #expect(source.line(at: 3).start == 12 && source.line(at: 4).start == 20)
    }

    @Test func plainModePrintsTheGapInItsPlaceOnce() {
        let out = Collected()
        let runner = PlainRunner(timestamps: true, writeOut: { out.add($0) }, writeErr: { _ in })
        var store = Self.store()
        var printed = PlainRunner.PrintedSoFar()
        runner.printClosed(store, &printed, all: false)
        #expect(out.lines.count == 5)
        // An outage is reported in pieces while it lasts (the first after 0.05 s, more every
        // 30 s): nothing is noted until the captions go on, then the whole of it, once.
        store.addGap(AudioGap(start: 46, duration: 0.05, reason: Self.lost.reason))
        runner.printClosed(store, &printed, all: false)
        store.addGap(AudioGap(start: 46.05, duration: 30, reason: Self.lost.reason))
        runner.printClosed(store, &printed, all: false)
        #expect(out.lines.count == 5, "\(out.lines)")
        store.addGap(AudioGap(start: 76.05, duration: 3.95, reason: Self.lost.reason))
        store.apply(LiveScreenStateTests.result([("Back", 81), ("again.", 81.5)], final: true, speechFinal: true))
        runner.printClosed(store, &printed, all: false)
        #expect(out.lines.suffix(2) == ["[00:00:46] [34 s of audio lost: the engine was disconnected; no captions]", "[00:01:21] Back again."],
                "\(out.lines)")
        // A gap at the very end is noted when the session ends.
        store.addGap(AudioGap(start: 90, duration: 2, reason: "the audio device was lost"))
        runner.printClosed(store, &printed, all: false)
        #expect(out.lines.count == 7)
        runner.printClosed(store, &printed, all: true)
        #expect(out.lines.count == 8 && out.lines.last == "[00:01:30] [2.0 s of audio lost: the audio device was lost; no captions]", "\(out.lines)")
    }

    @Test func plainModeNotesAGapBeforeTheLinesAfterIt() {
        let out = Collected()
        let runner = PlainRunner(writeOut: { out.add($0) }, writeErr: { _ in })
        var store = Self.store()
        store.addGap(Self.lost)
        var printed = PlainRunner.PrintedSoFar()
        runner.printClosed(store, &printed, all: false)
        #expect(out.lines == ["At 0.", "At 5.", "At 10.", Self.lost.note, "At 40.", "At 45."], "\(out.lines)")
    }
}

extension GapShownLiveTests {
    /// The closing total counts audio the device never captured too: a session that lost
    /// only that said nothing, one that lost both gave the engine's part as the whole.
    @Test func theClosingTotalCountsEveryKindOfLoss() {
        var s = Session.Summary(journalPath: nil, save: nil, lineCount: 0, wordCount: 0, engineFinishedCleanly: true)
        #expect(LiveLauncher.lostAudioSummary(s, whereSaid: "log") == nil)
        s.deviceLostSeconds = 14.1
        #expect(LiveLauncher.lostAudioSummary(s, whereSaid: "log")
                == "14.1 s of audio in all have no captions: they were not captured while the audio device was gone or suspended (log)")
        s.audioLostSeconds = 3.75
        #expect(LiveLauncher.lostAudioSummary(s, whereSaid: "log") == "17.9 s of audio in all have no captions: 3.8 s lost while the "
                + "engine was disconnected, 14.1 s not captured while the audio device was gone or suspended (log)")
        s.deviceLostSeconds = 0
        #expect(LiveLauncher.lostAudioSummary(s, whereSaid: "log")?.hasPrefix("3.8 s of audio in all have no captions: they were lost") == true)
    }

    /// Gap times are kept to the millisecond (a JSON export read 3.299999999999997).
    @Test func gapTimesAreKeptToTheMillisecond() {
        let g = AudioGap.adding(AudioGap(start: 12.899999999999999, duration: 0.1 + 0.2, reason: "r"),
                                to: [AudioGap(start: 9.6, duration: 3.3, reason: "r")])
        #expect(g.count == 1 && g[0].start == 9.6 && g[0].duration == 3.6, "\(g)")
    }
}

/// Lines written by a `PlainRunner`, kept for the test to read.
final class Collected: Sendable {
    private let stored = Mutex<[String]>([])
    func add(_ s: String) { stored.withLock { $0.append(s) } }
    var lines: [String] { stored.withLock { $0 } }
}

/// Plain mode with several channels prints each channel's line once it is closed: one talker
/// whose line stayed open (finals without speech_final) held back the other's finished lines,
/// all printed together when the first talker paused.
@Suite struct PlainMultichannelOrderTests {
    static func final(_ text: String, at t: Double, channel: Int, speechFinal: Bool) -> LiveEvent {
        let ws = text.split(separator: " ").enumerated().map {
            Word(word: String($0.element), start: t + Double($0.offset) * 0.3, end: t + Double($0.offset) * 0.3 + 0.2,
                 confidence: 0.9, punctuatedWord: String($0.element))
        }
        return .results(Results(channelIndex: [channel, 2], start: t, duration: 1, isFinal: true, speechFinal: speechFinal,
                                channel: Channel(alternatives: [Alternative(transcript: text, confidence: 0.9, words: ws)])))
    }

    @Test func aChannelsClosedLinesAreNotHeldBackByAnotherChannelsOpenLine() {
        let out = Collected()
        let runner = PlainRunner(writeOut: { out.add($0) }, writeErr: { _ in })
        var store = TranscriptStore()
        var printed = PlainRunner.PrintedSoFar()
        store.apply(Self.final("left starts", at: 0, channel: 0, speechFinal: false))
        store.apply(Self.final("right one", at: 1, channel: 1, speechFinal: true))
        runner.printClosed(store, &printed, all: false, multichannel: true)
        #expect(out.lines == ["[ch 2] right one"], "\(out.lines)")
        store.apply(Self.final("right two", at: 3, channel: 1, speechFinal: true))
        runner.printClosed(store, &printed, all: false, multichannel: true)
        #expect(out.lines == ["[ch 2] right one", "[ch 2] right two"], "\(out.lines)")
        store.apply(Self.final("left ends", at: 5, channel: 0, speechFinal: true))
        store.apply(Self.final("right three", at: 6, channel: 1, speechFinal: false))
        runner.printClosed(store, &printed, all: false, multichannel: true)
        #expect(out.lines == ["[ch 2] right one", "[ch 2] right two", "[ch 1] left starts left ends"], "each line once: \(out.lines)")
        runner.printClosed(store, &printed, all: true, multichannel: true)
        #expect(out.lines.last == "[ch 2] right three" && out.lines.count == 4, "\(out.lines)")
        #expect(printed.ahead.isEmpty && printed.lines == store.lines.count)
    }
}
