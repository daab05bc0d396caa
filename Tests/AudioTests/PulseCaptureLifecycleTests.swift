import Foundation
import Testing
import Audio

/// A capture lives as long as its consumer iterates, and closes its PulseAudio stream when it stops.
@Suite(.timeLimit(.minutes(2)))
struct PulseCaptureLifecycleTests {
    @Test func streamOutlivesTheCaptureObjectAndClosesWhenTheConsumerStops() async throws {
        let pulse = try PulseTestServer.shared()
        let sink = "captty_life_\(uniqueSuffix())"
        let module = try pulse.loadNullSink(sink)
        defer { pulse.unloadModule(module) }
        // Record streams attached to our sink's monitor, as PulseAudio sees them.
        func recordStreams() throws -> Int {
            let sources = try pulse.pactl("list", "short", "sources")
            guard let index = sources.split(separator: "\n").first(where: { $0.split(separator: "\t")[1] == "\(sink).monitor" })?
                .split(separator: "\t").first else { return -1 }
            return try pulse.pactl("list", "short", "source-outputs").split(separator: "\n")
                .filter { $0.split(separator: "\t").count > 1 && $0.split(separator: "\t")[1] == index }.count
        }

        // The capture object is a temporary: only the loop's iterator holds the stream.
        let options = PulseCaptureOptions(device: .named("\(sink).monitor"), server: pulse.server)
        let count = try await withTimeout(30) {
            var n = 0
            for try await _ in try PulseCapture(options: options).chunks() { n += 1; if n == 20 { break } }
            return n
        }
        #expect(count == 20)
        // After the consumer stopped, the record stream goes away within a few chunks.
        let deadline = ContinuousClock.now + .seconds(10)
        var open = try recordStreams()
        while open > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            open = try recordStreams()
        }
        #expect(open == 0)
    }
}
