import Foundation
import Audio
import Deepgram
@testable import LocalSpeech
import Testing

/// `/v1/listen` options, credentials and stream formats, checked without sockets.
struct ListenRequestValidationTests {
    func parse(_ q: [(String, String)], path: String = "/v1/listen") -> Result<ListenRequest, ListenRequest.Rejection> {
        ListenRequest.parse(path: path, query: q)
    }

    @Test func aCaptionRequestParsesIntoOptionsAndAFormat() throws {
        let r = try parse([("model", "nova-3"), ("encoding", "mulaw"), ("sample_rate", "8000"), ("channels", "2"),
                           ("interim_results", "true"), ("utterance_end_ms", "1000"), ("endpointing", "false"),
                           ("keyterm", "captty"), ("punctuate", "true")]).get()
        #expect(r.format == AudioFormat(encoding: .mulaw, sampleRate: 8_000, channels: 2))
        #expect(r.options.interimResults == true && r.options.utteranceEndMs == 1000)
        #expect(r.options.endpointing == .disabled)
        #expect(r.multichannel == false, "two channels are mixed down unless multichannel=true")
        #expect(try parse([("encoding", "linear16"), ("sample_rate", "48000"), ("channels", "2"), ("multichannel", "true")]).get().multichannel)
        #expect(try parse([]).get().format == nil, "no encoding: a WAV stream")
        // Deepgram's linear32: "32-bit, little endian, floating-point PCM".
        #expect(try parse([("encoding", "linear32"), ("sample_rate", "16000")]).get().format == AudioFormat(encoding: .float32, sampleRate: 16_000))
        // The Python SDK's 3.x API sends endpointing=true: Deepgram's default pause (10 ms).
        #expect(try parse([("endpointing", "true")]).get().options.endpointing == .milliseconds(10))
        #expect(try parse([("endpointing", "300")]).get().options.endpointing == .milliseconds(300))
    }

    /// `extra=KEY:VALUE` pairs are kept to be passed back in the Metadata (the value may hold
    /// colons); one without a colon is refused as Deepgram would.
    @Test func extraPairsAreKeptForTheMetadata() throws {
        let r = try parse([("extra", "team:notes"), ("extra", "url:http://x:1"), ("extra", "team:later")]).get()
        #expect(r.options.extraMetadata == ["team": "later", "url": "http://x:1"])
        #expect(try parse([]).get().options.extraMetadata == nil)
        // The newest official SDK's form: `extra[KEY]=VALUE`.
        let sdk = try parse([("extra[team]", "notes"), ("extra[id]", "4:2")]).get()
        #expect(sdk.options.extraMetadata == ["team": "notes", "id": "4:2"] && sdk.options.additional.isEmpty)
        guard case .failure(let e) = parse([("extra", "nocolon")]) else { Issue.record("accepted"); return }
        #expect(e.status == 400 && e.dgError.contains("KEY:VALUE"))
    }

    /// multichannel=true with no encoding is Deepgram's multichannel for containerised audio: a
    /// WAV stream whose channels — from its header, whatever the query says — are transcribed
    /// separately. They are unknown at the upgrade, so it counts one recognizer then.
    @Test func multichannelWAVStreamsTakeTheirChannelsFromTheHeader() throws {
        for query in [[("multichannel", "true")], [("multichannel", "true"), ("channels", "4")],
                      [("multichannel", "true"), ("channels", "2"), ("sample_rate", "8000")]] {
            let r = try parse(query).get()
            #expect(r.format == nil && r.multichannel && r.channelsFromHeader, "\(query)")
            #expect(r.recognizers == 1, "\(query): the header's channels are counted when it arrives")
        }
        let wav = try parse([("multichannel", "false"), ("channels", "2")]).get()
        #expect(wav.format == nil && !wav.multichannel && !wav.channelsFromHeader && wav.recognizers == 1, "a WAV stream is mixed down")
        let raw = try parse([("encoding", "linear16"), ("sample_rate", "16000"), ("channels", "3"), ("multichannel", "true")]).get()
        #expect(raw.multichannel && !raw.channelsFromHeader && raw.recognizers == 3)
        let rawMono = try parse([("encoding", "linear16"), ("sample_rate", "16000"), ("multichannel", "true")]).get()
        #expect(!rawMono.multichannel && rawMono.recognizers == 1)
    }

    /// A multichannel WAV stream admitted with one recognizer claims its header's channels within
    /// the same limit: never beyond it, not while others hold the slots, and all given back.
    @Test func streamSlotsGrowWithinTheLimit() throws {
        let slots = StreamSlots(limit: 3)
        let wav = try parse([("multichannel", "true")]).get(), mono = try parse([]).get()
        #expect(slots.reserve(request: wav, requestID: "wav") && slots.reserve(request: mono, requestID: "mono"))
        let claim = try #require(slots.claim(id: "wav"))
        let other = try #require(slots.claim(id: "mono"))
        #expect(slots.recognizers == 2)
        #expect(slots.grow(id: "wav", to: 4) == .never)
        #expect(slots.grow(id: "wav", to: 3) == .busy, "the mono stream holds one of the three")
        #expect(slots.recognizers == 2, "a refused growth takes nothing")
        #expect(slots.grow(id: "wav", to: 2) == .granted)
        #expect(slots.recognizers == 3 && !slots.reserve(request: mono, requestID: "late"))
        slots.release(other)
        #expect(slots.recognizers == 2)
        slots.release(claim)
        #expect(slots.recognizers == 0 && slots.count == 0, "every channel's slot is given back")
        #expect(DeepgramServer.admission(.granted, channels: 2, capacity: 3) == nil)
        let never = try #require(DeepgramServer.admission(.never, channels: 4, capacity: 3))
        #expect(never.closeCode == 1008 && never.closeReason.hasPrefix("DATA-0000") && never.closeReason.utf8.count <= 123)
        #expect(never.description.contains("4 channels") && never.description.contains("multichannel=false"), "\(never)")
        let busy = try #require(DeepgramServer.admission(.busy, channels: 3, capacity: 3))
        #expect(busy.closeCode == 1013 && busy.closeReason.utf8.count <= 123 && busy.description.contains("try again later"), "\(busy)")
    }

    @Test(arguments: [
        ([("language", "english")], "language"),
        ([("language", "fr")], "English"),
        ([("encoding", "opus"), ("sample_rate", "48000")], "encoding"),
        ([("encoding", "linear16")], "sample_rate"),
        ([("encoding", "linear16"), ("sample_rate", "99")], "sample_rate"),
        ([("channels", "0")], "channels"),
        ([("vad_events", "yes")], "vad_events"),
        ([("endpointing", "soon")], "endpointing"),
        ([("utterance_end_ms", "1000")], "interim_results"),
        // Options that would be ignored to the client's harm (a card number in clear text
        // where redaction was asked for) are refused; they were accepted and ignored.
        ([("redact", "pci")], "redaction (redact=pci)"),
        ([("replace", "meeting:party")], "find-and-replace"),
        ([("callback", "http://x")], "callbacks"),
        ([("profanity_filter", "true")], "profanity filter"),
        // One value given twice with two: the last won, and 16 kHz audio was read as 8 kHz.
        ([("encoding", "linear16"), ("sample_rate", "16000"), ("sample_rate", "8000")], "Conflicting values for sample_rate: '16000' and '8000'"),
        ([("encoding", "linear16"), ("encoding", "mulaw"), ("sample_rate", "8000")], "Conflicting values for encoding"),
    ] as [([(String, String)], String)])
    func badValuesGive400NamingTheOption(query: [(String, String)], needle: String) {
        guard case .failure(let r) = parse(query) else { Issue.record("\(query) was accepted"); return }
        #expect(r.status == 400)
        #expect(r.dgError.contains(needle), "\(r.dgError)")
    }

    @Test func hintsAndAFilterTurnedOffAreAccepted() throws {
        // `redact=false` asks for no redaction (the Python SDK 3.x sends it): it could not connect.
        let r = try parse([("profanity_filter", "false"), ("keyterm", "captty"), ("search", "budget"), ("diarize", "true"), ("tag", "x"),
                           ("redact", "false")]).get()
        #expect(r.options.profanityFilter == false && r.options.diarize == true)
        // Options that add a value may repeat; one given twice with the same value is no conflict.
        #expect((try? parse([("keyterm", "a"), ("keyterm", "b"), ("search", "x"), ("search", "y"), ("tag", "1"), ("tag", "2"),
                             ("punctuate", "true"), ("punctuate", "true")]).get()) != nil)
    }

    @Test func otherPathsAre404() {
        guard case .failure(let r) = parse([], path: "/v1/speak") else { Issue.record("accepted"); return }
        #expect(r.status == 404)
    }

    @Test func keysAreComparedWholeAndOnlyWithAScheme() {
        let k = APIKeyCheck(key: "abc123")
        #expect(k.accepts(authorization: "Token abc123"))
        #expect(k.accepts(authorization: "bearer abc123"))
        #expect(!k.accepts(authorization: "abc123"))
        #expect(!k.accepts(authorization: "Token abc12"))
        #expect(!k.accepts(authorization: "Token abc1234"))
        #expect(!k.accepts(authorization: "Basic abc123"))
        #expect(!k.accepts(authorization: nil))
        #expect(APIKeyCheck.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!APIKeyCheck.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(!APIKeyCheck.constantTimeEqual([], [0]))
    }

    @Test func aWAVStreamIsSniffedAcrossChunks() throws {
        // A 44-byte header for 8 kHz mono 16-bit PCM, then 0.1 s of a ramp, delivered in 7-byte pieces.
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        var wav = Array("RIFF".utf8) + le32(36 + 1600) + Array("WAVEfmt ".utf8) + le32(16)
        wav += le16(1) + le16(1) + le32(8000) + le32(16000) + le16(2) + le16(16) + Array("data".utf8) + le32(1600)
        for i in 0..<800 { wav += le16((i * 40) & 0xffff) }
        var intake = AudioIntake(format: nil, separateChannels: false)
        var out: [Int16] = []
        var i = 0
        while i < wav.count {
            guard case .samples(let s) = intake.push(Array(wav[i..<min(wav.count, i + 7)])) else { Issue.record("rejected"); return }
            out += s.first ?? []
            i += 7
        }
        out += intake.flush().first ?? []
        #expect(intake.format == AudioFormat(encoding: .linear16, sampleRate: 8_000, channels: 1))
        #expect(abs(out.count - 1600) <= 2, "0.1 s at 16 kHz, got \(out.count)")
        #expect(abs(intake.seconds - 0.1) < 0.001)
        var garbage = AudioIntake(format: nil, separateChannels: false)
        guard case .invalid(let why) = garbage.push(Array("hello, this is not audio".utf8)) else { Issue.record("garbage accepted"); return }
        #expect(why.contains("encoding") && why.contains("WAV"))
    }

    /// A WAV stream of 8-bit or 24-bit samples (what `sox` and many recorders write) is decoded
    /// like a 16-bit one; `captty transcribe` read such files and `serve` refused them. A header
    /// with a large metadata chunk before the audio (cover art, BWF) is read too, and a stream
    /// in a container this server cannot decode says which one.
    @Test func eightAndTwentyFourBitWAVStreamsAndLargeHeadersAreRead() {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        let tone: [Double] = (0..<16_000).map { (k: Int) -> Double in 0.5 * Foundation.sin(Double(k) * 2 * Double.pi * 300 / 16_000) }   // 1 s
        func wav(bits: Int, samples: [UInt8], before: [UInt8] = []) -> [UInt8] {
            let bytesPer = bits / 8
            var w = Array("RIFF".utf8) + le32(36 + before.count + samples.count) + Array("WAVEfmt ".utf8) + le32(16)
            w += le16(1) + le16(1) + le32(16_000) + le32(16_000 * bytesPer) + le16(bytesPer) + le16(bits)
            return w + before + Array("data".utf8) + le32(samples.count) + samples
        }
        let s24 = tone.flatMap { v -> [UInt8] in let i = Int(v * 8_388_607); return [UInt8(i & 0xff), UInt8(i >> 8 & 0xff), UInt8(i >> 16 & 0xff)] }
        let u8 = tone.map { UInt8(Int(($0 * 127).rounded()) + 128) }
        let s16 = tone.flatMap { le16(Int($0 * 32_767)) }
        let list = Array("LIST".utf8) + le32(200_000) + [UInt8](repeating: 0x41, count: 200_000)
        for (name, bytes) in [("s24", wav(bits: 24, samples: s24)), ("u8", wav(bits: 8, samples: u8)),
                              ("s16 after a 200 kB LIST", wav(bits: 16, samples: s16, before: list))] {
            var intake = AudioIntake(format: nil, separateChannels: false)
            var out: [Int16] = []
            var i = 0
            while i < bytes.count {
                guard case .samples(let s) = intake.push(Array(bytes[i..<min(bytes.count, i + 3_000)])) else {
                    Issue.record("\(name): \(intake.push([]))"); break
                }
                out += s.first ?? []
                i += 3_000
            }
            out += intake.flush().first ?? []
            #expect(abs(intake.seconds - 1) < 0.001 && abs(out.count - 16_000) <= 2, "\(name): \(intake.seconds) s, \(out.count) samples")
            // The tone itself, not noise: peak near half scale, and it follows the sine.
            let peak = out.map { abs(Int($0)) }.max() ?? 0
            #expect((15_000...17_500).contains(peak), "\(name): peak \(peak)")
            #expect(abs(Int(out[1_000]) - Int(tone[1_000] * 32_767)) < 600, "\(name): \(out[1_000]) vs \(tone[1_000] * 32_767)")
        }
        var ogg = AudioIntake(format: nil, separateChannels: false)
        guard case .invalid(let why) = ogg.push(Array("OggS".utf8) + [0, 2] + [UInt8](repeating: 0, count: 58)) else { Issue.record("Ogg accepted"); return }
        #expect(why.contains("Ogg") && why.contains("cannot be decoded here") && !why.contains("raw audio needs"), "\(why)")
    }

    /// Bytes past the data chunk's declared size: a chunk that follows it (an `id3 ` tag, LIST)
    /// is not audio — it was decoded as two seconds of noise, with a final of its own — while
    /// audio past a size that understates a live stream is kept.
    @Test(arguments: [7, 1000, 100_000])
    func aChunkAfterTheDataIsNotAudioButMoreAudioIs(piece: Int) throws {
        func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24 & 0xff)] }
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func header(dataBytes: Int) -> [UInt8] {
            Array("RIFF".utf8) + le32(36 + dataBytes) + Array("WAVEfmt ".utf8) + le32(16)
                + le16(1) + le16(1) + le32(16_000) + le32(32_000) + le16(2) + le16(16) + Array("data".utf8) + le32(dataBytes)
        }
        let audio = (0..<16_000).flatMap { le16(($0 * 37) & 0x3fff) }   // 1 s at 16 kHz
        func seconds(_ bytes: [UInt8]) -> Double {
            var intake = AudioIntake(format: nil, separateChannels: false)
            var i = 0
            while i < bytes.count {
                _ = intake.push(Array(bytes[i..<min(bytes.count, i + piece)]))
                i += piece
            }
            return intake.seconds
        }
        let tag = Array("id3 ".utf8) + le32(64_000) + [UInt8](repeating: 0x55, count: 64_000)
        #expect(abs(seconds(header(dataBytes: audio.count) + audio + tag) - 1) < 0.001, "the id3 chunk is not audio")
        let list = Array("LIST".utf8) + le32(10) + Array("INFOabcdef".utf8)
        #expect(abs(seconds(header(dataBytes: audio.count - 1) + audio.dropLast() + [0] + list) - (1 - 1.0 / 32_000)) < 0.001,
                "after an odd-sized data chunk's pad byte")
        // A header that claims half a second, then a whole second of audio: all of it is kept.
        #expect(abs(seconds(header(dataBytes: 16_000) + audio) - 1) < 0.001, "audio past an understated size")
    }
}

/// A multichannel stream's channels answer a Finalize together: they take turns on the engine,
/// and a client that stops at the first `from_finalize` (the Python SDK's 3.x `finish()`) lost
/// the channels that answered seconds later.
@Suite(.timeLimit(.minutes(1))) struct FinalizeBarrierTests {
    @Test func eachChannelsAnswerWaitsForTheOthers() async throws {
        let barrier = FinalizeBarrier(parties: 2)
        let first = Task { () -> ContinuousClock.Instant in await barrier.arrive(); return .now }
        try await Task.sleep(for: .milliseconds(300))
        let second = ContinuousClock.now
        await barrier.arrive()
        #expect(await first.value >= second, "the first channel's answer went before the second's was ready")
        // The next Finalize starts over.
        let again = Task { await barrier.arrive() }
        try await Task.sleep(for: .milliseconds(100))
        await barrier.arrive()
        await again.value
    }

    @Test func aChannelThatEndsIsNotWaitedFor() async {
        let barrier = FinalizeBarrier(parties: 3)
        let waiting = Task { await barrier.arrive() }
        barrier.leave()
        barrier.leave()
        await waiting.value   // hangs (the time limit fails it) if the ended channels were awaited
    }
}
