import Executors
import FoundationEssentials
import Logging
import SystemSupport
import WebSocket

/// A live transcription session with Deepgram's `/v1/listen` WebSocket API.
///
/// The seed SDK's shape — `start(options)`, `send(audio)`, `finalize()`, `finish()`, events
/// as an async sequence (`events`) or callbacks (`on(.transcript) { … }`) — plus what captions
/// for hours need:
/// - KeepAlive text frames while no audio flows (a failed KeepAlive is a connection fault);
/// - reconnect with jittered exponential backoff on 1006/1011/1012/1013 and network faults,
///   re-sending audio not yet covered by a final result (bounded replay buffer) and offsetting
///   the new connection's timestamps so they stay continuous;
/// - audio given while disconnected is buffered (same bound); overflow drops the oldest audio
///   and says how much in an `.error` event;
/// - `finish()` sends CloseStream and waits (bounded) for the last results, Metadata and close;
/// - fatal errors (HTTP 400/401/403, close 1008/1002/1003/1007/4xxx) end the session with the
///   server's `dg-error` and request id, never the key.
///
/// Events after a drop: `.error` (non-fatal, why), `.reconnecting(attempt:delay:)`, then
/// `.open(requestID:)` again. The last event is always `.close`, after which `events` ends.
public actor LiveClient {
    /// Where the session is.
    public enum State: Sendable, Equatable {
        case idle, connecting, open, reconnecting(attempt: Int), finishing, closed
    }

    /// Counters for tests, status displays and benchmarks.
    public struct Statistics: Sendable, Equatable {
        public var connections = 0
        public var reconnects = 0
        public var keepAlivesSent = 0
        /// Audio bytes given to `send`.
        public var bytesGiven: Int64 = 0
        /// Audio bytes written to sockets, replays included.
        public var bytesSent: Int64 = 0
        /// Audio bytes sent again after a reconnect.
        public var bytesReplayed: Int64 = 0
        /// Audio bytes dropped unsent because the buffer overflowed while disconnected.
        public var bytesLost: Int64 = 0
        /// The most bytes any connection held in its send queue (written by the client, not
        /// yet taken by the socket): bounded by `webSocket.sendQueueLimit` plus one frame.
        public var sendQueueHighWater = 0
    }

    private let credential: Credential
    private let configuration: LiveClientConfiguration
    private var logger: Logger
    private let hub = EventHub()

    // Session
    private var state: State = .idle
    private var options = LiveOptions()
    private var url: URL?
    private var timeline: AudioTimeline?
    private var buffer = ReplayBuffer(limit: 1)
    private var sentOffset: Int64 = 0
    private var stats = Statistics()
    private var supervisor: Task<Void, Never>?
    private var ended = false
    private var fatalError: LiveError?
    private var finishing = false
    /// Unhandled message types already logged (at most 32 are remembered).
    private var unhandledTypesLogged: Set<String> = []
    /// Reconnect attempts since `finish()` without progress (bounded by the policy).
    private var attemptsWhileFinishing = 0
    /// Normal closes after CloseStream that left the stream unfinished (no Metadata, audio
    /// without finals). The first is retried (a proxy may close so); a server that does it again
    /// is not sent the whole backlog once more (it was, ten times: found in QA).
    private var unfinishedNormalCloses = 0
    /// How far past the audio sent a result may start (rounding, a server's own padding).
    static let resultSlack = 2.0
    /// Connections that did not finish the stream within `finishTimeout` of CloseStream.
    private var finishTimeouts = 0
    private var lastFinalEnd: Double = 0
    private var lostUnreported: Int64 = 0
    private var lastLossReport: ContinuousClock.Instant?
    /// Loss reports while disconnected come at most this often (one a second flooded plain
    /// mode through a long outage); the reconnect says the rest at once.
    static let lossReportInterval = Duration.seconds(30)
    /// The end of the audio a final has answered (or that was said to be lost): audio from here
    /// to the buffer's start that a drop cannot replay has no captions, and is reported.
    private var answeredOffset: Int64 = 0
    /// Audio counted as lost while a faulted connection could still answer it (absolute bytes):
    /// a late final from that connection takes its part back (it has captions after all).
    private var lostSpan: Range<Int64>?
    /// With `multichannel`, how far each channel's finals answer (absolute bytes): the audio
    /// is answered only as far as every channel's are.
    private var answeredByChannel: [Int: Int64] = [:]
    /// Connections in a row that failed within `healthyConnection` of opening: the backoff keeps
    /// growing through them even when each made progress (a server that broke every connection
    /// soon after a final was reconnected once a second for minutes; found in QA).
    private var shortLivedStreak = 0
    /// How long a connection must last to count as healthy again.
    static let healthyConnection = Duration.seconds(5)
    /// `finish()` was cancelled while it waited: the stream was closed without its last results.
    private var finishCancelled = false
    /// With `multichannel`, how far (session seconds) each channel's finals reach, and on which
    /// connection they got there: a later connection replays from the slowest channel's answers,
    /// so a faster channel hears again audio it already answered, and its finals for that audio
    /// are left out (they came twice; found in QA).
    private var finalReachByChannel: [Int: (end: Double, generation: Int)] = [:]
    /// The session loop waiting for audio before it reconnects (`waitForAudio`).
    private var audioWaiter: CheckedContinuation<Void, Never>?
    /// `answeredOffset` when the finish timer was (re)started: finals since then are progress.
    private var finishProgressMark: Int64 = 0
    /// `interimReach` when the finish timer started: interims moving on after CloseStream show a
    /// server still working through its backlog (a busy `captty serve`), if slower than finals.
    private var finishInterimMark = 0.0
    /// Finish waits extended on interim progress alone (bounded: a server may send interims for
    /// ever).
    private var finishInterimExtensions = 0
    static let maxFinishInterimExtensions = 6
    /// Audio that can wait is not trimmed from the buffer before a final answers it: `send`
    /// waits instead (a file sent at full speed ran 60 s ahead of the finals, and a drop then lost
    /// everything from the last final to the buffer's start without a word). Whether it waits
    /// for a final now; a Finalize asks for them when the server has sent no result at all for
    /// `answerWaitQuiet` (or no final for `answerWaitFinalize`): a server still sending interim
    /// results is working through the backlog, and a Finalize would cut its utterances. After
    /// `replayLimit` the unanswered audio may go (said in the log).
    private var waitingForAnswers = false
    private var answerWaitID = 0
    private var unansweredMayGo = false
    private var lastResultAt = ContinuousClock.now
    static let answerWaitQuiet = Duration.seconds(3)
    static let answerWaitFinalize = Duration.seconds(10)
    /// How long a Finalize may go unanswered, once the server's interim results show it has
    /// heard all the audio sent, before the connection is taken as stalled (`noFinalsStall`).
    static let finalizeUnanswered = Duration.seconds(15)
    /// How far (s) the interim results of the current connection reach, connection time.
    private var interimReach = 0.0
    /// The current connection was dropped for making no finals (its interims do not count as
    /// progress for the reconnect attempts).
    private var stalledWithoutFinals = false
    /// Such stalls in a row with no final between them; the second ends the session.
    private var noFinalStalls = 0
    /// "No final result for N s" was said since the last final.
    private var saidNoFinals = false

    // Current connection
    private struct Connection {
        let ws: WebSocket
        let generation: Int
        let offset: TimestampOffset
        let openedAt: ContinuousClock.Instant
        let requestID: String?
    }
    private var conn: Connection?
    private var generation = 0
    private var fault: Error?
    private var madeProgress = false
    /// Server messages that could not be decoded or reported an error, for bounded logging.
    private var serverProblems = 0
    private var lastSent = ContinuousClock.now
    private var pendingControls: [(after: Int64, message: ControlMessage)] = []
    /// Finalizes sent on the open connection and not answered yet (by a `from_finalize`
    /// final), by the byte offset they followed: one lost with its connection goes again.
    private var finalizesInFlight: [Int64] = []
    private var closeStreamSent = false
    /// When CloseStream went on the current connection (for how long finishing waited).
    private var closeStreamSentAt: ContinuousClock.Instant?
    /// The current connection delivered `Metadata` (the server finished the stream).
    private var metadataReceived = false
    private var connectionTasks: [Task<Void, Never>] = []

    // Waiters
    private var pumpWaiter: CheckedContinuation<Void, Never>?
    /// The backoff wait before a reconnect attempt (id, continuation): `finish()` cuts it short.
    private var backoffWaiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    /// Whether the current backoff is the server's `Retry-After` (`finish()` does not cut it short).
    private var backoffAskedByServer = false
    private var nextBackoffID = 0
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var openWaiter: CheckedContinuation<Result<Void, LiveError>, Never>?
    private var finalizeWaiters: [Int: CheckedContinuation<Results?, Never>] = [:]
    /// The `configure()` waiting for the server's answer (one at a time, as the server allows).
    private var configureWaiter: (id: Int, continuation: CheckedContinuation<Result<ConfigureSuccess, LiveError>, Never>)?
    /// The `Configure` sent and not yet answered, and the last one the server applied (sent
    /// again on every new connection, which starts from the query's options).
    private var configurePending: ControlMessage?
    private var configureApplied: ControlMessage?
    private var nextWaiterID = 0
    private var endWaiters: [CheckedContinuation<Void, Never>] = []

    public init(credential: Credential, configuration: LiveClientConfiguration = LiveClientConfiguration()) {
        self.credential = credential
        self.configuration = configuration
        self.logger = configuration.logger
    }

    // MARK: Public API

    /// Every event of the session, in order; ends after `.close`. The first read gets every
    /// event since the client was made (read it before `start` or after: nothing is missed);
    /// each later read is a sequence of its own with every event from then on, so several
    /// readers each see them all, and a reader that stops does not stop the others. (With
    /// callbacks only — `on` used, `events` never read — nothing is buffered. With neither,
    /// every event is kept until `events` is first read, for the whole session if it never
    /// is: an app that uses only what `finalize(waitFor:)` returns should register a callback,
    /// even one that ignores the events, or read `events`.)
    public nonisolated var events: AsyncStream<LiveEvent> { hub.events }

    /// Registers a callback, Python-SDK style: `client.on(.transcript) { results in … }`.
    /// Callbacks run one at a time in event order; register them before `start`.
    public nonisolated func on<Payload>(_ name: LiveEventName<Payload>, _ handler: @escaping @Sendable (Payload) async -> Void) {
        hub.add { event in
            if let p = name.extract(event) { await handler(p) }
        }
    }

    public var currentState: State { state }
    /// The fatal error that ended the session, if one did (also sent as `.error`, and thrown
    /// by `send` and `start`).
    public var fatalFailure: LiveError? { fatalError }
    public var statistics: Statistics {
        var s = stats
        if let ws = conn?.ws { s.sendQueueHighWater = max(s.sendQueueHighWater, ws.queuedBytesHighWater) }
        return s
    }
    /// The `dg-request-id` of the current connection.
    public var requestID: String? { conn?.requestID }

    /// Opens the stream with `options` and returns once the first connection is open.
    /// Network failures are retried per the reconnect policy; throws a fatal `LiveError`
    /// (bad key, bad options, retries exhausted) — also reported as `.error` then `.close`.
    ///
    /// With `waitForOpen: false` it returns at once and connects in the background: audio
    /// given meanwhile is kept like audio during a reconnect (the replay limit, oldest dropped
    /// and reported), and a fatal failure is thrown by the next `send`. For live audio, which
    /// cannot wait for the network.
    public func start(_ options: LiveOptions, waitForOpen: Bool = true) async throws(LiveError) {
        guard state == .idle else {
            throw LiveError(kind: .usage, message: "start() was already called on this LiveClient; create a new client for a new session", isFatal: false)
        }
        let url: URL
        do { url = try configuration.listenURL(for: options) } catch {
            end(code: 1006, reason: error.message, error: error)
            throw error
        }
        self.options = options
        self.url = url
        timeline = AudioTimeline(options: options)
        let bytesPerSecond = timeline?.bytesPerSecond ?? 32_000
        let limit = max(1, Int(Double(bytesPerSecond) * configuration.replayLimit.seconds))
        buffer = ReplayBuffer(limit: limit, alignment: timeline?.bytesPerFrame ?? 1)
        state = .connecting
        logger.info("deepgram: connecting", metadata: ["url": "\(url.absoluteString)"])
        supervisor = Task(executorPreference: configuration.executor) { await self.runSession() }
        guard waitForOpen else { return }
        // Cancelling the task that waits (an app's view going away while an unreachable server
        // is retried) ends the session: it kept retrying for a minute.
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { openWaiter = $0 }
        } onCancel: {
            Task { await self.cancelWhileOpening() }
        }
        try result.get()
    }

    /// `start()`'s task was cancelled before the stream opened.
    private func cancelWhileOpening() async {
        guard openWaiter != nil, !ended else { return }
        supervisor?.cancel()
        let ws = conn?.ws
        end(code: 1000, reason: "cancelled", error: LiveError(kind: .cancelled, message: "start() was cancelled before the stream opened", isFatal: true))
        await ws?.close(code: 1000, reason: "")
    }

    /// Queues audio (bytes in the `encoding` given to `start`). Empty input is ignored (an
    /// empty binary frame would end the stream). Suspends only when connected and the unsent
    /// backlog fills the replay limit; while disconnected the oldest audio is dropped instead,
    /// and an `.error` event says how many seconds were lost. Cancelling the task that waits
    /// for room ends the wait: it throws (not fatal) and the audio not yet queued is not sent.
    public func send(_ audio: [UInt8]) async throws(LiveError) {
        if let fatalError { throw fatalError }
        guard state != .idle else {
            throw LiveError(kind: .usage, message: "send() before start(): start the client first", isFatal: false)
        }
        guard !ended, !finishing else {
            throw LiveError(kind: .usage, message: "send() after finish(): the stream is closing or closed", isFatal: false)
        }
        guard !audio.isEmpty else { return }
        let largest = max(1, buffer.limit / 2)
        if audio.count <= largest { return try await enqueue(audio) }
        var rest = audio[...]
        while !rest.isEmpty {
            let piece = Array(rest.prefix(largest))
            rest = rest.dropFirst(piece.count)
            try await enqueue(piece)
        }
    }

    /// Sends Finalize (after all audio given so far). With a timeout, waits that long for the
    /// `from_finalize` result and returns it (nil if none came: it is not guaranteed, or when
    /// the waiting task is cancelled; the Finalize is sent all the same). With `multichannel`
    /// each channel answers on its own: the first answer is returned, and every one comes as a
    /// `.results` event.
    @discardableResult
    public func finalize(waitFor timeout: Duration? = nil) async throws(LiveError) -> Results? {
        if let fatalError { throw fatalError }
        guard state != .idle, !ended, !finishing else {
            throw LiveError(kind: .usage, message: "finalize() needs an open stream (call start() first; not after finish())", isFatal: false)
        }
        pendingControls.append((buffer.endOffset, .finalize))
        wakePump()
        guard let timeout else { return nil }
        let id = nextWaiterID; nextWaiterID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { c in
                finalizeWaiters[id] = c
                Task(executorPreference: configuration.executor) { [weak self] in
                    try? await Task.sleep(for: timeout)
                    await self?.resumeFinalize(id, with: nil)
                }
            }
        } onCancel: {
            Task { await self.resumeFinalize(id, with: nil) }
        }
    }

    /// Sends a KeepAlive (the SDKs' `keep_alive()` / `send_keep_alive()`), for an app that turned
    /// the automatic one off (`keepAliveInterval = nil`) and keeps an idle stream open itself.
    /// It goes after the audio given so far; while disconnected it is not kept (a new connection
    /// needs audio, which KeepAlive is not). Throws (`usage`) without an open stream.
    public func keepAlive() throws(LiveError) {
        if let fatalError { throw fatalError }
        guard state != .idle, !ended, !finishing else {
            throw LiveError(kind: .usage, message: "keepAlive() needs an open stream (call start() first; not after finish())", isFatal: false)
        }
        guard conn != nil, fault == nil else { return }
        if !pendingControls.contains(where: { $0.message == .keepAlive }) { pendingControls.append((buffer.endOffset, .keepAlive)) }
        wakePump()
    }

    /// Changes the open stream's keyterms and formatting features without a new connection
    /// (`Configure`, newest API): `keyterms` replaces the list (empty clears it, nil keeps it),
    /// `features` turns features on or off (e.g. `["numerals": true]`). Waits for the server's
    /// `ConfigureSuccess` up to `timeout`; throws (not fatal, the stream goes on) on a
    /// `ConfigureFailure` (its code and description), on no answer, or while another Configure
    /// waits. An applied Configure is sent again after every reconnect, so the stream keeps it.
    public func configure(keyterms: [String]? = nil, features: [String: Bool]? = nil,
                          waitFor timeout: Duration = .seconds(10)) async throws(LiveError) -> ConfigureSuccess {
        if let fatalError { throw fatalError }
        guard state != .idle, !ended, !finishing else {
            throw LiveError(kind: .usage, message: "configure() needs an open stream (call start() first; not after finish())", isFatal: false)
        }
        guard configureWaiter == nil else {
            throw LiveError(kind: .usage, message: "a Configure is still waiting for its answer; send the next one after it", isFatal: false)
        }
        let message = ControlMessage.configure(keyterms: keyterms, features: features)
        configurePending = message
        pendingControls.append((buffer.endOffset, message))
        wakePump()
        let id = nextWaiterID; nextWaiterID += 1
        // A cancelled task stops waiting at once (it waited the whole timeout, and every other
        // configure meanwhile was refused; found in QA). The Configure has gone or goes all the
        // same, and is kept for reconnects if the server accepts it.
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<ConfigureSuccess, LiveError>, Never>) in
                configureWaiter = (id, c)
                Task(executorPreference: configuration.executor) { [weak self] in
                    try? await Task.sleep(for: timeout)
                    await self?.resumeConfigure(id, with: .failure(LiveError(
                        kind: .timeout, message: "the server did not answer the Configure within \(timeout)", isFatal: false, requestID: self?.requestID)))
                }
            }
        } onCancel: {
            Task { await self.cancelConfigureWait(id) }
        }
        return try result.get()
    }

    /// The task waiting for Configure `id` was cancelled: its wait ends (the Configure stays
    /// pending: a `ConfigureSuccess` still applies it).
    private func cancelConfigureWait(_ id: Int) {
        guard let w = configureWaiter, w.id == id else { return }
        configureWaiter = nil
        w.continuation.resume(returning: .failure(LiveError(kind: .cancelled, message: "configure() was cancelled while it waited for the "
                                                            + "server's answer; the Configure was sent all the same", isFatal: false)))
    }

    private func resumeConfigure(_ id: Int?, with result: Result<ConfigureSuccess, LiveError>) {
        guard let w = configureWaiter, id == nil || w.id == id else { return }
        configureWaiter = nil
        if case .failure = result { configurePending = nil }
        w.continuation.resume(returning: result)
    }

    /// Ends the stream cleanly: sends the remaining audio and CloseStream, then waits (up to
    /// `finishTimeout` after CloseStream) for the last results, Metadata and the server's close.
    /// Returns after `.close` has been emitted and the callbacks have run (called from a
    /// callback, once `.close` has been emitted: the callbacks after it run when it returns).
    /// Returns whether the stream ended without a fatal error (`fatalFailure` says which).
    ///
    /// Cancelling the task that waits closes the stream at once, as `cancel()` does (late
    /// results are not waited for), and returns false; so does a finish called from a task
    /// already cancelled.
    @discardableResult
    public func finish() async -> Bool {
        if state != .idle, !ended, !finishing {
            finishing = true
            state = conn == nil ? state : .finishing
            pendingControls.append((buffer.endOffset, .closeStream))
            wakePump()
            wakeSpaceWaiters()
            // Waiting to reconnect: try now. The user is leaving, and the audio not yet
            // answered is lost unless a connection takes it within the time left. Not when the
            // server asked to wait (Retry-After): it was tried again at once while the message
            // said "reconnecting in 60 s".
            if !backoffAskedByServer { endBackoff(nil) }
        } else if state == .idle {
            end(code: 1000, reason: "finished before start", error: nil)
        }
        await withTaskCancellationHandler {
            await waitEnded()
        } onCancel: {
            Task { await self.cancelFinish() }
        }
        await hub.drained()
        return fatalError == nil && !finishCancelled
    }

    /// A task waiting in `finish()` was cancelled: the stream closes now.
    private func cancelFinish() async {
        guard !ended else { return }
        finishCancelled = true
        await cancel()
    }

    /// Closes at once without waiting for late results (for cancellation).
    public func cancel() async {
        guard !ended else { return }
        supervisor?.cancel()
        let ws = conn?.ws
        end(code: 1000, reason: "cancelled", error: nil)
        await ws?.close(code: 1000, reason: "")
    }

    // MARK: Sending

    private func enqueue(_ piece: [UInt8]) async throws(LiveError) {
        while true {
            if let fatalError { throw fatalError }
            if ended { throw LiveError(kind: .usage, message: "the stream is closed", isFatal: false) }
            let connected = conn != nil && fault == nil
            // While disconnected nothing held counts as sent: what the lost connection got
            // without a final for it will be replayed, so dropping it loses audio too (and is
            // reported as such). Audio that can wait drops nothing and waits for the reconnect,
            // and while connected waits for finals before dropping what they have not answered.
            let waitForAnswers = connected && configuration.audioCanWait && timeline != nil && !unansweredMayGo
            let heldFrom = buffer.startOffset
            let room = buffer.makeRoom(for: piece.count, sentOffset: connected ? sentOffset : buffer.startOffset,
                                       mayDropUnsent: !connected && !configuration.audioCanWait, mayDropSent: !waitForAnswers)
            if room.droppedUnsent > 0 {
                sentOffset = max(sentOffset, buffer.startOffset)
                // Audio sent but never answered, dropped before the connection was lost, is lost
                // with it: counted here too, since the reconnect no longer sees the gap.
                let unanswered = timeline == nil ? 0 : max(0, heldFrom - answeredOffset)
                stats.bytesLost += room.droppedUnsent + unanswered
                if timeline != nil, conn != nil {
                    lostSpan = (lostSpan?.lowerBound ?? heldFrom - unanswered) ..< buffer.startOffset
                }
                answeredOffset = max(answeredOffset, buffer.startOffset)   // reported here
                lostUnreported += room.droppedUnsent + unanswered
                // Said once the faulted connection has stopped answering: until then a late
                // final may still caption part of it.
                if conn == nil { reportLoss(force: false) }
            }
            if room.fits {
                endAnswerWait()
                break
            }
            if waitForAnswers && !waitingForAnswers && sentOffset >= buffer.endOffset { startAnswerWait() }
            // A cancelled task stops waiting (it waited on for as long as the stream was stuck).
            if Task.isCancelled { throw Self.cancelledSend }
            await withTaskCancellationHandler {
                await withCheckedContinuation { spaceWaiters.append($0) }
            } onCancel: {
                Task { await self.wakeSpaceWaiters() }
            }
        }
        buffer.append(piece)
        stats.bytesGiven += Int64(piece.count)
        wakePump()
    }

    static let cancelledSend = LiveError(kind: .cancelled, message: "send() was cancelled while it waited for room: that audio was not queued",
                                         isFatal: false)

    private func reportLoss(force: Bool) {
        guard lostUnreported > 0 else { return }
        let now = ContinuousClock.now
        if !force, let last = lastLossReport, last.duration(to: now) < Self.lossReportInterval { return }
        lastLossReport = now
        let what: String
        let seconds = timeline?.seconds(forBytes: lostUnreported)
        if let seconds {
            what = NumberText.fixed(seconds, decimals: 1) + " s of audio"
        } else {
            what = "\(lostUnreported) bytes of audio"
        }
        // The oldest audio goes first, so what was lost since the last report ends where the
        // audio still held (or answered) begins.
        let lostFrom = timeline?.seconds(forBytes: max(0, max(answeredOffset, buffer.startOffset) - lostUnreported))
        lostUnreported = 0
        let limit = NumberText.fixed(configuration.replayLimit.seconds, decimals: 0)
        // The amount first: on an 80-column meter row the rest is cut off.
        var e = LiveError(kind: .audioLost, message: "\(what) lost, with no captions: dropped the oldest (disconnected for longer than the \(limit) s of audio kept for a reconnect)", isFatal: false)
        e.lostSeconds = seconds
        e.lostFrom = lostFrom
        logger.warning("deepgram: \(e.message)")
        hub.emit(.error(e))
    }

    /// `send` waits for finals to answer the audio already sent: a quiet server is asked for
    /// them with a Finalize (once a wait); after `replayLimit` without any, the unanswered audio
    /// may be dropped from the buffer (the server is slow, not gone: pings are answered).
    private func startAnswerWait() {
        answerWaitID += 1
        let id = answerWaitID
        let began = ContinuousClock.now
        waitingForAnswers = true
        let giveUp = configuration.replayLimit
        Task(executorPreference: configuration.executor) { [weak self] in
            var finalizedAt: Duration?
            while true {
                try? await Task.sleep(for: .milliseconds(500))
                guard let self, await self.answerWaitGoesOn(id) else { return }
                let waited = began.duration(to: .now)
                if waited >= giveUp {
                    await self.letUnansweredGo()
                    return
                }
                if finalizedAt == nil, await self.answerWaitNeedsFinalize(waited: waited) {
                    finalizedAt = waited
                    await self.askForFinals()
                }
                if let f = finalizedAt, waited - f >= Self.finalizeUnanswered, await self.heardEverythingSent() {
                    await self.noFinalsStall(unansweredFor: waited - f)
                    return
                }
            }
        }
    }

    /// Whether the current connection's interim results reach (within 1.5 s) the end of the
    /// audio sent on it: the server has heard it all, so its finals are not merely behind.
    private func heardEverythingSent() -> Bool {
        guard let c = conn, fault == nil, let timeline else { return false }
        return interimReach >= timeline.seconds(forBytes: sentOffset - c.offset.startByte) - 1.5
    }

    /// The server heard all the audio sent (its interims say so) yet made no final for it and
    /// left a Finalize unanswered: waiting more only stalled the file being read, for a minute at
    /// a time, with nothing said. The connection is dropped and the audio sent again on a new
    /// one; a second such stall without a final between them ends the session.
    private func noFinalsStall(unansweredFor: Duration) {
        guard let c = conn, fault == nil, !ended else { return }
        noFinalStalls += 1
        let secs = NumberText.fixed(unansweredFor.seconds, decimals: 0)
        let heard = NumberText.fixed(interimReach, decimals: 1)
        if noFinalStalls >= 2 {
            let from = timeline.map { NumberText.fixed($0.seconds(forBytes: answeredOffset), decimals: 1) } ?? "?"
            let e = LiveError(kind: .timeout, message: "the server sends interim results but no final ones, again: it heard the audio (to \(heard) s on this connection) and left a Finalize unanswered for \(secs) s; the audio from \(from) s has no captions (check the server: a self-hosted one may be overloaded or misconfigured)", isFatal: true, requestID: c.requestID)
            logger.error("deepgram: \(e.message)")
            supervisor?.cancel()
            end(code: 1000, reason: "no final results", error: e)
            Task(executorPreference: configuration.executor) { await c.ws.close(code: 1000, reason: "") }
            return
        }
        stalledWithoutFinals = true
        let e = LiveError(kind: .timeout, message: "the server heard the audio (its interim results reach \(heard) s on this connection) but made no final result for it and left a Finalize unanswered for \(secs) s; sending the audio again on a new connection", isFatal: false, requestID: c.requestID)
        logger.warning("deepgram: \(e.message)")
        connectionFault(c.generation, e)
    }

    private func answerWaitGoesOn(_ id: Int) -> Bool { id == answerWaitID && waitingForAnswers && !ended }

    /// An answer came, the buffer has room, or a new connection opened: the wait is over (its
    /// timer stops) and what the next one may need is kept again.
    private func endAnswerWait() {
        guard waitingForAnswers || unansweredMayGo else { return }
        waitingForAnswers = false
        answerWaitID += 1
        unansweredMayGo = false
    }

    private func answerWaitNeedsFinalize(waited: Duration) -> Bool {
        lastResultAt.duration(to: .now) >= Self.answerWaitQuiet || waited >= Self.answerWaitFinalize
    }

    private func askForFinals() {
        if !pendingControls.contains(where: { $0.message == .finalize }) {
            pendingControls.append((sentOffset, .finalize))
            wakePump()
        }
        logger.info("deepgram: no final for the audio sent; sent Finalize")
    }

    private func letUnansweredGo() {
        unansweredMayGo = true
        let e = LiveError(kind: .timeout, message: "no final result for \(NumberText.fixed(configuration.replayLimit.seconds, decimals: 0)) s of audio sent: the server is slow or not answering; audio without captions so far is no longer kept for a reconnect", isFatal: false, requestID: conn?.requestID)
        logger.warning("deepgram: \(e.message)")
        // Said, not only logged (a file stalled a minute at a time with nothing on screen), once
        // until a final comes.
        if !saidNoFinals { saidNoFinals = true; hub.emit(.error(e)) }
        wakeSpaceWaiters()
    }

    private func wakePump() {
        pumpWaiter?.resume(); pumpWaiter = nil
        audioWaiter?.resume(); audioWaiter = nil
    }

    /// Waits until audio is given after `givenBefore` bytes, or the stream is finishing or over.
    private func waitForAudio(givenBefore: Int64) async {
        while !ended, !finishing, stats.bytesGiven == givenBefore, !Task.isCancelled {
            await withCheckedContinuation { audioWaiter = $0 }
        }
    }

    private func wakeSpaceWaiters() {
        let w = spaceWaiters; spaceWaiters = []
        for c in w { c.resume() }
    }

    /// Why a result's `channel_index` cannot be one of this stream's channels, or nil: its
    /// channel must be below its own count and, when the options say how many channels were
    /// sent (one without multichannel), below that too.
    static func channelProblem(_ index: [Int], options: LiveOptions) -> String? {
        guard let ch = index.first else { return nil }
        if index.count >= 2, ch >= index[1] { return "for channel \(ch) of \(index[1]) (channel_index \(index))" }
        if let channels = options.sentChannels, ch >= channels {
            return "for channel \(ch) of a stream of \(NumberText.counted(channels, "channel")) (channel_index \(index))"
        }
        return nil
    }

    /// How far (absolute bytes) final `r` on connection `c` answers the audio: its end, or with
    /// `multichannel` the least of every channel's answers so far (trimming at one channel's
    /// final dropped audio another channel had not answered: after a reconnect, that channel's
    /// captions for it were lost without a word). Nil when nothing more is answered.
    private func answered(by r: Results, on c: Connection) -> Int64? {
        guard let covered = c.offset.absoluteByte(atConnectionTime: r.end) else { return nil }
        let channels = options.sentChannels ?? 1
        guard channels > 1 else { return covered }
        let ch = r.channelIndex.first ?? 0
        guard (0 ..< channels).contains(ch) else { return nil }
        answeredByChannel[ch] = max(answeredByChannel[ch] ?? 0, covered)
        guard answeredByChannel.count == channels else { return nil }
        return answeredByChannel.values.min()
    }

    /// For a multichannel stream: leaves out of `r` (session time, channel `ch`, on connection
    /// `c`) what that channel's finals on an earlier connection already said; returns true when
    /// nothing of it is left to pass on. Records how far the channel's finals reach.
    private func replayedAnswer(_ r: inout Results, channel ch: Int, on c: Connection) -> Bool {
        guard (options.sentChannels ?? 1) > 1 else { return false }
        if let reach = finalReachByChannel[ch], reach.generation < c.generation, r.start < reach.end - 0.001 {
            if r.end <= reach.end + 0.001 { return true }
            let had = !r.hasNoWords
            r = r.dropping(before: reach.end)
            if had && r.hasNoWords { return true }
        }
        if r.isFinal, r.end > (finalReachByChannel[ch]?.end ?? -.infinity) {
            finalReachByChannel[ch] = (r.end, c.generation)
        }
        return false
    }

    private func isCurrent(_ gen: Int) -> Bool {
        conn?.generation == gen && fault == nil && !ended
    }

    /// Sends audio and due control messages on connection `gen`, in order, paced.
    private func pump(_ ws: WebSocket, gen: Int) async {
        while isCurrent(gen), !Task.isCancelled {
            guard let c = conn else { return }
            if let i = pendingControls.firstIndex(where: { $0.after <= sentOffset }) {
                let (after, msg) = pendingControls.remove(at: i)
                if msg == .finalize { finalizesInFlight.append(after) }
                // Marked before the send returns: the server's answer (Metadata) may be handled
                // first, and Metadata counts as the end of the stream only after CloseStream.
                if msg == .closeStream { closeStreamSent = true }
                do { try await ws.send(text: msg.json) } catch { connectionFault(gen, error); return }
                lastSent = .now
                if msg == .keepAlive { stats.keepAlivesSent += 1 }
                if msg == .closeStream, isCurrent(gen) {
                    logger.debug("deepgram: CloseStream sent")
                    closeStreamSentAt = .now
                    startFinishTimer(gen)
                }
                continue
            }
            if sentOffset < buffer.startOffset { sentOffset = buffer.startOffset }
            if sentOffset < buffer.endOffset {
                if let timeline, let wait = configuration.replayPacing.wait(
                    sent: timeline.seconds(forBytes: sentOffset - c.offset.startByte),
                    elapsed: c.openedAt.duration(to: .now)) {
                    try? await Task.sleep(for: wait)
                    continue
                }
                guard let chunk = buffer.bytes(from: sentOffset, maxLength: configuration.maxAudioFrame), !chunk.isEmpty else {
                    continue
                }
                // Count the chunk as sent before awaiting: the server may answer with a final
                // covering it before `send` returns, and that final must trim the buffer.
                sentOffset += Int64(chunk.count)
                stats.bytesSent += Int64(chunk.count)
                do { try await ws.send(binary: chunk) } catch { connectionFault(gen, error); return }
                guard isCurrent(gen) else { return }
                lastSent = .now
                if timeline == nil { buffer.trim(upTo: sentOffset) }
                wakeSpaceWaiters()
                continue
            }
            await withCheckedContinuation { pumpWaiter = $0 }
        }
    }

    /// Sends KeepAlive on connection `gen` whenever nothing went out for the interval.
    private func keepAliveLoop(_ ws: WebSocket, gen: Int, interval: Duration) async {
        let schedule = KeepAliveSchedule(interval: interval)
        while isCurrent(gen), !Task.isCancelled, !closeStreamSent {
            switch schedule.decide(now: .now, lastSent: lastSent) {
            case .wait(let d):
                // An eighth of the interval late at most, half a second at most (KeepAlive every
                // 4–4.5 s by default; Deepgram closes after ~10 s): while audio flows, the check
                // rides on a send's wake-up instead of its own.
                try? await SerialThreadExecutor.sleep(for: d, leeway: min(interval / 8, .milliseconds(500)))
            case .sendNow:
                do { try await ws.send(text: ControlMessage.keepAlive.json) } catch {
                    connectionFault(gen, error); return
                }
                guard isCurrent(gen) else { return }
                lastSent = .now
                stats.keepAlivesSent += 1
                logger.trace("deepgram: KeepAlive sent")
            }
        }
    }

    /// A send failed: the connection is broken even if reading has not noticed yet.
    private func connectionFault(_ gen: Int, _ error: Error) {
        guard conn?.generation == gen, fault == nil, !ended, let ws = conn?.ws else { return }
        fault = error
        logger.info("deepgram: send failed, dropping the connection: \(credential.redact("\(error)"))")
        wakeSpaceWaiters()
        Task(executorPreference: configuration.executor) { await ws.close(code: 1001, reason: "") }
    }

    private func startFinishTimer(_ gen: Int) {
        let timeout = configuration.finishTimeout
        finishProgressMark = answeredOffset
        finishInterimMark = interimReach
        connectionTasks.append(Task(executorPreference: configuration.executor) { [weak self] in
            try? await Task.sleep(for: timeout)
            if Task.isCancelled { return }
            await self?.finishTimedOut(gen)
        })
    }

    /// After CloseStream, Metadata is the server's last word: its close follows at once. A
    /// server that never closes (found in QA: 10 s of waiting, then "the engine stopped
    /// answering" though all was transcribed) is closed from here after `closeGrace`.
    private func startCloseGrace(_ gen: Int) {
        let grace = min(Self.closeGrace, configuration.finishTimeout)
        connectionTasks.append(Task(executorPreference: configuration.executor) { [weak self] in
            try? await Task.sleep(for: grace)
            if Task.isCancelled { return }
            await self?.closeGraceEnded(gen)
        })
    }

    /// The `User-Agent` of the upgrade request unless `webSocket.handshakeHeaders` has one.
    public static let userAgent = "captty/\(CapttyVersion.string)"

    /// How long the server gets to close after its Metadata.
    static let closeGrace: Duration = .seconds(1)

    private func closeGraceEnded(_ gen: Int) async {
        guard !ended, conn?.generation == gen, metadataReceived else { return }
        let ws = conn?.ws
        logger.debug("deepgram: the server sent Metadata but did not close within \(Self.closeGrace); closing")
        supervisor?.cancel()
        end(code: 1000, reason: "", error: nil)
        await ws?.close(code: 1000, reason: "")
    }

    private func finishTimedOut(_ gen: Int) async {
        guard !ended, conn?.generation == gen else { return }
        let ws = conn?.ws
        if !finishedByServer, timeline != nil, answeredOffset > finishProgressMark {
            // Finals still coming: a server working through a backlog (an offline engine slower
            // than the upload) is not stalled. The timeout counts from its latest answer.
            logger.debug("deepgram: finals still arriving after CloseStream; waiting another \(configuration.finishTimeout)")
            finishInterimExtensions = 0
            startFinishTimer(gen)
            return
        }
        if !finishedByServer, timeline != nil, interimReach > finishInterimMark + 0.1,
           finishInterimExtensions < Self.maxFinishInterimExtensions {
            // No final yet, but the interim results moved on: the server is still working
            // through the audio (four clients on a 2-core `captty serve` took over 10 s per final),
            // and sending it all again would only add to its load.
            finishInterimExtensions += 1
            logger.debug("deepgram: interim results still advancing after CloseStream; waiting another \(configuration.finishTimeout)")
            startFinishTimer(gen)
            return
        }
        if !finishedByServer, let timeline {
            // Audio with no final results for it: closing would end the session as if all was
            // transcribed (exit 0, the end of the recording silently missing). A server that
            // stalled is left for a new connection, which gets that audio again; a second
            // stall ends the stream with the loss said.
            let left = NumberText.fixed(timeline.seconds(forBytes: buffer.endOffset - buffer.startOffset), decimals: 1)
            let from = NumberText.fixed(timeline.seconds(forBytes: buffer.startOffset), decimals: 1)
            finishTimeouts += 1
            // How long it really waited: the timeout counts again from each answer.
            let waited = closeStreamSentAt.map { ContinuousClock.now - $0 } ?? configuration.finishTimeout
            let within = "within \(NumberText.fixed(waited.seconds, decimals: 0)) s of CloseStream (no final for \(NumberText.fixed(configuration.finishTimeout.seconds, decimals: 0)) s)"
            if finishTimeouts <= 1 && configuration.reconnect.maxAttempts > 0 {
                let e = LiveError(kind: .timeout, message: "the server did not finish the stream \(within), and \(left) s of audio (from \(from) s) have no final results; sending them again on a new connection", isFatal: false, requestID: conn?.requestID)
                connectionFault(gen, e)
                return
            }
            let again = finishTimeouts > 1 ? ", again" : ""
            let e = LiveError(kind: .timeout, message: "the server did not finish the stream \(within)\(again); the last \(left) s of audio (from \(from) s) have no captions", isFatal: true, requestID: conn?.requestID)
            logger.error("deepgram: \(e.message)")
            supervisor?.cancel()
            end(code: 1000, reason: "finish timed out", error: e)
            await ws?.close(code: 1000, reason: "")
            return
        }
        let e = LiveError(kind: .timeout, message: "the server did not close the stream within \(configuration.finishTimeout) of CloseStream; closing without waiting for more results", isFatal: false, requestID: conn?.requestID)
        logger.warning("deepgram: \(e.message)")
        hub.emit(.error(e))
        supervisor?.cancel()
        end(code: 1000, reason: "finish timed out", error: nil)
        await ws?.close(code: 1000, reason: "")
    }

    // MARK: Session

    private func runSession() async {
        guard let url else { return }
        var attempt = 0
        var connectedBefore = false
        var wsConfig = configuration.webSocket
        if let authorization = credential.authorizationHeader {
            wsConfig.handshakeHeaders.removeAll { $0.0.lowercased() == "authorization" }
            wsConfig.handshakeHeaders.append(("Authorization", authorization))
        }
        // Named, as the SDKs name themselves (`deepgram-sdk/…`), unless the caller names itself.
        if !wsConfig.handshakeHeaders.contains(where: { $0.0.lowercased() == "user-agent" }) {
            wsConfig.handshakeHeaders.append(("User-Agent", LiveClient.userAgent))
        }
        // On captty's own executor thread, that thread's poll also reads the socket: a result
        // then reaches the client's tasks with one wake-up, not a hop from the I/O thread.
        if wsConfig.readLoop == nil, let executor = configuration.executor as? SerialThreadExecutor {
            wsConfig.readLoop = { fd, onReadable in
                let id = executor.watch(fd: fd, onReadable: onReadable)
                return { executor.unwatch(id) }
            }
        }
        while !ended, !Task.isCancelled {
            let ws: WebSocket
            do {
                ws = try await WebSocket.connect(to: url, configuration: wsConfig)
            } catch {
                if ended || Task.isCancelled { return }
                let failure = ConnectionFailure.from(error, credential: credential)
                if case .reconnect = failure.action {
                    attempt += 1
                    let limit = configuration.reconnect.maxAttemptsBeforeFirstContact
                    if !connectedBefore, failure.unreached, attempt > limit, configuration.reconnect.maxAttempts > 0 {
                        // Nothing has ever answered at this address: say so in seconds.
                        var e = fatalize(failure.error)
                        e.message += " (gave up after \(1 + limit) tries: nothing answered at this address since the session started; check the URL and that the server is running)"
                        end(code: 1006, reason: e.message, error: e)
                        return
                    }
                    if await backOff(attempt: attempt, after: failure.error, retryAfter: failure.retryAfter) { continue } else { return }
                }
                if connectedBefore, failure.isGlitchOnceConnected {
                    // The same URL answered properly earlier in this session: a proxy, a load
                    // balancer or a captive portal in the way, not a wrong address. Tried again.
                    var e = failure.error
                    e.isFatal = false
                    e.message += " (this server answered properly earlier in the session: trying again)"
                    attempt += 1
                    if await backOff(attempt: attempt, after: e, retryAfter: failure.retryAfter) { continue } else { return }
                }
                end(code: 1006, reason: failure.error.message, error: failure.error.isFatal ? failure.error : fatalize(failure.error))
                return
            }
            connectedBefore = true
            if ended || Task.isCancelled {
                await ws.close(code: 1000, reason: "")
                return
            }
            let coveredBefore = buffer.startOffset
            let givenBefore = stats.bytesGiven
            let servedFrom = ContinuousClock.now
            let outcome = await serve(ws)
            if ended { return }
            shortLivedStreak = servedFrom.duration(to: .now) < Self.healthyConnection ? shortLivedStreak + 1 : 0
            // While finishing, only audio newly covered by finals is progress: a server that
            // answers every CloseStream with some result and a 1011 must not reset the attempts
            // forever.
            if madeProgress && !stalledWithoutFinals && (!finishing || buffer.startOffset > coveredBefore) {
                attempt = 0; attemptsWhileFinishing = 0
            }
            var failure: ConnectionFailure
            switch outcome {
            case .failed(let error, _):
                failure = ConnectionFailure.from(error, credential: credential, requestID: outcome.requestID)
            case .closed(let code, let reason, let rid):
                failure = ConnectionFailure.closed(code: code, reason: reason, credential: credential, requestID: rid)
            }
            if closeStreamSent, failure.error.dgError?.hasPrefix("NET-0001") == true {
                // Not for want of audio: CloseStream had gone out (found in QA: every retry said
                // no audio or KeepAlive had reached the server for ~10 s).
                failure.error.message = failure.error.message.replacingAll(
                    DisconnectClassifier.idleExplanation, with: "the server closed the stream as idle after CloseStream, before finishing it")
            }
            if finishing, nothingLeftToTranscribe {
                // Every byte given was answered by a final (or the server sent Metadata): a new
                // connection could only send CloseStream on an empty stream. A close that would
                // reconnect (1011 after CloseStream, a drop) ends the finished stream instead, and
                // so does one that refuses to go on (a 4000-range close): nothing is lost, and
                // the session was failed with a complete transcript (found in QA). Either is said.
                switch failure.action {
                case .reconnect, .fatal:
                    var e = failure.error
                    e.isFatal = false
                    if case .fatal = failure.action {
                        e.message = "Deepgram closed the stream after all audio was transcribed: "
                            + DisconnectClassifier.explain(closeCode: failure.error.closeCode ?? 0, reason: failure.error.dgError ?? "")
                            + "; nothing was lost"
                    } else {
                        e.message = "\(e.message), after all audio was transcribed; the stream ends here"
                    }
                    logger.info("deepgram: \(e.message)")
                    hub.emit(.error(e))
                case .stop: break
                }
                end(code: failure.error.closeCode ?? 1000, reason: failure.error.dgError ?? "", error: nil)
                return
            }
            switch failure.action {
            case .stop where !closeStreamSent || !finishedByServer:
                // A normal close (1000/1001/1005) before CloseStream went out on this connection
                // (even while finishing: the audio is not all sent yet), or after it but before
                // the server finished the stream (no Metadata, audio not covered): it is done with
                // this connection (a graceful restart sends 1001, a proxy may close with 1000),
                // not with the audio, which is still coming. Stopping would end the captions
                // mid-sentence; a new connection resumes with the audio not yet transcribed.
                var e = failure.error
                e.message = closeStreamSent ? "\(e.message), before the server had finished the stream"
                                            : "\(e.message), though audio was still being sent"
                if closeStreamSent {
                    unfinishedNormalCloses += 1
                    if unfinishedNormalCloses >= 2 {
                        let pending = timeline.map { " (\(NumberText.fixed(Double(buffer.endOffset - buffer.startOffset) / Double($0.bytesPerSecond), decimals: 1)) s of audio have no final results)" } ?? ""
                        e = fatalize(e)
                        e.message = "\(failure.error.message) again after CloseStream, without finishing the stream\(pending); "
                            + "it was sent again once and is not sent a third time"
                        end(code: failure.error.closeCode ?? 1000, reason: failure.error.dgError ?? "", error: e)
                        return
                    }
                }
                attempt += 1
                if await backOff(attempt: attempt, after: e) { continue } else { return }
            case .stop:
                end(code: failure.error.closeCode ?? 1000, reason: failure.error.dgError ?? "", error: nil)
                return
            case .fatal:
                end(code: failure.error.closeCode ?? 1006, reason: failure.error.dgError ?? failure.error.message, error: failure.error)
                return
            case .reconnect where !finishing && !stalledWithoutFinals
                                  && (stats.bytesGiven == givenBefore || failure.error.dgError?.hasPrefix("NET-0001") == true)
                                  && sentOffset >= buffer.endOffset && (timeline == nil || buffer.isEmpty):
                // (Not while audio without finals is held, which a new connection sends again, nor
                // when the client itself dropped a server that made no finals: a file whose
                // reader waited for room in the full buffer then waited for ever, each side for
                // the other; found by QA under load.)
                // Closed for want of audio: none was given while the connection was open, and
                // none waits (Deepgram closes a stream without audio after ~10 s, NET-0001;
                // KeepAlive alone does not keep a new one). Reconnecting at once made a new
                // request every 10 s and used up the attempts: a session started with the
                // microphone muted ended fatally after about 3 minutes. The next connection
                // opens when there is audio to send.
                // The same for a stream closed as idle (NET-0001) after its audio stopped (a
                // pipe that stalls, a pause): a new connection at once carried KeepAlive alone
                // and was closed again 10 s later (found in QA). Nothing waits to be sent again.
                var e = failure.error
                e.isFatal = false
                let idleAfterAudio = stats.bytesGiven != givenBefore
                e.message += idleAfterAudio ? "; no audio is coming now, so a new connection opens when audio comes"
                                            : "; no audio was sent, so a new connection opens when audio comes"
                logger.info("deepgram: \(e.message)")
                hub.emit(.error(e))
                state = .connecting
                await waitForAudio(givenBefore: stats.bytesGiven)
                attempt = 0
                if ended || Task.isCancelled { return }
                if finishing, nothingLeftToTranscribe {
                    end(code: 1000, reason: "", error: nil)
                    return
                }
            case .reconnect:
                attempt += 1
                if await backOff(attempt: attempt, after: failure.error) { continue } else { return }
            }
        }
    }

    /// After CloseStream, whether the server finished the stream: it sent the Metadata that ends
    /// one, or final results cover all but half a second of the audio sent (a server that
    /// leaves Metadata out). For audio without a timeline (compressed), it cannot be told: yes.
    private var finishedByServer: Bool {
        if metadataReceived { return true }
        guard let timeline else { return true }
        return buffer.endOffset - buffer.startOffset < Int64(timeline.bytesPerSecond / 2)
    }

    /// While finishing, whether a new connection could add nothing: the server sent Metadata
    /// after CloseStream, or finals cover every byte given (compressed audio is not kept once
    /// sent, so there is nothing to replay either).
    private var nothingLeftToTranscribe: Bool {
        (closeStreamSent && metadataReceived) || (buffer.isEmpty && sentOffset >= buffer.endOffset)
    }

    private func fatalize(_ e: LiveError) -> LiveError {
        var e = e; e.isFatal = true; return e
    }

    /// Emits the drop and waits before attempt `attempt`; false when the policy gave up.
    private func backOff(attempt: Int, after error: LiveError, retryAfter: Duration? = nil) async -> Bool {
        let policy = configuration.reconnect
        if finishing { attemptsWhileFinishing += 1 }
        let giveUpFinishing = finishing && attemptsWhileFinishing > policy.maxAttemptsWhileFinishing && policy.maxAttempts > 0
        guard policy.allows(attempt: attempt), !giveUpFinishing else {
            var e = fatalize(error)
            if policy.maxAttempts == 0 {
                e.message = "\(error.message) (reconnecting is disabled)"
            } else if giveUpFinishing {
                e.message = "\(error.message) (gave up after \(policy.maxAttemptsWhileFinishing) reconnect attempts once the audio had ended)"
            } else {
                e.message = "\(error.message) (gave up after \(policy.maxAttempts) reconnect attempts)"
            }
            end(code: error.closeCode ?? 1006, reason: e.message, error: e)
            return false
        }
        // Connections dying young count towards the delay, not towards giving up (they made progress).
        let delay = policy.delay(forAttempt: attempt + max(0, shortLivedStreak - 1), retryAfter: retryAfter)
        backoffAskedByServer = retryAfter != nil
        logger.warning("deepgram: \(error.message); reconnect attempt \(attempt) in \(delay)")
        hub.emit(.error(error))
        hub.emit(.reconnecting(attempt: attempt, delay: delay))
        state = .reconnecting(attempt: attempt)
        stats.reconnects += 1
        if finishing {
            // Already finishing: wait out the backoff (a dead server must not be hammered).
            try? await Task.sleep(for: delay)
        } else {
            await backoffSleep(delay)
        }
        return !ended && !Task.isCancelled
    }

    /// Sleeps `delay`, or less if `finish()` or the end comes first.
    private func backoffSleep(_ delay: Duration) async {
        let id = nextBackoffID
        nextBackoffID += 1
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            backoffWaiter = (id, c)
            Task(executorPreference: configuration.executor) { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.endBackoff(id)
            }
        }
    }

    /// Ends the backoff wait `id` (any, for nil) if it is still running.
    private func endBackoff(_ id: Int?) {
        guard let w = backoffWaiter, id == nil || w.id == id else { return }
        backoffWaiter = nil
        w.continuation.resume()
    }

    private enum Outcome {
        case closed(code: Int, reason: String, requestID: String?)
        case failed(Error, requestID: String?)
        var requestID: String? {
            switch self { case .closed(_, _, let r), .failed(_, let r): return r }
        }
    }

    /// Runs one open connection until it ends.
    private func serve(_ ws: WebSocket) async -> Outcome {
        generation += 1
        let gen = generation
        let rid = ws.responseHeaders["dg-request-id"].map { ServerText.printable(credential.redact($0)) }
        let offset: TimestampOffset
        // Replayed: what an earlier connection was sent and did not answer, sent again (audio
        // first sent now, held while disconnected, is not a replay).
        let sentBefore = min(sentOffset, buffer.endOffset)
        if let timeline {
            sentOffset = buffer.startOffset
            offset = TimestampOffset(startByte: buffer.startOffset, timeline: timeline)
        } else {
            sentOffset = max(sentOffset, buffer.startOffset)
            offset = TimestampOffset(seconds: lastFinalEnd, startByte: sentOffset)
        }
        let replay = max(0, sentBefore - sentOffset)
        if stats.connections > 0 { stats.bytesReplayed += replay }
        // A wait for answers starts over on a new connection: the Finalize it sent went with the
        // old one, and its clock must not let the replayed audio go early.
        endAnswerWait()
        if let timeline, stats.connections > 0, buffer.startOffset > answeredOffset {
            // Sent, never answered, and no longer held (live audio cannot wait for answers):
            // it cannot be sent again, so it has no captions. Said, not skipped silently.
            let gap = buffer.startOffset - answeredOffset
            stats.bytesLost += gap
            let seconds = timeline.seconds(forBytes: gap)
            let from = NumberText.fixed(timeline.seconds(forBytes: answeredOffset), decimals: 1) + " s"
            var e = LiveError(kind: .audioLost, message: "\(NumberText.fixed(seconds, decimals: 1)) s of audio (from \(from)) had been sent without captions when the connection dropped and was no longer kept to send again: it has no captions", isFatal: false)
            e.lostSeconds = seconds
            e.lostFrom = timeline.seconds(forBytes: answeredOffset)
            logger.warning("deepgram: \(e.message)")
            hub.emit(.error(e))
            answeredOffset = buffer.startOffset
        }
        stats.connections += 1
        conn = Connection(ws: ws, generation: gen, offset: offset, openedAt: .now, requestID: rid)
        fault = nil
        madeProgress = false
        stalledWithoutFinals = false
        interimReach = 0
        metadataReceived = false
        lastSent = .now
        if finishing {
            // CloseStream went out on a dropped connection (or not yet): send it after the replay.
            pendingControls.removeAll { $0.message == .closeStream }
            pendingControls.append((buffer.endOffset, .closeStream))
            closeStreamSent = false
            state = .finishing
        } else {
            state = .open
        }
        pendingControls.removeAll { $0.message == .finalize && $0.after < sentOffset }
        pendingControls.removeAll { $0.message == .keepAlive }   // (for the connection that went)
        // A Finalize that went out on the connection that dropped, unanswered: the server never
        // flushed that audio, and `finalize(waitFor:)` waited its whole timeout for nothing
        // (found in QA). It goes again after the replayed audio it followed, before CloseStream.
        for after in finalizesInFlight where after >= sentOffset
            && !pendingControls.contains(where: { $0.message == .finalize && $0.after == after }) {
            let at = pendingControls.firstIndex { $0.message == .closeStream } ?? pendingControls.endIndex
            pendingControls.insert((after, .finalize), at: at)
        }
        finalizesInFlight = []
        // A new connection starts from the query's options: the applied Configure (or the one
        // still waiting for its answer) goes again, before the replayed audio.
        if stats.connections > 1, let again = configurePending ?? configureApplied {
            pendingControls.removeAll { $0.message == again }
            pendingControls.insert((sentOffset, again), at: 0)
        }
        logger.info("deepgram: open", metadata: ["request_id": "\(rid ?? "-")", "replay_bytes": "\(replay)", "offset_s": "\(offset.seconds)"])
        reportLoss(force: true)
        hub.emit(.open(requestID: rid))
        if let w = openWaiter { openWaiter = nil; w.resume(returning: .success(())) }

        connectionTasks = [Task(executorPreference: configuration.executor) { await self.pump(ws, gen: gen) }]
        if let interval = configuration.keepAliveInterval {
            connectionTasks.append(Task(executorPreference: configuration.executor) { await self.keepAliveLoop(ws, gen: gen, interval: interval) })
        }
        wakeSpaceWaiters()

        var outcome: Outcome
        var binarySaid = false
        do {
            for try await message in ws.messages {
                switch message {
                case .text(let text): handle(text, gen: gen)
                case .binary(let b):
                    // Deepgram sends text frames. A proxy or server that sends its JSON in binary
                    // frames had every caption thrown away without a word ("no speech was
                    // recognised"): JSON is read as such; anything else is said once.
                    if let text = Self.jsonText(b) {
                        if !binarySaid { logger.info("deepgram: the server sends its messages in binary frames; read as text") }
                        binarySaid = true
                        handle(text, gen: gen)
                    } else if !binarySaid {
                        binarySaid = true
                        let e = LiveError(kind: .protocolViolation, message: "the server sent a \(b.count)-byte binary message, which is not a "
                                          + "Deepgram message (Deepgram sends JSON text); binary messages are ignored", isFatal: false,
                                          requestID: rid).printable()
                        logServerProblem(e)
                        hub.emit(.error(e))
                    }
                }
                if ended { break }
            }
            outcome = .closed(code: Int(await ws.closeCode ?? 1005), reason: await ws.closeReason, requestID: rid)
        } catch {
            outcome = .failed(error, requestID: rid)
        }
        if let f = fault { outcome = .failed(f, requestID: rid) }
        for t in connectionTasks { t.cancel() }
        connectionTasks = []
        stats.sendQueueHighWater = max(stats.sendQueueHighWater, ws.queuedBytesHighWater)
        conn = nil
        fault = nil
        lostSpan = nil
        reportLoss(force: false)
        wakePump()
        wakeSpaceWaiters()
        return outcome
    }

    /// A binary message's bytes as text when they are UTF-8 JSON (an object), else nil.
    static func jsonText(_ bytes: [UInt8]) -> String? {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == UInt8(ascii: "{") else {
            return nil
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private func handle(_ frame: String, gen: Int) {
        guard let c = conn, c.generation == gen else { return }
        // A server that echoes the key (in a transcript, a request id, Metadata, an error) must
        // not get it shown, logged, journaled or exported: redacted before anything reads it,
        // also when spelled with JSON escapes.
        let text = credential.redactJSON(frame)
        let message: ServerMessage
        do { message = try ServerMessage.decode(text) } catch {
            let e = LiveError(kind: .protocolViolation, message: error.description, isFatal: false, requestID: c.requestID).printable()
            logServerProblem(e)
            hub.emit(.error(e))
            return
        }
        switch message {
        case .results(let r):
            // A result for audio not sent yet cannot be right (a start of 9e6 s put every later
            // line at 2500:00:00 and trimmed the replay buffer as if all had been transcribed),
            // nor one before the stream's start or ending before it starts: said and left out.
            // One ending there is cut at the audio sent (0–50 s after one chunk pushed every
            // later line 40 s on, and its false cover made the real finals for that audio count
            // as repeats).
            var r = r
            if let timeline {
                let sent = timeline.seconds(forBytes: sentOffset - c.offset.startByte)
                let problem: String? =
                    if r.start > sent + Self.resultSlack { "for audio not sent yet (from \(NumberText.fixed(r.start, decimals: 1)) s" }
                    else if r.start < -Self.resultSlack || r.duration < 0 { "with impossible times (from \(NumberText.fixed(r.start, decimals: 1)) s for \(NumberText.fixed(r.duration, decimals: 1)) s" }
                    else { nil }
                if let problem {
                    let e = LiveError(kind: .protocolViolation, message: "the server sent a result \(problem), when \(NumberText.fixed(sent, decimals: 1)) s had been sent on this connection); it was left out", isFatal: false, requestID: c.requestID).printable()
                    logServerProblem(e)
                    hub.emit(.error(e))
                    return
                }
                if r.end > sent + Self.resultSlack {
                    // Its words inside the audio sent are kept (a final at CloseStream reaching
                    // 3 s past the end lost its first word, said inside the audio; found in QA);
                    // one with none there is left out.
                    let cut = r.cut(at: sent)
                    let kept = !cut.best.words.isEmpty
                    let e = LiveError(kind: .protocolViolation, message: "the server sent a result reaching past the audio sent (to "
                                      + "\(NumberText.fixed(r.end, decimals: 1)) s, when \(NumberText.fixed(sent, decimals: 1)) s had been sent on this connection); "
                                      + (kept ? "its words after \(NumberText.fixed(sent, decimals: 1)) s were left out" : "it was left out"),
                                      isFatal: false, requestID: c.requestID).printable()
                    logServerProblem(e)
                    hub.emit(.error(e))
                    guard kept else { return }
                    r = cut
                }
            }
            // A channel the stream does not have (`[6, 2]`, or any but 0 without multichannel)
            // made up a channel of its own in the transcript and every export.
            if let problem = Self.channelProblem(r.channelIndex, options: options) {
                let e = LiveError(kind: .protocolViolation, message: "the server sent a result \(problem); it was left out",
                                  isFatal: false, requestID: c.requestID).printable()
                logServerProblem(e)
                hub.emit(.error(e))
                return
            }
            madeProgress = true
            lastResultAt = .now
            interimReach = max(interimReach, r.end)
            var shifted = c.offset.apply(r.wordsClampedToSpan())
            let alreadyAnswered = replayedAnswer(&shifted, channel: r.channelIndex.first ?? 0, on: c)
            if r.isFinal {
                if r.fromFinalize { finalizesInFlight = [] }
                lastFinalEnd = max(lastFinalEnd, shifted.end)
                noFinalStalls = 0
                saidNoFinals = false
                if let covered = answered(by: r, on: c) {
                    if let span = lostSpan, covered > span.lowerBound {
                        let back = min(covered, span.upperBound) - span.lowerBound
                        stats.bytesLost -= back
                        lostUnreported = max(0, lostUnreported - back)
                        lostSpan = covered >= span.upperBound ? nil : covered ..< span.upperBound
                    }
                    buffer.trim(upTo: min(covered, sentOffset))
                    answeredOffset = max(answeredOffset, min(covered, sentOffset))
                    endAnswerWait()   // an answer: the next wait starts over
                    wakeSpaceWaiters()
                }
            }
            if alreadyAnswered { return }
            hub.emit(.results(shifted))
            if r.fromFinalize, let id = finalizeWaiters.keys.min() {
                resumeFinalize(id, with: shifted)
            }
        case .metadata(let m):
            // Only after CloseStream does Metadata end the stream (a server may send it early,
            // at the open: taking that as finished dropped the audio a lost connection held).
            if closeStreamSent {
                metadataReceived = true
                startCloseGrace(c.generation)
            }
            hub.emit(.metadata(m))
        case .utteranceEnd(let u): hub.emit(.utteranceEnd(c.offset.apply(u)))
        case .speechStarted(let s): hub.emit(.speechStarted(c.offset.apply(s)))
        case .error(let e), .warning(let e):
            // At most 300 characters: a server's 100 KB description made one 100 KB stderr line.
            let full = e.text.isEmpty ? "(no description)" : e.text
            let text = ServerText.printable(full.count > 300 ? String(full.prefix(300)) + "…" : full)
            let said = if case .warning = message { "Deepgram warned" } else { "Deepgram reported an error" }
            var error = LiveError(kind: .server, message: "\(said): \(text)", isFatal: false,
                                  dgError: text, requestID: c.requestID)
            error.serverMessage = e
            if case .warning = message { error.isWarning = true }
            logServerProblem(error)
            hub.emit(.error(error))
        case .configureSuccess(let m):
            if let sent = configurePending { configureApplied = sent; configurePending = nil }
            hub.emit(.configured(m))
            resumeConfigure(nil, with: .success(m))
        case .configureFailure(let m):
            let text = ServerText.printable("\(m.code): \(m.description)")
            logger.warning("deepgram: the server refused a Configure: \(text)", metadata: ["request_id": "\(c.requestID ?? "-")"])
            hub.emit(.configureRefused(m))
            resumeConfigure(nil, with: .failure(LiveError(kind: .badRequest, message: "the server refused the Configure: \(text)",
                                                          isFatal: false, dgError: ServerText.printable(m.code), requestID: c.requestID)))
        case .unhandled(let type, let raw):
            // A type this client does not know (a newer server's message): passed on, and
            // logged once per type so that it can be found, without a line per message.
            let name = ServerText.printable(String((type ?? "(no type)").prefix(40)))
            if unhandledTypesLogged.count < 32, unhandledTypesLogged.insert(name).inserted {
                logger.info("deepgram: a message of type \(name) was passed on unhandled", metadata: ["request_id": "\(c.requestID ?? "-")"])
            }
            hub.emit(.unhandled(raw))
        }
    }

    /// Logs a non-fatal server problem: every one of the first 20, then every 1000th, so that a
    /// server sending garbage in a loop cannot fill the disk with the log.
    private func logServerProblem(_ e: LiveError) {
        serverProblems += 1
        if serverProblems <= 20 || serverProblems % 1000 == 0 {
            logger.warning("deepgram: \(e.message)", metadata: ["request_id": "\(e.requestID ?? "-")", "count": "\(serverProblems)"])
            if serverProblems == 20 { logger.warning("deepgram: further server problems are logged every 1000th") }
        }
    }

    private func resumeFinalize(_ id: Int, with r: Results?) {
        finalizeWaiters.removeValue(forKey: id)?.resume(returning: r)
    }

    // MARK: Ending

    private func end(code: Int, reason: String, error: LiveError?) {
        guard !ended else { return }
        ended = true
        state = .closed
        if let error {
            if error.isFatal { fatalError = error }
            logger.error("deepgram: \(error.description)")
            hub.emit(.error(error))
        }
        reportLoss(force: true)
        hub.emit(.close(code: code, reason: reason))
        hub.finish()
        for t in connectionTasks { t.cancel() }
        connectionTasks = []
        if let w = openWaiter {
            openWaiter = nil
            w.resume(returning: .failure(error ?? LiveError(kind: .network, message: "the stream closed before it opened: \(reason)", isFatal: true)))
        }
        for (_, w) in finalizeWaiters { w.resume(returning: nil) }
        finalizeWaiters = [:]
        resumeConfigure(nil, with: .failure(error ?? LiveError(kind: .network, message: "the stream ended before the server answered the Configure: \(reason)", isFatal: false)))
        wakePump()
        wakeSpaceWaiters()
        endBackoff(nil)
        let ew = endWaiters; endWaiters = []
        for w in ew { w.resume() }
    }

    private func waitEnded() async {
        guard !ended else { return }
        await withCheckedContinuation { endWaiters.append($0) }
    }
}

extension LiveOptions {
    /// How many channels the server answers separately: one without `multichannel`, else the
    /// `channels` sent (at least one), or nil when multichannel audio does not say how many.
    var sentChannels: Int? {
        guard multichannel == true else { return 1 }
        return channels.map { max(1, $0) }
    }
}
