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

    init(socket: WebSocket, request: ListenRequest, requestID: String, recognizer: LocalRecognizer,
         idleTimeout: Double, stallTimeout: Double = 10, logger: Logger) {
        self.socket = socket; self.request = request; self.requestID = requestID
        self.recognizer = recognizer; self.idleTimeout = idleTimeout; self.stallTimeout = stallTimeout; self.logger = logger
    }

    private enum Outcome { case closeStream, clientGone, idle, badAudio(String), notReading }

    func run() async {
        // multichannel is raw audio only (ListenRequest): a WAV stream is mixed down to one channel.
        var intake = AudioIntake(format: request.format, separateChannels: request.multichannel)
        let channels = intake.outputChannels
        var sessions: [RecognitionSession] = []
        var forwarders: [Task<Void, Never>] = []
        for c in 0..<channels {
            let (session, events) = recognizer.openStream(requestID: requestID)
            do {
                try await session.start(config: recognizer.configuration, options: request.options,
                                        channelIndex: [c, channels], logger: recognizer.engineLogger)
            } catch {
                logger.error("stream \(requestID): the engine did not start: \(error)")
                for s in sessions { s.cancel(); s.end() }
                session.end()
                try? await socket.send(text: ServerMessage.error(ErrorMessage(variant: "engine", description: "\(error)",
                                                                               message: "the offline engine could not start")).encoded())
                await socket.close(code: 1011, reason: "the offline engine could not start")
                return
            }
            sessions.append(session)
            forwarders.append(Task { await self.forward(events) })
        }

        let clock = IdleClock()
        let engines = sessions
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 200_000_000)
                // While the engine works through this client's audio (it is behind, e.g. on a
                // busy machine, or answering a Finalize), the client is waiting on us, not idle.
                if engines.contains(where: \.hasPendingWork) { clock.touch(); continue }
                if clock.secondsSinceTouch > idleTimeout {
                    clock.markTimedOut()
                    await socket.close(code: 1011, reason: "NET-0001: no audio or KeepAlive received for \(Int(idleTimeout)) s")
                    return
                }
            }
        }

        var outcome = Outcome.clientGone
        let received = SHA256Digest()   // of every audio byte, header included (Metadata.sha256)
        do {
            loop: for try await message in socket.messages {
                clock.touch()
                // Messages still buffered when the connection is gone are not worth decoding: no
                // one can receive their results (40 MB of buffered audio kept both cores busy for
                // minutes after its client left).
                if socket.isClosed { break loop }
                guard await waitForReader(clock) else { outcome = .notReading; break loop }
                switch message {
                case .binary(let bytes):
                    if bytes.isEmpty { outcome = .closeStream; break loop }   // legacy end-of-stream
                    received.update(bytes)
                    switch await feed(bytes, to: &intake, sessions, clock) {
                    case .fed: break
                    case .gone: break loop
                    case .invalid(let why): outcome = .badAudio(why); break loop
                    }
                case .text(let text):
                    switch ControlMessage(json: text) {
                    case .keepAlive?: break
                    case .finalize?: for s in sessions { await s.finalize() }
                    case .closeStream?: outcome = .closeStream; break loop
                    case .configure(let json)?:
                        // SDK 7 waits for ConfigureSuccess or ConfigureFailure; the stream goes on.
                        let reply = ConfigureFailure(answering: json, requestID: requestID)
                        logger.info("stream \(requestID): Configure refused (\(reply.code)): the local engine cannot change options mid-stream")
                        try? await socket.send(text: reply.encoded())
                    case nil:
                        logger.info("stream \(requestID): ignored an unknown text message")
                    }
                }
            }
        } catch {
            outcome = .clientGone
        }
        watchdog.cancel()
        if clock.timedOut { outcome = .idle }

        switch outcome {
        case .closeStream:
            let rest = intake.flush()
            for (c, s) in rest.enumerated() where !s.isEmpty && c < sessions.count { await sessions[c].push(samples: s) }
            for s in sessions { await s.finish(); s.end() }
            for f in forwarders { await f.value }
            let info = recognizer.configuration.modelInfo, uuid = recognizer.configuration.modelUUID
            let meta = Metadata(requestID: requestID, sha256: received.hex, created: ISO8601Timestamp.utcSeconds(Date()),
                                duration: (intake.seconds * 1000).rounded() / 1000,
                                channels: intake.format?.channels ?? request.channels,   // a WAV stream's from its header
                                models: [uuid], modelInfo: [uuid: info])
            try? await socket.send(text: ServerMessage.metadata(meta).encoded())
            await socket.close(code: 1000, reason: "")
        case .idle, .clientGone:
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
            if case .clientGone = outcome { await socket.close(code: 1000, reason: "") }
        case .badAudio(let why):
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
            await socket.close(code: 1008, reason: String("DATA-0000: \(why)".utf8.prefix(120)) ?? "DATA-0000")
        case .notReading:
            for s in sessions { s.cancel(); s.end() }
            for f in forwarders { f.cancel() }
            await socket.close(code: 1011, reason: "the client read no results for \(Int(stallTimeout)) s")
        }
        logger.info("stream \(requestID) ended: \(outcome)")
    }

    private enum Fed { case fed, gone, invalid(String) }

    /// Decodes an audio message piece by piece and queues each for the engine, waiting for room
    /// between pieces; stops when the connection is gone or the audio cannot be decoded.
    /// The idle clock is touched for every piece: a client whose audio is still being worked
    /// through is not idle (one 16 MiB message took over 10 s, and the watchdog closed its
    /// stream with NET-0001 though the client was waiting for results).
    private func feed(_ bytes: [UInt8], to intake: inout AudioIntake, _ sessions: [RecognitionSession],
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
    /// stream's business, not the channel's.
    private func forward(_ events: AsyncThrowingStream<LiveEvent, Error>) async {
        do {
            for try await e in events {
                let text: String
                switch e {
                case .results(let r): text = ServerMessage.results(r).encoded()
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
    }
}

/// When the client last sent anything.
final class IdleClock: @unchecked Sendable {
    private let lock = Lock()
    private var last = DispatchTime.now().uptimeNanoseconds
    private var expired = false
    func touch() { lock.lock(); last = DispatchTime.now().uptimeNanoseconds; lock.unlock() }
    var secondsSinceTouch: Double {
        lock.lock(); defer { lock.unlock() }
        return Double(DispatchTime.now().uptimeNanoseconds - last) / 1e9
    }
    func markTimedOut() { lock.lock(); expired = true; lock.unlock() }
    var timedOut: Bool { lock.lock(); defer { lock.unlock() }; return expired }
}
