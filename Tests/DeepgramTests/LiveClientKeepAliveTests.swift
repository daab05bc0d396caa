import Foundation
import TestSupport
import Testing
@testable import Deepgram

/// KeepAlive owned by the client, against the Deepgram test double's NET-0001 idle close.
@Suite(.serialized) struct LiveClientKeepAliveTests {
    /// Control: without KeepAlive the double closes an idle stream with 1011 NET-0001 (so the
    /// next test's survival means something).
    @Test func idleClientWithoutKeepAliveIsClosedWithNet0001() async throws {
        try await withDeepgramDouble(["--idle-timeout", "3", "--require-audio-within", "3"]) { double in
            var config = doubleConfiguration(double)
            config.keepAliveInterval = nil
            config.reconnect = .never
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(60), "idle close") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000))
                await log.ended()
            }
            let fatal = log.errors.last
            #expect(fatal?.isFatal == true)
            #expect(fatal?.closeCode == 1011)
            #expect(fatal?.dgError?.hasPrefix("NET-0001") == true)
            #expect(fatal?.description.contains("reconnecting is disabled") == true)
        }
    }

    /// The connection dies while the client idles on KeepAlive: that is a fault like any
    /// other — the client reconnects and the session goes on (not a silent end).
    @Test func connectionLostWhileIdleOnKeepAliveReconnects() async throws {
        try await withDeepgramDouble(["--kill-on-keepalive", "2", "--kill-times", "1"]) { double in
            var config = doubleConfiguration(double)
            config.keepAliveInterval = .milliseconds(500)
            let client = LiveClient(credential: .apiKey("test-key"), configuration: config)
            let log = EventLog(client.events)
            try await within(.seconds(60), "keepalive fault") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000))
                while log.opens < 2 { try await Task.sleep(for: .milliseconds(50)) }
                try await client.send(counterAudio(from: 8_000, count: 8_000))
                await client.finish()
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 2 && stats.connections[0].killed)
            #expect(stats.connections[1].keepalives + stats.connections[0].keepalives >= 2)
            #expect(log.reconnects == 1)
            #expect(log.finals.last?.end == 2.0)
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
        }
    }

    /// A muted client stays connected for 60 s on KeepAlive alone (the double closes after 10 s
    /// without audio or a text message). Takes about 60 s.
    @Test func mutedClientStaysConnectedSixtySecondsOnKeepAliveAlone() async throws {
        try await withDeepgramDouble(["--idle-timeout", "10"]) { double in
            let client = LiveClient(credential: .apiKey("test-key"), configuration: doubleConfiguration(double))
            let log = EventLog(client.events)
            try await within(.seconds(120), "60 s muted session") {
                try await client.start(pcm16k)
                try await client.send(counterAudio(from: 0, count: 8_000)) // 1 s, then muted
                try await Task.sleep(for: .seconds(60))
                await client.finish()
                await log.ended()
            }
            let stats = try double.stats()
            #expect(stats.connections.count == 1)
            #expect(stats.connections[0].keepalives >= 12, "only \(stats.connections[0].keepalives) KeepAlives")
            #expect(stats.connections[0].end != "NET-0001")
            #expect(stats.connections[0].empty_frames == 0)
            #expect(stats.total_bytes == 32_000) // KeepAlive never went as audio
            #expect(log.reconnects == 0)
            #expect(await client.statistics.reconnects == 0)
            if case .close(let code, _)? = log.events.last { #expect(code == 1000) } else { Issue.record("no .close") }
        }
    }
}
