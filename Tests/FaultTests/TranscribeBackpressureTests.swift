import Audio
@testable import CapttyCore
import Foundation
import Testing

/// `captty transcribe` reads a file only as fast as the engine takes it: the metering tap between
/// source and engine pulls on demand instead of draining the source into an unbounded buffer
/// (found by the headline benchmark: an hour of audio at full speed peaked at ~110 MB RSS).
@Suite struct TranscribeBackpressureTests {
    final class Pulls: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func bump() { lock.withLock { n += 1 } }
        var count: Int { lock.withLock { n } }
    }

    @Test func theMeterDoesNotReadAhead() async throws {
        let pulls = Pulls()
        let format = AudioFormat.speech16k
        let source = AsyncThrowingStream<AudioChunk, Error>(unfolding: {
            pulls.bump()
            let n = pulls.count
            guard n <= 1000 else { return nil }
            return AudioChunk(format: format, data: [UInt8](repeating: 0, count: 1600), startFrame: Int64(n - 1) * 800)
        })
        let meter = AudioMeter(warn: { _ in })
        var it = meter.tap(source).makeAsyncIterator()
        _ = try await it.next()
        _ = try await it.next()
        try await Task.sleep(for: .milliseconds(300))  // room for a read-ahead to show
        print("pulled \(pulls.count) chunks from the source after the consumer took 2")
        #expect(pulls.count <= 3)
        var rest = 0
        while try await it.next() != nil { rest += 1 }
        #expect(rest == 998)
        #expect(abs(meter.seconds - 1000 * 0.05) < 1e-6)
    }
}
