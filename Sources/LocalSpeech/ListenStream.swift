import Deepgram
import FoundationEssentials
import Dispatch
import Glibc
import SystemSupport
import Logging
import WebSocket

/// One client stream of the Deepgram-compatible server: audio and control messages in,
/// Deepgram messages out, then Metadata and a normal close — or 1011 NET-0001 when idle,
/// 1008 DATA-0000 when the audio cannot be decoded.
///
/// Memory stays bounded whatever the client does. Audio messages are fed to the engine in
/// pieces of `pieceBytes`, so a 16 MiB message is never decoded and queued whole (the engine's
/// queue bound counts pieces). And results wait for the client to read them: while more than
/// `unsentLimit` bytes of them are unsent, no more input is read (TCP pushes back on the
/// client); a client that reads nothing for `stallTimeout` is closed with 1011.
final class ListenStream: Sendable {
    /// The most input bytes decoded and queued for the engine at once.
    static let pieceBytes = 64 * 1024
    /// Unsent result bytes beyond which the client's input is left unread.
    static let unsentLimit = 1 << 20

    let socket: WebSocket
    let request: ListenRequest
    let requestID: String
    let recognizer: LocalRecognizer
    let idleTimeout: Double
    let stallTimeout: Double
    let logger: Logger
    /// Asks the server's limit for one recognizer per channel once a multichannel WAV stream's
    /// header shows its channels; nil when admitted, else why not (the stream is then refused).
    let admitChannels: @Sendable (Int) -> ChannelRefusal?
    /// Called once the stream's recognizers are done, before its last message and close: a
    /// client that opens its next stream as soon as this one closed finds the slot free (it got
    /// 503 for up to 0.1 s, while the close handshake ran).
    let recognizersDone: @Sendable () -> Void
    /// Whether the server is closing every stream (shutting down): a stream that ends then is
    /// logged as such, not as left by its client.
    let serverClosing: @Sendable () -> Bool

    init(socket: WebSocket, request: ListenRequest, requestID: String, recognizer: LocalRecognizer,
         idleTimeout: Double, stallTimeout: Double = 10, logger: Logger,
         admitChannels: @escaping @Sendable (Int) -> ChannelRefusal? = { _ in nil },
         recognizersDone: @escaping @Sendable () -> Void = {}, serverClosing: @escaping @Sendable () -> Bool = { false }) {
        self.socket = socket; self.request = request; self.requestID = requestID
        self.recognizer = recognizer; self.idleTimeout = idleTimeout; self.stallTimeout = stallTimeout; self.logger = logger
        self.admitChannels = admitChannels
        self.recognizersDone = recognizersDone
        self.serverClosing = serverClosing
    }

    /// `refused`: the client has been told why (an Error message) and the stream closed.
    /// `serverShutdown`: the server closed the stream with 1001 (`DeepgramServer.closeAll`).
    private enum Outcome { case closeStream, clientGone, serverShutdown, idle, badAudio(String), notReading, refused }

    func run() async {
        // Raw audio has its channels from the query. A WAV stream is mixed down to one channel,
        // unless multichannel=true: then its channels are known only when its header arrives,
        // and the recognition sessions, one per channel, are opened then (`feed`).
        var intake = AudioIntake(format: request.format, separateChannels: request.multichannel)
        let channels = ChannelSessions()
        if !request.channelsFromHeader {
            guard await open(intake.outputChannels, into: channels) else { return }
        }

        let clock = IdleClock()
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 200_000_000)
                // While the engine works through this client's audio (it is behind, e.g. on a
                // busy machine, or answering a Finalize), the client is waiting on us, not idle.
                // So is one whose recognizers are still loading (a multichannel WAV stream's, opened
                // mid-stream when its header arrives).
                if channels.opening || channels.sessions.contains(where: \.hasPendingWork) { clock.touch(); continue }
                // As Deepgram: KeepAlive alone does not open a stream; some audio must come
                // within the idle time of connecting (a client sending only KeepAlive or other
                // text was kept for ever, and would learn the rule only from Deepgram).
                if !clock.audioSeen && clock.secondsSinceOpen > idleTimeout {
                    clock.markTimedOut()
                    // A client sending its audio as text (base64, JSON) learns why nothing happened.
                    let why = clock.unknownTextSeen ? " (text frames are not audio: send audio in binary frames)" : ""
                    await socket.close(code: 1011, reason: "NET-0001: no audio received within \(Int(idleTimeout)) s of connecting" + why)
                    return
                }
                // (Checked second: a stream that never had audio is told that first.)
                if clock.secondsSinceTouch > idleTimeout {
                    clock.markTimedOut()
                    await finalizeBeforeIdleClose(channels)
                    await socket.close(code: 1011, reason: "NET-0001: no audio or KeepAlive received for \(Int(idleTimeout)) s")
                    return
                }
            }
        }

        var outcome = Outcome.clientGone
        let received = SHA256Digest()   // of every audio byte, header included (Metadata.sha256)
        do {
            loop: for try await message in socket.messages {
                // Audio and control messages keep the stream from idling out; text the server
                // cannot read does not (a misspelt KeepAlive kept a dead stream open for ever).
                if case .text(let t) = message, ControlMessage(json: t) == nil {} else { clock.touch() }
                // Messages still buffered when the connection is gone are not worth decoding: no
                // one can receive their results (40 MB of buffered audio kept both cores busy for
                // minutes after its client left).
                if socket.isClosed { break loop }
                guard await waitForReader(clock) else { outcome = .notReading; break loop }
                switch message {
                case .binary(let bytes):
                    if bytes.isEmpty { outcome = .closeStream; break loop }   // legacy end-of-stream
                    clock.sawAudio()
                    received.update(bytes)
                    switch await feed(bytes, to: &intake, channels, clock) {
                    case .fed: break
                    case .gone: break loop
                    case .invalid(let why): outcome = .badAudio(why); break loop
                    case .refused: outcome = .refused; break loop
                    }
                case .text(let text):
                    switch ControlMessage(json: text) {
                    case .keepAlive?: break
                    case .finalize?:
                        if channels.sessions.isEmpty && !channels.opening {
                            // A multichannel WAV stream before its header: no recognizer yet,
                            // nothing heard. Answered as the others answer a Finalize before
                            // audio (a client waiting for `from_finalize` waited until its timeout).
                            let empty = Results(channelIndex: [0, 1], start: 0, duration: 0, isFinal: true, speechFinal: false,
                                                fromFinalize: true, channel: Channel(alternatives: [Alternative(transcript: "", confidence: 0, words: [])]),
                                                metadata: ResultsMetadata(requestID: requestID, modelInfo: recognizer.configuration.modelInfo,
                                                                          modelUUID: recognizer.configuration.modelUUID,
                                                                          extra: request.options.extraMetadata))
                            try? await socket.send(text: ServerMessage.results(empty).encoded())
                        }
                        // What the resampler still holds is audio sent: the final covers it.
                        let held = intake.drainForFinalize()
                        for (c, s) in held.enumerated() where !s.isEmpty && c < channels.sessions.count {
                            await channels.sessions[c].push(samples: s)
                        }
                        for s in channels.sessions { await s.finalize() }
                    case .closeStream?: outcome = .closeStream; break loop
                    case .configure(let json)?:
                        // SDK 7 waits for ConfigureSuccess or ConfigureFailure; the stream goes on.
                        let reply = ConfigureFailure(answering: json, requestID: requestID)
                        logger.info("stream \(requestID): Configure refused (\(reply.code)): the local engine cannot change options mid-stream")
                        try? await socket.send(text: reply.encoded())
                    case nil:
                        // Logged once a stream (a client sending its audio as text would fill the log).
                        if !clock.unknownTextSeen {
                            logger.warning("stream \(requestID): ignored a text message that is not KeepAlive, Finalize, CloseStream or Configure (audio goes in binary frames)")
                        }
                        clock.sawUnknownText()
                        // Answered as Deepgram does, with a SchemaError quoting the message (cut
                        // short), so that a misspelt control message is found; the stream goes on.
                        let quoted = text.count > 200 ? String(text.prefix(200)) + "…" : text
                        let e = ErrorMessage(variant: "SchemaError",
                                             description: "Could not parse the client message: expected KeepAlive, Finalize, CloseStream or Configure (audio goes in binary frames).",
                                             message: quoted)
                        try? await socket.send(text: ServerMessage.error(e).encoded())
                    }
                }
            }
        } catch {
            outcome = .clientGone
            // The client was told (1009 or 1002 with the reason); the operator is told too: the
            // log said only "clientGone" for a message over the limit.
            switch error as? WebSocketError {
            case .messageTooBig?, .protocolViolation?:
                logger.warning("stream \(requestID): closed for breaking the limits or the WebSocket protocol: \(error)")
            default: break
            }
        }
        watchdog.cancel()
        if clock.timedOut { outcome = .idle }
        if case .clientGone = outcome, serverClosing() { outcome = .serverShutdown }
        let sessions = channels.sessions, forwarders = channels.forwarders
        // A WAV stream that ended inside its header had no audio: said, as for audio that
        // cannot be decoded (it got Metadata with duration 0, as if all were well).
        if case .closeStream = outcome, let n = intake.unfinishedHeader {
            outcome = .badAudio("the stream ended inside its WAV header (\(n) bytes), before any audio; "
                                + "send the whole file, or raw PCM with encoding and sample_rate in the URL")
        }

        switch outcome {
        case .closeStream:
            let rest = intake.flush()
            for (c, s) in rest.enumerated() where !s.isEmpty && c < sessions.count { await sessions[c].push(samples: s) }
            for s in sessions { await s.finish(); s.end() }
            var ran: Metadata?
            for f in forwarders { if let m = await f.value, ran == nil { ran = m } }
            // The model that really ran, as the Results named it (Moonshine may have failed to
            // load, leaving PocketSphinx), not the one configured.
            let uuid = ran?.models.first ?? recognizer.configuration.modelUUID
            let info = ran?.modelInfo[uuid] ?? recognizer.configuration.modelInfo
            let meta = Metadata(requestID: requestID, sha256: received.hex, created: ISO8601Timestamp.utc(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded())),
                                duration: (intake.seconds * 1000).rounded() / 1000,
                                // A WAV stream's from its header: what was transcribed, each
                                // separately with multichannel, else mixed into one.
                                channels: intake.format?.channels ?? request.channels,
                                models: [uuid], modelInfo: [uuid: info], extra: request.options.extraMetadata)
            recognizersDone()
            try? await socket.send(text: ServerMessage.metadata(meta).encoded())
            await socket.close(code: 1000, reason: "")
        case .idle, .clientGone, .serverShutdown:
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
            recognizersDone()
            if case .clientGone = outcome { await socket.close(code: 1000, reason: "") }
        case .badAudio(let why):
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
            recognizersDone()
            // The whole text in an Error message (as Deepgram's newer servers send), then the
            // close, whose reason holds 123 bytes at most: cut at a character, never mid-UTF-8.
            try? await socket.send(text: ServerMessage.error(ErrorMessage(variant: "DATA-0000", description: why,
                                                                           message: "the audio could not be decoded")).encoded())
            await socket.close(code: 1008, reason: Self.closeReason("DATA-0000: \(why)"))
        case .notReading:
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
            recognizersDone()
            await socket.close(code: 1011, reason: "the client read no results for \(Int(stallTimeout)) s")
        case .refused:
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
        }
        logger.info("stream \(requestID) ended: \(outcome)")
    }

    /// Before an idle close: what was heard is made final and sent, as a Finalize would (the
    /// words after the last pause of a client that went quiet mid-sentence were dropped with
    /// the close). Waits for the engine at most `idleFlushLimit`, then a moment for the results
    /// to be sent.
    private func finalizeBeforeIdleClose(_ channels: ChannelSessions) async {
        let sessions = channels.sessions
        guard !sessions.isEmpty else { return }
        for s in sessions { await s.finalize(marked: false) }   // no Finalize asked for it
        let deadline = ContinuousClock.now + Self.idleFlushLimit
        while sessions.contains(where: \.hasPendingWork), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? await Task.sleep(for: .milliseconds(100))
    }

    /// The longest an idle close waits for the engine's last results.
    static let idleFlushLimit = Duration.seconds(15)

    private enum Fed { case fed, gone, invalid(String), refused }

    /// Opens one recognition session per channel (`channel_index [c, count]`) and the tasks that
    /// forward their events. False when the engine cannot start: the client has been told (an
    /// Error message, then close 1011).
    private func open(_ count: Int, into channels: ChannelSessions) async -> Bool {
        let barrier = count > 1 ? FinalizeBarrier(parties: count) : nil
        for c in 0..<count {
            let (session, events) = recognizer.openStream(requestID: requestID)
            do {
                try await session.start(config: recognizer.configuration, options: request.options,
                                        channelIndex: [c, count], logger: recognizer.engineLogger)
            } catch {
                logger.error("stream \(requestID): the engine did not start: \(error)")
                for s in channels.sessions { s.cancel(); s.end() }
                session.end()
                try? await socket.send(text: ServerMessage.error(ErrorMessage(variant: "engine", description: "\(error)",
                                                                               message: "the offline engine could not start")).encoded())
                await socket.close(code: 1011, reason: "the offline engine could not start")
                return false
            }
            channels.add(session, forwarder: Task { await self.forward(events, barrier: barrier) })
        }
        return true
    }

    /// Tells the client why its stream cannot be served (an Error message), then closes.
    private func refuse(_ r: ChannelRefusal) async {
        logger.info("stream \(requestID) refused: \(r.description)")
        try? await socket.send(text: ServerMessage.error(ErrorMessage(variant: r.variant, description: r.description,
                                                                       message: r.closeReason)).encoded())
        await socket.close(code: r.closeCode, reason: Self.closeReason(r.closeReason))
    }

    /// `text` cut to what a close frame's reason holds (123 bytes), at a character boundary,
    /// with "…" when cut.
    static func closeReason(_ text: String) -> String {
        guard text.utf8.count > 123 else { return text }
        var out = ""
        for ch in text {
            if out.utf8.count + ch.utf8.count + 3 > 123 { break }
            out.append(ch)
        }
        return out + "…"
    }

    /// Decodes an audio message piece by piece and queues each for the engine, waiting for room
    /// between pieces; stops when the connection is gone or the audio cannot be decoded.
    /// The idle clock is touched for every piece: a client whose audio is still being worked
    /// through is not idle (one 16 MiB message took over 10 s, and the watchdog closed its
    /// stream with NET-0001 though the client was waiting for results).
    ///
    /// A multichannel WAV stream's sessions are opened here, when its header has arrived — if the
    /// server's limit has a recognizer for each of its channels (`admitChannels`).
    private func feed(_ bytes: [UInt8], to intake: inout AudioIntake, _ channels: ChannelSessions,
                      _ clock: IdleClock) async -> Fed {
        var offset = 0
        while offset < bytes.count {
            if socket.isClosed { return .gone }
            clock.touch()
            let end = min(bytes.count, offset + Self.pieceBytes)
            let piece = offset == 0 && end == bytes.count ? bytes : Array(bytes[offset..<end])
            offset = end
            switch intake.push(piece) {
            case .samples(let per):
                if !channels.isOpen && intake.format != nil {
                    let count = intake.outputChannels
                    if let refusal = admitChannels(count) { await refuse(refusal); return .refused }
                    channels.opening = true
                    let opened = await open(count, into: channels)
                    channels.opening = false
                    clock.touch()
                    guard opened else { return .refused }
                }
                let sessions = channels.sessions
                for (c, s) in per.enumerated() where !s.isEmpty && c < sessions.count { await sessions[c].push(samples: s) }
            case .invalid(let why):
                return .invalid(why)
            }
            // Decoding is CPU work on the shared cooperative pool: let other streams' results and
            // other clients' upgrade decisions run between pieces (a 16 MiB message took seconds,
            // and upgrades got 503 "did not decide in time" meanwhile).
            await Task.yield()
        }
        return .fed
    }

    /// Waits while more than `unsentLimit` bytes of results are unsent (the client is not
    /// reading); false when that lasts `stallTimeout`. The client is not idle meanwhile — it is
    /// this stream that does not read — so the idle clock is kept fresh.
    private func waitForReader(_ clock: IdleClock) async -> Bool {
        guard socket.queuedBytes > Self.unsentLimit else { return true }
        let start = DispatchTime.now().uptimeNanoseconds
        while socket.queuedBytes > Self.unsentLimit / 2 && !socket.isClosed {
            clock.touch()
            if Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 > stallTimeout { return false }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return true
    }

    /// Sends a session's events as Deepgram messages; its own open/metadata/close are the
    /// stream's business, not the channel's. Returns the session's Metadata (which names the
    /// model that ran).
    /// With several channels, each channel's answer to a Finalize waits at `barrier` for the
    /// others', so that they reach the client together: the channels take turns on the engine,
    /// and a client that stops at the first `from_finalize` (the SDK's 3.x `finish()`) lost the
    /// channels that answered seconds later.
    private func forward(_ events: AsyncThrowingStream<LiveEvent, Error>, barrier: FinalizeBarrier? = nil) async -> Metadata? {
        var meta: Metadata?
        defer { barrier?.leave() }
        do {
            for try await e in events {
                let text: String
                switch e {
                case .metadata(let m):
                    meta = m
                    continue
                case .results(var r):
                    // Asked to tell speakers apart, Deepgram labels every word; this engine
                    // cannot tell them apart, so all are the one speaker 0 (a client reading
                    // `word["speaker"]` failed on words without one).
                    if request.options.diarize == true {
                        for i in r.channel.alternatives.indices {
                            for j in r.channel.alternatives[i].words.indices where r.channel.alternatives[i].words[j].speaker == nil {
                                r.channel.alternatives[i].words[j].speaker = 0
                            }
                        }
                    }
                    text = ServerMessage.results(r).encoded()
                    if r.fromFinalize, let barrier { await barrier.arrive() }
                case .utteranceEnd(let u): text = ServerMessage.utteranceEnd(u).encoded()
                case .speechStarted(let s): text = ServerMessage.speechStarted(s).encoded()
                case .error(let err):
                    logger.warning("stream \(requestID): \(err)")
                    continue
                default: continue
                }
                try await socket.send(text: text)
            }
        } catch {
            logger.debug("stream \(requestID): events ended: \(error)")
        }
        return meta
    }
}

/// Holds each channel's answer to a Finalize until every channel has answered (or ended).
final class FinalizeBarrier: @unchecked Sendable {
    private let lock = Lock()
    private var parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    /// Returns once every channel still running has arrived.
    func arrive() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            arrived += 1
            waiting.append(c)
            let go = release()
            lock.unlock()
            for w in go { w.resume() }
        }
    }

    /// A channel's events ended: the others no longer wait for it.
    func leave() {
        lock.lock()
        parties -= 1
        let go = release()
        lock.unlock()
        for w in go { w.resume() }
    }

    /// The waiters to resume when all have arrived (called with the lock held).
    private func release() -> [CheckedContinuation<Void, Never>] {
        guard arrived >= max(parties, 1) || (parties <= 0 && !waiting.isEmpty) else { return [] }
        arrived = 0
        defer { waiting = [] }
        return waiting
    }
}

/// Why a stream's channels cannot be served: told in an Error message, then a close.
struct ChannelRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The Error message's `variant` (the `err_code` an upgrade refused for the same reason gives).
    var variant: String
    /// The whole explanation, with what to do (the `dg-error` such an upgrade gives).
    var description: String
    var closeCode: UInt16
    /// The close frame's reason (at most 123 bytes).
    var closeReason: String
}

/// A stream's recognition sessions, one per output channel, and the tasks forwarding their
/// events. Written by the stream's receive loop only; read by its idle watchdog too.
final class ChannelSessions: @unchecked Sendable {
    private let lock = Lock()
    private var opened: [RecognitionSession] = []
    private var tasks: [Task<Metadata?, Never>] = []
    private var loading = false
    /// Whether sessions are being opened now.
    var opening: Bool {
        get { lock.lock(); defer { lock.unlock() }; return loading }
        set { lock.lock(); loading = newValue; lock.unlock() }
    }
    var sessions: [RecognitionSession] { lock.lock(); defer { lock.unlock() }; return opened }
    var forwarders: [Task<Metadata?, Never>] { lock.lock(); defer { lock.unlock() }; return tasks }
    var isOpen: Bool { !sessions.isEmpty }
    func add(_ session: RecognitionSession, forwarder: Task<Metadata?, Never>) {
        lock.lock(); opened.append(session); tasks.append(forwarder); lock.unlock()
    }
}

/// When the client last sent anything.
final class IdleClock: @unchecked Sendable {
    private let lock = Lock()
    private var last = DispatchTime.now().uptimeNanoseconds
    private let opened = DispatchTime.now().uptimeNanoseconds
    private var audio = false
    private var expired = false
    func touch() { lock.lock(); last = DispatchTime.now().uptimeNanoseconds; lock.unlock() }
    /// An audio byte arrived (KeepAlive alone does not open a stream).
    func sawAudio() { lock.lock(); audio = true; lock.unlock() }
    var audioSeen: Bool { lock.lock(); defer { lock.unlock() }; return audio }
    private var unknownText = false
    /// A text message that is not a control message arrived (audio sent as text, perhaps).
    func sawUnknownText() { lock.lock(); unknownText = true; lock.unlock() }
    var unknownTextSeen: Bool { lock.lock(); defer { lock.unlock() }; return unknownText }
    var secondsSinceOpen: Double { Double(DispatchTime.now().uptimeNanoseconds - opened) / 1e9 }
    var secondsSinceTouch: Double {
        lock.lock(); defer { lock.unlock() }
        return Double(DispatchTime.now().uptimeNanoseconds - last) / 1e9
    }
    func markTimedOut() { lock.lock(); expired = true; lock.unlock() }
    var timedOut: Bool { lock.lock(); defer { lock.unlock() }; return expired }
}
