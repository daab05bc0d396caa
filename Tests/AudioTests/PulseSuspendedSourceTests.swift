import Foundation
import Testing
import Audio

/// A source suspended mid-capture (`pactl suspend-sink`/`suspend-source`, a power saving policy)
/// sends nothing until it is resumed. The time between was not counted: every later chunk, and
/// so every later caption, came that much early (20 s after a 20 s suspension, found in QA). It
/// is a gap now, as for a device that went away and came back.
@Suite(.timeLimit(.minutes(2)))
struct PulseSuspendedSourceTests {
    @Test func theTimeASourceWasSuspendedIsAGap() async throws {
        let pulse = try PulseTestServer.shared()
        let sink = "captty_susp_\(uniqueSuffix())"
        let module = try pulse.loadNullSink(sink)
        defer { pulse.unloadModule(module) }
        let options = PulseCaptureOptions(device: .named("\(sink).monitor"), server: pulse.server)
        let chunks = try await withTimeout(40) { () -> [AudioChunk] in
            var got: [AudioChunk] = []
            for try await c in try PulseCapture(options: options).chunks() {
                got.append(c)
                if got.count == 10 {
                    _ = try pulse.pactl("suspend-sink", sink, "1")
                    Thread.detachNewThread {
                        Thread.sleep(forTimeInterval: 2.5)
                        _ = try? pulse.pactl("suspend-sink", sink, "0")
                    }
                }
                if got.count > 10, got.contains(where: { $0.gapBefore > 0 }) || got.count > 400 { break }
                if got.contains(where: { $0.gapBefore > 0 }), got.count > 15 { break }
            }
            return got
        }
        let i = try #require(chunks.firstIndex { $0.gapBefore > 0 }, "no gap after the suspension: \(chunks.count) chunks")
        let gap = chunks[i].gapBefore
        #expect(gap >= 1.5 && gap <= 4, "gap \(gap) s for a 2.5 s suspension")
        // Said as a suspension: the session journals it as "the audio device was suspended",
        // not as a device that was lost.
        #expect(chunks[i].gapWasSuspension)
        // Time goes on across the gap: the chunk starts that much later.
        let before = chunks[i - 1]
        #expect(chunks[i].startFrame == before.startFrame + Int64(before.frameCount) + Int64((gap * Double(before.format.sampleRate)).rounded()))
        #expect(chunks.filter { $0.gapBefore > 0 }.count == 1)
    }
}
