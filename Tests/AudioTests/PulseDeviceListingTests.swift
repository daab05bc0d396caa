import Foundation
import Testing
import Audio

/// Device listing through libpulse's async API, and choosing a device by name, index or substring.
@Suite(.timeLimit(.minutes(2)))
struct PulseDeviceListingTests {
    @Test func listsTheNullSinkMonitor() async throws {
        let pulse = try PulseTestServer.shared()
        let sink = "captty_list_\(uniqueSuffix())"
        let module = try pulse.loadNullSink(sink, description: "listing-test-sink")
        defer { pulse.unloadModule(module) }

        let devices = try await listAudioDevices(server: pulse.server)
        let monitor = try #require(devices.first { $0.name == "\(sink).monitor" })
        #expect(monitor.isMonitor)
        #expect(monitor.description == "Monitor of listing-test-sink")
        #expect(!monitor.isDefault)
        #expect(devices.filter(\.isDefault).count == 1)
        #expect(devices.filter(\.isDefaultSinkMonitor).count == 1)
        // Cross-check against pactl, a client nobody here wrote.
        let pactl = try pulse.pactl("list", "short", "sources")
        let line = try #require(pactl.split(separator: "\n").first { $0.split(separator: "\t").dropFirst().first == "\(sink).monitor" })
        #expect(Int(line.split(separator: "\t")[0]) == monitor.index)
        // Other tests add sinks concurrently, so compare the devices that existed throughout.
        #expect(devices.contains { $0.name == "captty_null.monitor" || $0.isDefault })

        let table = AudioDeviceTable.render(devices)
        let row = try #require(table.split(separator: "\n").first { $0.contains("\(sink).monitor") })
        #expect(row.contains("monitor") && row.contains("Monitor of listing-test-sink") && row.hasPrefix("\(monitor.index) "))
        #expect(table.hasPrefix("INDEX"))
        // The default source that is also the default sink's monitor has both marks (only `*`
        // showed, and the legend's S was nowhere).
        let both = AudioDeviceTable.render([AudioDevice(name: "out.monitor", description: "Monitor of Out", index: 3, isDefault: true,
                                                        isMonitor: true, isDefaultSinkMonitor: true)])
        #expect(both.split(separator: "\n")[1].hasPrefix("3      *S "), "\(both)")
    }

    @Test func capturesFromASourceChosenBySubstring() async throws {
        let pulse = try PulseTestServer.shared()
        let tag = uniqueSuffix()
        let module = try pulse.loadNullSink("captty_sub_\(tag)", description: "Substring-\(tag)-Sink")
        defer { pulse.unloadModule(module) }

        // Case-insensitive substring of the description, matching exactly one device.
        let capture = try PulseCapture(options: PulseCaptureOptions(device: .named("substring-\(tag)"), server: pulse.server))
        let chunks = try await withTimeout(30) {
            var got: [AudioChunk] = []
            for try await c in capture.chunks() { got.append(c); if got.count == 5 { break } }
            return got
        }
        #expect(chunks.count == 5)
        #expect(capture.name == "Monitor of Substring-\(tag)-Sink")
        #expect(chunks.allSatisfy { $0.frameCount == 800 && $0.format == .speech16k })
        #expect(chunks.map(\.startFrame) == [0, 800, 1600, 2400, 3200])
    }

    @Test func resolvesByIndexAndReportsAmbiguousAndUnknownNames() async throws {
        let pulse = try PulseTestServer.shared()
        let tag = uniqueSuffix()
        let a = try pulse.loadNullSink("captty_amb_\(tag)_a")
        defer { pulse.unloadModule(a) }
        let b = try pulse.loadNullSink("captty_amb_\(tag)_b")
        defer { pulse.unloadModule(b) }
        let devices = try await listAudioDevices(server: pulse.server)

        let target = try #require(devices.first { $0.name == "captty_amb_\(tag)_b.monitor" })
        #expect(try AudioDeviceSelector.named(String(target.index)).resolve(in: devices) == target)
        #expect(try AudioDeviceSelector.named(target.name).resolve(in: devices) == target)
        // A sink's exact name means its monitor, though it is also a substring of another's
        // ("captty_null" was ambiguous with "captty_null2.monitor").
        let c = try pulse.loadNullSink("captty_amb_\(tag)_b2")
        defer { pulse.unloadModule(c) }
        let withPrefixTwin = try await listAudioDevices(server: pulse.server)
        #expect(try AudioDeviceSelector.named("captty_amb_\(tag)_b").resolve(in: withPrefixTwin) == target)

        #expect {
            try AudioDeviceSelector.named("amb_\(tag)").resolve(in: devices)
        } throws: { e in
            guard case let AudioError.ambiguousDevice(q, matches) = e else { return false }
            let text = String(describing: e)
            return q == "amb_\(tag)" && matches.count == 2 && text.contains("captty_amb_\(tag)_a.monitor")
                && text.contains("captty_amb_\(tag)_b.monitor") && text.contains("index")
        }
        #expect {
            try AudioDeviceSelector.named("no-such-mic-\(tag)").resolve(in: devices)
        } throws: { e in
            guard case let AudioError.unknownDevice(_, available) = e else { return false }
            return available == devices && String(describing: e).contains("captty_amb_\(tag)_a.monitor")
        }
        // The capture itself refuses the unknown device with the same error.
        let capture = try PulseCapture(options: PulseCaptureOptions(device: .named("no-such-mic-\(tag)"), server: pulse.server))
        await #expect(throws: AudioError.self) {
            try await withTimeout(30) { for try await _ in capture.chunks() {} }
        }
    }

    /// A number is an index first; one that no device has is looked for in the names and
    /// descriptions ("8" for a "Scarlett 8i6": it was refused as an unknown index).
    @Test func aNumberNoDeviceHasIsLookedForInTheNames() throws {
        let mic = AudioDevice(name: "alsa_input.usb-Focusrite_Scarlett_8i6", description: "Scarlett 8i6 USB", index: 2)
        let monitor = AudioDevice(name: "alsa_output.pci.monitor", description: "Monitor of Built-in Audio", index: 8, isMonitor: true)
        let webcam = AudioDevice(name: "alsa_input.usb-webcam", description: "Webcam C270", index: 5)
        #expect(try AudioDeviceSelector.named("8").resolve(in: [mic, monitor, webcam]) == monitor)
        #expect(try AudioDeviceSelector.named("8").resolve(in: [mic, webcam]) == mic)
        #expect(try AudioDeviceSelector.named("270").resolve(in: [mic, webcam]) == webcam)
        #expect(throws: AudioError.unknownDevice("9", available: [mic, webcam])) {
            try AudioDeviceSelector.named("9").resolve(in: [mic, webcam])
        }
    }

    @Test func noServerSaysHowToStartOne() async throws {
        let server = "unix:/tmp/captty-no-such-dir-\(uniqueSuffix())/native"
        await #expect {
            try await listAudioDevices(server: server)
        } throws: { e in
            guard case AudioError.noServer(server, _) = e else { return false }
            let text = String(describing: e)
            return text.contains("PULSE_SERVER") && text.contains("pulseaudio --start") && text.contains("--file")
                && text.contains("the PulseAudio server at \(server)")
        }
        let capture = try PulseCapture(options: PulseCaptureOptions(server: server))
        await #expect {
            try await withTimeout(30) { for try await _ in capture.chunks() {} }
        } throws: { e in
            if case AudioError.noServer = e { return true }
            return false
        }
    }

    @Test func rejectsChunkDurationsOutside20To250Milliseconds() {
        #expect(throws: AudioError.self) { try PulseCapture(options: PulseCaptureOptions(chunkDuration: 0.01)) }
        #expect(throws: AudioError.self) { try PulseCapture(options: PulseCaptureOptions(chunkDuration: 0.3)) }
        #expect(throws: Never.self) { try PulseCapture(options: PulseCaptureOptions(chunkDuration: 0.02)) }
        #expect(throws: Never.self) { try PulseCapture(options: PulseCaptureOptions(chunkDuration: 0.25)) }
    }
}
