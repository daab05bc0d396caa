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
        // Known after those lines were printed (the reconnect says how much was lost): noted at once.
        store.addGap(Self.lost)
        runner.printClosed(store, &printed, all: false)
        #expect(out.lines.last == "[00:00:12] \(Self.lost.note)", "\(out.lines)")
        // The same outage reported again, longer, is not noted twice.
        store.addGap(AudioGap(start: 31.2, duration: 1, reason: Self.lost.reason))
        store.apply(LiveScreenStateTests.result([("Back", 50), ("again.", 50.5)], final: true, speechFinal: true))
        runner.printClosed(store, &printed, all: true)
        #expect(out.lines.count == 7 && out.lines.last == "[00:00:50] Back again.", "\(out.lines)")
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

/// Lines written by a `PlainRunner`, kept for the test to read.
final class Collected: Sendable {
    private let stored = Mutex<[String]>([])
    func add(_ s: String) { stored.withLock { $0.append(s) } }
    var lines: [String] { stored.withLock { $0 } }
}
