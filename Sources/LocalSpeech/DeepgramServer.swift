import Deepgram
import FoundationEssentials
import Glibc
import SystemSupport
import Logging
import WebSocket

/// A Deepgram-compatible live endpoint (`/v1/listen` over WebSocket) served by the offline engine.
///
/// Clients written for Deepgram (its SDKs, captty itself with a base URL) work unchanged:
/// options are validated (HTTP 400 + `dg-error`), an API key can be required (401), every
/// response carries `dg-request-id`, at most `maxClients` streams run at once (429 beyond; a
/// multichannel stream counts once per channel), and a stream idle for `idleTimeout` is closed
/// with 1011 `NET-0001`. Binds loopback by default.
public final class DeepgramServer: Sendable {
    /// Listening address, limits and credentials.
    public struct Configuration: Sendable {
        public var host = "127.0.0.1"
        /// 0 picks an ephemeral port (read it back from `port`).
        public var port = 8080
        /// When set, clients must send `Authorization: Token <key>` (or `Bearer <key>`).
        public var apiKey: APIKeyCheck?
        /// Streams served at once, a multichannel stream counting once per channel; more are
        /// refused with HTTP 429 (a multichannel stream with more channels than this: 400). A
        /// multichannel WAV stream's channels are counted when its header arrives: beyond the
        /// limit, it gets an Error message and close 1013 (1008 with more channels than this).
        /// One per core by default, at least two: one real-time stream costs the offline engine
        /// most of a core, and a stream admitted beyond that gets captions that fall behind.
        public var maxClients = Configuration.defaultMaxClients
        /// One per core, at least two.
        public static var defaultMaxClients: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }
        /// Seconds without audio or KeepAlive before a stream is closed (1011 NET-0001).
        public var idleTimeout: Double = 10
        public init() {}
    }

    public let recognizer: LocalRecognizer
    public let configuration: Configuration
    private let listener: WebSocketServer
    private let slots: StreamSlots
    private let logger: Logger
    private let open = OpenSockets()

    /// The bound port.
    public var port: Int { listener.port }
    public var host: String { listener.host }

    private init(recognizer: LocalRecognizer, configuration: Configuration, listener: WebSocketServer, logger: Logger) {
        self.recognizer = recognizer; self.configuration = configuration; self.listener = listener
        self.slots = StreamSlots(limit: configuration.maxClients); self.logger = logger
    }

    /// Binds the listening socket (so a bad address fails here, before `run`).
    public static func listen(recognizer: LocalRecognizer, configuration: Configuration = .init(),
                              logger: Logger = Logger(label: "captty.serve")) throws -> DeepgramServer {
        let listener = try WebSocketServer.listen(host: configuration.host, port: configuration.port)
        return DeepgramServer(recognizer: recognizer, configuration: configuration, listener: listener, logger: logger)
    }

    /// Serves until `shutdown()` or cancellation.
    public func run() async {
        await listener.serve(decide: { [self] request in await decide(request) },
                             handle: { [self] socket in await handle(socket) },
                             abandoned: { [slots] answer in if let id = answer["dg-request-id"] { slots.cancel(id: id) } },
                             refusal: { [self] status, message in refusal(status, message) },
                             paths: ListenRequest.paths)
    }

    /// Stops accepting new streams; open ones run to their end.
    public func shutdown() { listener.shutdown() }

    /// Closes every open stream with 1001 (going away), as a server restarting does: a client
    /// reconnects (Deepgram's SDKs and captty do on 1001 before the stream was finished) instead
    /// of seeing its connection drop without a close (1006). Waits up to `within` for the
    /// closing handshakes and for the streams to end (their engines stopped, their end logged).
    public func closeAll(within: Duration) async {
        let sockets = open.closeAll()
        guard !sockets.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [open] in
                await withTaskGroup(of: Void.self) { closing in
                    for socket in sockets {
                        closing.addTask { await socket.close(code: 1001, reason: "server shutting down; connect again") }
                    }
                }
                while open.count > 0, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            }
            group.addTask { try? await Task.sleep(for: within) }
            // All closed, or the time is up: the process exits either way.
            await group.next()
            group.cancelAll()
        }
    }

    /// Streams currently open (or being opened).
    public var activeStreams: Int { slots.count }

    /// Recognizers those streams run (or have reserved): one per channel of a multichannel
    /// stream — for a WAV stream, once its header has arrived — else one. At most `maxClients`.
    public var activeRecognizers: Int { slots.recognizers }

    // MARK: upgrade

    /// A refusal as Deepgram words it: `dg-request-id`, `dg-error` and a JSON body
    /// (`err_code`, `err_msg`, `request_id`), whoever refuses — this server or the listener
    /// below it (405, 400, 426, 431, 503 before a request could be read).
    func refusal(_ status: Int, _ message: String, id: String = UUID().uuidString.lowercased()) -> WebSocketUpgradeDecision {
        var message = message
        // Deepgram's pre-recorded API is a POST to the same path (the SDKs' transcribe_file):
        // this server streams only, and says what to use instead.
        if status == 405 { message = Self.liveOnly }
        if status == 404 { message = ListenRequest.notFound }
        // A message quoting client input is cut short: a header line of 15 KB (a 15 000-character
        // option value quoted) broke the SDKs' HTTP parser, which saw no answer at all.
        if message.count > 500 { message = String(message.prefix(500)) + "…" }
        let code: String
        switch status {
        case 400: code = "Bad Request"
        case 401: code = "INVALID_AUTH"
        case 404: code = "Not Found"
        case 405: code = "Method Not Allowed"
        case 426: code = "Upgrade Required"
        case 431: code = "Request Header Fields Too Large"
        case 429, 503: code = "TOO_MANY_REQUESTS"
        default: code = "Error"
        }
        // Messages quote client input (an option's value): no control character may reach the
        // header, or the whole `dg-error` would be dropped as unsafe.
        let header = String(String.UnicodeScalarView(message.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : $0 }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(["err_code": code, "err_msg": message, "request_id": id]))
            .map { String(decoding: $0, as: UTF8.self) } ?? ""
        logger.info("refused stream \(id): HTTP \(status) \(header)")
        var headers = [("dg-request-id", id), ("dg-error", header), ("Content-Type", "application/json")]
        // Busy: when to try again (captty's client and well-behaved others wait that long).
        if status == 429 || status == 503 { headers.append(("Retry-After", "1")) }
        return .reject(status: status, headers: headers, body: body)
    }

    static let liveOnly = "Method not allowed: this server takes live streams only (GET with a WebSocket upgrade); "
        + "Deepgram's pre-recorded API (POST) is not served here. For a file, run `captty transcribe FILE`."

    func decide(_ request: WebSocketUpgradeRequest) async -> WebSocketUpgradeDecision {
        let id = UUID().uuidString.lowercased()
        func refuse(_ status: Int, _ message: String) -> WebSocketUpgradeDecision { refusal(status, message, id: id) }
        guard request.method == "GET" else { return refuse(405, Self.liveOnly) }
        let browser = APIKeyCheck.subprotocolCredential(request.headers.values("Sec-WebSocket-Protocol"))
        if let key = configuration.apiKey, !key.accepts(authorization: request.headers["Authorization"]),
           !(browser.map { key.accepts(secret: $0.secret) } ?? false) {
            // Which of the two it is, so that a client learns what to fix (both read
            // "Invalid credentials."); the key itself is never quoted.
            let given = request.headers["Authorization"] != nil || browser != nil
            return refuse(401, given ? "Invalid credentials: the API key is not this server's."
                                     : "Invalid credentials: no API key was given; send Authorization: Token <key>, or from a browser "
                                       + "the subprotocols `token, <key>`, first and in that order (this server checks keys).")
        }
        let parsed: ListenRequest
        switch ListenRequest.parse(path: request.path, query: request.queryItems) {
        case .success(let r): parsed = r
        case .failure(let r): return refuse(r.status, r.dgError)
        }
        // One recognizer per channel: 32 channels took 3.3 GB. A stream that can never fit is
        // refused for good (400), not told to try again (429).
        // A multichannel WAV stream counts one here; its header's channels are claimed when it
        // arrives (`admission`).
        guard parsed.recognizers <= slots.capacity else {
            return refuse(400, Self.tooManyChannels(parsed.recognizers, capacity: slots.capacity))
        }
        // A stream that has just ended (its client closed without CloseStream) frees its slot once
        // its recognizer has stopped, a moment later: a client that opens its next stream at once
        // waits for that (up to `slotWait`) instead of a 429.
        let waitUntil = ContinuousClock.now + Self.slotWait
        while !slots.reserve(request: parsed, requestID: id) {
            guard ContinuousClock.now < waitUntil else {
                // 429, as Deepgram answers a stream past the account's concurrency limit.
                return refuse(429, Self.tooManyStreams(parsed.recognizers, capacity: slots.capacity))
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        var answer = [("dg-request-id", id)]
        // A browser offering `token, KEY` fails the connection unless one of its protocols is selected.
        if let scheme = browser?.scheme { answer.append(("Sec-WebSocket-Protocol", scheme)) }
        return .accept(headers: answer)
    }

    /// How long an upgrade waits for a slot before it is refused with 429.
    static let slotWait = Duration.milliseconds(2500)

    static func tooManyChannels(_ channels: Int, capacity: Int, header: Bool = false) -> String {
        "Too many channels for multichannel: \(header ? "the WAV header says \(channels) channels, which" : "\(channels) channels") "
            + "need \(channels) recognizers, and this server runs at most \(capacity) at once (--max-clients; each channel of a "
            + "multichannel stream counts as one stream). Send at most \(capacity) channels, or multichannel=false to mix them into one."
    }

    static func tooManyStreams(_ recognizers: Int, capacity: Int, header: Bool = false) -> String {
        let counted = recognizers > 1
            ? " (this multichannel stream counts \(recognizers), one per channel\(header ? " its WAV header gives" : ""))" : ""
        return "Too many concurrent streams: this server takes \(capacity) at once\(counted); try again later"
            + (header ? ", or multichannel=false to mix the channels into one." : ".")
    }

    /// The answer to a multichannel WAV stream whose header shows `channels` channels: nil when
    /// the server's limit had a recognizer for each (`grow`), else a refusal saying what raw
    /// multichannel audio is told at its upgrade — which a WAV stream has already passed, with
    /// one recognizer, as its channels were not known yet. So the same text comes as an Error
    /// message (`variant` = the upgrade's `err_code`) and a close whose code the client
    /// treats the way it treats the upgrade's HTTP status: more channels than the server ever
    /// runs (HTTP 400 raw) close with 1008 `DATA-0000`, fatal, as a WAV header beyond the
    /// server's limits does (`AudioIntake`); channels the server runs, but not now beside its
    /// other streams (HTTP 503 raw), close with 1013 "try again later", which clients retry.
    static func admission(_ growth: StreamSlots.Growth, channels: Int, capacity: Int) -> ChannelRefusal? {
        switch growth {
        case .granted:
            return nil
        case .never:
            return ChannelRefusal(variant: "Bad Request", description: tooManyChannels(channels, capacity: capacity, header: true),
                                  closeCode: 1008,
                                  closeReason: "DATA-0000: the WAV header says \(channels) channels; multichannel takes at most \(capacity) here (--max-clients)")
        case .busy:
            return ChannelRefusal(variant: "TOO_MANY_REQUESTS", description: tooManyStreams(channels, capacity: capacity, header: true),
                                  closeCode: 1013,
                                  closeReason: "too many concurrent streams: \(channels) channels need \(channels) of this server's \(capacity) slots; try again later")
        }
    }

    // MARK: streams

    func handle(_ socket: WebSocket) async {
        guard let id = socket.answerHeaders["dg-request-id"], let claim = slots.claim(id: id) else {
            await socket.close(code: 1011, reason: "internal error: unknown stream")
            return
        }
        // Released when the recognizers are done (before the close handshake), or at the latest here.
        let release = FirstTimes<Bool>()
        let free: @Sendable () -> Void = { [slots] in if release.first(true) { slots.release(claim) } }
        defer { free() }
        let token = open.add(socket)
        defer { open.remove(token) }
        let stream = ListenStream(socket: socket, request: claim.request, requestID: claim.requestID,
                                  recognizer: recognizer, idleTimeout: configuration.idleTimeout, logger: logger,
                                  admitChannels: { [slots] n in Self.admission(slots.grow(id: id, to: n), channels: n, capacity: slots.capacity) },
                                  recognizersDone: free, serverClosing: { [open] in open.closingAll })
        await stream.run()
    }
}

/// The streams' sockets, for closing them all at shutdown.
final class OpenSockets: @unchecked Sendable {
    private let lock = Lock()
    private var sockets: [Int: WebSocket] = [:]
    private var next = 0

    private var closing = false

    func add(_ s: WebSocket) -> Int { lock.withLock { next += 1; sockets[next] = s; return next } }
    func remove(_ token: Int) { lock.withLock { _ = sockets.removeValue(forKey: token) } }
    /// The open sockets, from now on being closed by the server.
    func closeAll() -> [WebSocket] { lock.withLock { closing = true; return Array(sockets.values) } }
    /// Streams still open (their `handle` has not returned).
    var count: Int { lock.withLock { sockets.count } }
    /// Whether the server is closing every stream (a stream that ends now was not left by its client).
    var closingAll: Bool { lock.withLock { closing } }
}

/// Counts open streams against the limit — a multichannel stream once per channel, as each
/// channel has its own recognizer — and carries each accepted request's parsed options
/// from the upgrade decision to the connection, matched by the request id this server made —
/// not by the client's `Sec-WebSocket-Key`, which two clients may share (hand-written clients
/// often send the RFC's sample key): the second then took the first one's options, and the
/// first was closed with 1011.
final class StreamSlots: @unchecked Sendable {
    struct Reservation { var request: ListenRequest; var requestID: String; var at: Date }
    private let lock = Lock()
    /// Recognizers the server runs at once (`maxClients`).
    let capacity: Int
    /// Open streams, and the recognizers they run.
    private var activeStreams = 0
    private var activeRecognizers = 0
    /// The recognizers each claimed stream holds (a multichannel WAV stream's grow with its header).
    private var held: [String: Int] = [:]
    private var reservations: [String: Reservation] = [:]

    init(limit: Int) { capacity = max(1, limit) }

    /// Streams open or being opened.
    var count: Int { lock.lock(); defer { lock.unlock() }; return activeStreams + reservations.count }

    /// Recognizers in use or reserved.
    var recognizers: Int { lock.lock(); defer { lock.unlock() }; return used() }

    /// Recognizers in use or reserved (under the lock). A reservation whose handshake never
    /// completed expires.
    private func used(now: Date = Date()) -> Int {
        reservations = reservations.filter { now.timeIntervalSince($0.value.at) < 30 }
        return activeRecognizers + reservations.values.reduce(0) { $0 + $1.request.recognizers }
    }

    func reserve(request: ListenRequest, requestID: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard used(now: now) + request.recognizers <= capacity else { return false }
        reservations[requestID] = Reservation(request: request, requestID: requestID, at: now)
        return true
    }

    func claim(id: String) -> Reservation? {
        lock.lock(); defer { lock.unlock() }
        guard let r = reservations.removeValue(forKey: id) else { return nil }
        activeStreams += 1
        activeRecognizers += r.request.recognizers
        held[id] = r.request.recognizers
        return r
    }

    /// What a claimed stream learns when it asks for more recognizers.
    enum Growth: Equatable {
        case granted
        /// More than the server ever runs at once (`capacity`): no retry can help.
        case never
        /// Other streams hold the slots it needs now.
        case busy
    }

    /// Lets a claimed stream run `recognizers` at once instead of what it holds: a multichannel
    /// WAV stream, admitted with one, asks for one per channel when its header arrives. Granted
    /// only within the limit, as a raw multichannel stream's upgrade is (`DeepgramServer.decide`).
    func grow(id: String, to recognizers: Int) -> Growth {
        lock.lock(); defer { lock.unlock() }
        guard recognizers <= capacity else { return .never }
        let have = held[id] ?? 0
        let others = used() - have
        guard others + recognizers <= capacity else { return .busy }
        activeRecognizers += recognizers - have
        held[id] = recognizers
        return .granted
    }

    /// A claimed stream has ended.
    func release(_ r: Reservation) {
        lock.lock(); defer { lock.unlock() }
        activeStreams -= 1
        activeRecognizers -= held.removeValue(forKey: r.requestID) ?? r.request.recognizers
    }

    /// An accepted upgrade that never became a stream (the client vanished before the 101):
    /// its slot is free again now, not when the reservation would expire.
    func cancel(id: String) { lock.lock(); reservations[id] = nil; lock.unlock() }
}
