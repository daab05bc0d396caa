import Foundation
import TestSupport
import Logging
import Testing
@testable import Deepgram

/// The replay buffer: bounded, trimmed by finals, read back from any held offset.
@Suite struct LiveClientReplayBufferTests {
    func counting(_ range: Range<Int>) -> [UInt8] { range.map { UInt8(truncatingIfNeeded: $0) } }

    @Test func appendedBytesAreReadBackFromAnyHeldOffset() {
        var b = ReplayBuffer(limit: 1000)
        b.append(counting(0..<10)); b.append(counting(10..<25)); b.append([])
        #expect(b.startOffset == 0 && b.endOffset == 25 && b.count == 25)
        #expect(b.bytes(from: 0) == counting(0..<10))
        #expect(b.bytes(from: 3, maxLength: 4) == counting(3..<7))
        #expect(b.bytes(from: 12) == counting(12..<25))
        #expect(b.bytes(from: 25) == nil)
        #expect(b.bytes(from: -1) == nil)
    }

    @Test func trimmingForgetsCoveredAudioIncludingPartOfAChunk() {
        var b = ReplayBuffer(limit: 1000)
        b.append(counting(0..<10)); b.append(counting(10..<20))
        b.trim(upTo: 13)
        #expect(b.startOffset == 13 && b.count == 7)
        #expect(b.bytes(from: 12) == nil)
        #expect(b.bytes(from: 13) == counting(13..<20))
        b.trim(upTo: 5) // behind the start: nothing happens
        #expect(b.startOffset == 13)
        b.trim(upTo: 99) // beyond the end: clamped
        #expect(b.isEmpty && b.startOffset == 20 && b.endOffset == 20)
        b.append(counting(20..<22))
        #expect(b.bytes(from: 20) == counting(20..<22))
    }

    @Test func makingRoomDropsSentAudioBeforeUnsentAudio() {
        var b = ReplayBuffer(limit: 100)
        b.append(counting(0..<100))
        let r = b.makeRoom(for: 30, sentOffset: 50, mayDropUnsent: false)
        #expect(r == .init(droppedSent: 30, droppedUnsent: 0, fits: true))
        #expect(b.startOffset == 30)
        b.append(counting(100..<130))
        // Only 20 sent bytes left to drop; unsent may not be dropped while connected.
        let r2 = b.makeRoom(for: 50, sentOffset: 50, mayDropUnsent: false)
        #expect(r2 == .init(droppedSent: 20, droppedUnsent: 0, fits: false))
        #expect(b.startOffset == 50)
    }

    @Test func makingRoomWhileDisconnectedDropsOldestUnsentAudioAndSaysHowMuch() {
        var b = ReplayBuffer(limit: 100, alignment: 4)
        b.append(counting(0..<100))
        let r = b.makeRoom(for: 10, sentOffset: 0, mayDropUnsent: true)
        #expect(r.droppedSent == 0 && r.droppedUnsent == 12 && r.fits) // rounded up to a frame
        #expect(b.startOffset == 12)
        #expect(b.bytes(from: 12, maxLength: 2) == [12, 13])
    }

    @Test func manyChunksStayAddressableAfterCompaction() {
        var b = ReplayBuffer(limit: 1 << 20)
        for i in 0..<500 { b.append(counting(i * 8 ..< i * 8 + 8)) }
        b.trim(upTo: 3000)
        #expect(b.bytes(from: 3000, maxLength: 3) == counting(3000..<3003))
        #expect(b.bytes(from: 3999) == counting(3999..<4000))
        b.trim(upTo: 3996)
        #expect(b.bytes(from: 3996) == counting(3996..<4000))
    }
}

/// Audio waiting for a server that stopped reading is held once, in the replay buffer, not
/// copied again into a deep socket send queue (4 MiB by default: 4 MB of peak RSS at full speed).
@Suite struct LiveClientSendQueueTests {
    @Test func aServerThatStopsReadingLeavesOnlyASmallSendQueue() async throws {
        try await withDeepgramDouble(["--freeze-after-bytes", "65536"]) { double in
            var config = doubleConfiguration(double)
            config.reconnect.maxAttempts = 0
            config.audioCanWait = true          // nothing is dropped: the sender waits instead
            config.replayLimit = .seconds(300)  // 9.6 MB may wait: far more than socket buffers take
            let limit = config.webSocket.sendQueueLimit
            let frame = config.maxAudioFrame
            #expect(limit == 256 * 1024, "the client's default send queue")
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(60), "a frozen server") {
                try await client.start(pcm16k)
                let chunk = [UInt8](repeating: 0, count: 32_000)
                let feeder = Task {
                    for _ in 0..<250 { try await client.send(chunk) }   // 8 MB, at once
                }
                // Until the client stops handing audio to the socket (bounded).
                _ = try await steadyValue(within: .seconds(20), every: .milliseconds(500)) { await client.statistics.bytesSent }
                let stats = await client.statistics
                print("given \(stats.bytesGiven), handed to the socket \(stats.bytesSent), send queue high water \(stats.sendQueueHighWater)")
                #expect(stats.bytesGiven > 4_000_000, "audio kept coming while the server was frozen")
                #expect(stats.sendQueueHighWater > 0, "the socket filled and the queue was used")
                #expect(stats.sendQueueHighWater <= 256 * 1024 + frame + 64,
                        "send queue held \(stats.sendQueueHighWater) bytes")
                feeder.cancel()
                await client.cancel()
                _ = await feeder.result
                await log.ended()
            }
        }
    }
}

/// Cancelling the task that waits in `send`, `finish` or `finalize(waitFor:)` ends the wait
/// promptly (found in QA): a task blocked in `send` on a frozen server was still blocked 5 s
/// after its cancel, `finish()` returned after 48 s and `finalize(waitFor: 8 s)` after 7.9 s.
@Suite struct LiveClientCancellationTests {
    /// A client on a double that stops reading after 64 KB, with audio that waits (no drops).
    static func frozen(_ double: DeepgramDoubleProcess) -> LiveClient {
        var config = doubleConfiguration(double)
        config.reconnect.maxAttempts = 0
        config.audioCanWait = true
        config.replayLimit = .seconds(4)
        return LiveClient(credential: .apiKey("test-key"), configuration: config)
    }

    @Test func aCancelledSendStopsWaitingForRoom() async throws {
        try await withDeepgramDouble(["--freeze-after-bytes", "65536"]) { double in
            let client = Self.frozen(double)
            let log = EventLog(client.events)
            try await within(.seconds(60), "a frozen server") {
                try await client.start(pcm16k)
                let feeder = Task { () -> LiveError? in
                    do throws(LiveError) { for _ in 0..<200 { try await client.send([UInt8](repeating: 0, count: 32_000)) } } catch { return error }
                    return nil
                }
                // Until the buffer is full and the feeder waits.
                _ = try await steadyValue(within: .seconds(20), every: .milliseconds(300)) { await client.statistics.bytesGiven }
                let given = await client.statistics.bytesGiven
                #expect(given < 200 * 32_000, "the feeder never had to wait")
                let cancelledAt = ContinuousClock.now
                feeder.cancel()
                let error = await feeder.value
                let took = cancelledAt.duration(to: .now)
                #expect(took < .seconds(2), "send went on waiting \(took) after its task was cancelled")
                #expect(error?.message.contains("cancelled") == true && error?.isFatal == false, "\(String(describing: error))")
                await client.cancel()
                await log.ended()
            }
        }
    }

    @Test func aCancelledFinishClosesAtOnce() async throws {
        try await withDeepgramDouble(["--freeze-after-bytes", "65536"]) { double in
            let client = Self.frozen(double)
            let log = EventLog(client.events)
            try await within(.seconds(60), "a frozen server") {
                try await client.start(pcm16k)
                for _ in 0..<4 { try await client.send([UInt8](repeating: 0, count: 32_000)) }
                let finisher = Task { await client.finish() }
                try await Task.sleep(for: .milliseconds(300))
                let cancelledAt = ContinuousClock.now
                finisher.cancel()
                let clean = await finisher.value
                let took = cancelledAt.duration(to: .now)
                #expect(took < .seconds(2), "finish went on waiting \(took) after its task was cancelled")
                #expect(!clean, "a cancelled finish is not a clean one")
                await log.ended()
                #expect(log.events.contains { if case .close = $0 { true } else { false } })
            }
        }
    }

    @Test func aCancelledFinalizeWaitReturnsNil() async throws {
        try await withDeepgramDouble(["--freeze-after-bytes", "65536"]) { double in
            let client = Self.frozen(double)
            let log = EventLog(client.events)
            try await within(.seconds(60), "a frozen server") {
                try await client.start(pcm16k)
                for _ in 0..<3 { try await client.send([UInt8](repeating: 0, count: 32_000)) }
                let waiter = Task { try await client.finalize(waitFor: .seconds(8)) }
                try await Task.sleep(for: .milliseconds(200))
                let cancelledAt = ContinuousClock.now
                waiter.cancel()
                let r = try await waiter.value
                let took = cancelledAt.duration(to: .now)
                #expect(r == nil && took < .seconds(2), "finalize waited \(took) after its task was cancelled")
                await client.cancel()
                await log.ended()
            }
        }
    }

    /// `configure(waitFor:)` too (it waited its whole timeout, refusing every other Configure
    /// meanwhile; found in QA), with an error of its own kind.
    @Test func aCancelledConfigureWaitEndsAtOnce() async throws {
        try await withDeepgramDouble(["--freeze-after-bytes", "65536"]) { double in
            let client = Self.frozen(double)
            let log = EventLog(client.events)
            try await within(.seconds(60), "a frozen server") {
                try await client.start(pcm16k)
                for _ in 0..<3 { try await client.send([UInt8](repeating: 0, count: 32_000)) }
                let waiter = Task { () -> LiveError? in
                    do throws(LiveError) { _ = try await client.configure(keyterms: ["captty"], waitFor: .seconds(8)) } catch { return error }
                    return nil
                }
                try await Task.sleep(for: .milliseconds(200))
                let cancelledAt = ContinuousClock.now
                waiter.cancel()
                let error = await waiter.value
                let took = cancelledAt.duration(to: .now)
                #expect(took < .seconds(2), "configure waited \(took) after its task was cancelled")
                #expect(error?.kind == .cancelled && error?.isFatal == false, "\(String(describing: error))")
                // The next one is not refused as "still waiting".
                let next = Task { () -> LiveError? in
                    do throws(LiveError) { _ = try await client.configure(keyterms: ["b"], waitFor: .milliseconds(300)) } catch { return error }
                    return nil
                }
                #expect(await next.value?.kind == .timeout)
                await client.cancel()
                await log.ended()
            }
        }
    }
}

/// Calls the stream's state does not allow, and cancelled waits, have kinds of their own: an
/// app could only tell them from an engine failure by their text.
@Suite struct LiveClientErrorKindTests {
    @Test func misuseAndCancellationAreTheirOwnKinds() async throws {
        try await withDeepgramDouble() { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            do throws(LiveError) { try await client.send([0, 0]); Issue.record("send before start") } catch { #expect(error.kind == .usage) }
            try await within(.seconds(30), "a stream") {
                try await client.start(pcm16k)
                do throws(LiveError) { try await client.start(pcm16k); Issue.record("a second start") } catch { #expect(error.kind == .usage) }
                await client.finish()
                await log.ended()
            }
            do throws(LiveError) { try await client.send([0, 0]); Issue.record("send after finish") } catch { #expect(error.kind == .usage) }
            do throws(LiveError) { _ = try await client.finalize(); Issue.record("finalize after finish") } catch { #expect(error.kind == .usage) }
        }
    }

    /// The library logs nowhere unless given a logger: an app that had not set up swift-log got
    /// its info lines on standard error (found in QA).
    @Test func theDefaultLoggerIsSilent() {
        #expect(LiveClientConfiguration().logger.handler is SwiftLogNoOpLogHandler)
    }
}
