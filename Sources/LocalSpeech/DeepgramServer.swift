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
/// response carries `dg-request-id`, at most `maxClients` streams run at once (503 beyond; a
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
        /// refused with HTTP 503 (a multichannel stream with more channels than this: 400).
        public var maxClients = 4
        /// Seconds without audio or KeepAlive before a stream is closed (1011 NET-0001).
        public var idleTimeout: Double = 10
        public init() {}
    }

    public let recognizer: LocalRecognizer
    public let configuration: Configuration
    private let listener: WebSocketServer
    private let slots: StreamSlots
    private let logger: Logger

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
        await listener.serve(decide: { [self] request in decide(request) },
                             handle: { [self] socket in await handle(socket) },
                             abandoned: { [slots] answer in if let id = answer["dg-request-id"] { slots.cancel(id: id) } },
                             refusal: { [self] status, message in refusal(status, message) })
    }

    /// Stops accepting new streams; open ones run to their end.
    public func shutdown() { listener.shutdown() }

    /// Streams currently open (or being opened).
    public var activeStreams: Int { slots.count }

    // MARK: upgrade

    /// A refusal as Deepgram words it: `dg-request-id`, `dg-error` and a JSON body
    /// (`err_code`, `err_msg`, `request_id`), whoever refuses — this server or the listener
    /// below it (405, 400, 426, 431, 503 before a request could be read).
    func refusal(_ status: Int, _ message: String, id: String = UUID().uuidString.lowercased()) -> WebSocketUpgradeDecision {
        let code: String
        switch status {
        case 400: code = "Bad Request"
        case 401: code = "INVALID_AUTH"
        case 404: code = "Not Found"
        case 405: code = "Method Not Allowed"
        case 426: code = "Upgrade Required"
        case 431: code = "Request Header Fields Too Large"
        case 503: code = "TOO_MANY_REQUESTS"
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
        return .reject(status: status, headers: [("dg-request-id", id), ("dg-error", header), ("Content-Type", "application/json")],
                       body: body)
    }

    func decide(_ request: WebSocketUpgradeRequest) -> WebSocketUpgradeDecision {
        let id = UUID().uuidString.lowercased()
        func refuse(_ status: Int, _ message: String) -> WebSocketUpgradeDecision { refusal(status, message, id: id) }
        guard request.method == "GET" else { return refuse(405, "Method not allowed: use GET with a WebSocket upgrade.") }
        let browser = APIKeyCheck.subprotocolCredential(request.headers.values("Sec-WebSocket-Protocol"))
        if let key = configuration.apiKey, !key.accepts(authorization: request.headers["Authorization"]),
           !(browser.map { key.accepts(secret: $0.secret) } ?? false) {
            return refuse(401, "Invalid credentials.")
        }
        let parsed: ListenRequest
        switch ListenRequest.parse(path: request.path, query: request.queryItems) {
        case .success(let r): parsed = r
        case .failure(let r): return refuse(r.status, r.dgError)
        }
        // One recognizer per channel: 32 channels took 3.3 GB. A stream that can never fit is
        // refused for good (400), not told to try again (503).
        guard parsed.recognizers <= slots.capacity else {
            return refuse(400, "Too many channels for multichannel: \(parsed.recognizers) channels need \(parsed.recognizers) recognizers, "
                + "and this server runs at most \(slots.capacity) at once (--max-clients; each channel of a multichannel stream "
                + "counts as one stream). Send at most \(slots.capacity) channels, or multichannel=false to mix them into one.")
        }
        guard slots.reserve(request: parsed, requestID: id) else {
            let counted = parsed.recognizers > 1 ? " (this multichannel stream counts \(parsed.recognizers), one per channel)" : ""
            return refuse(503, "Too many concurrent streams: this server takes \(slots.capacity) at once\(counted); try again later.")
        }
        var answer = [("dg-request-id", id)]
        // A browser offering `token, KEY` fails the connection unless one of its protocols is selected.
        if let scheme = browser?.scheme { answer.append(("Sec-WebSocket-Protocol", scheme)) }
        return .accept(headers: answer)
    }

    // MARK: streams

    func handle(_ socket: WebSocket) async {
        guard let id = socket.answerHeaders["dg-request-id"], let claim = slots.claim(id: id) else {
            await socket.close(code: 1011, reason: "internal error: unknown stream")
            return
        }
        defer { slots.release(claim) }
        let stream = ListenStream(socket: socket, request: claim.request, requestID: claim.requestID,
                                  recognizer: recognizer, idleTimeout: configuration.idleTimeout, logger: logger)
        await stream.run()
    }
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
    private var reservations: [String: Reservation] = [:]

    init(limit: Int) { capacity = max(1, limit) }

    /// Streams open or being opened.
    var count: Int { lock.lock(); defer { lock.unlock() }; return activeStreams + reservations.count }

    func reserve(request: ListenRequest, requestID: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        // A reservation whose handshake never completed expires.
        let now = Date()
        reservations = reservations.filter { now.timeIntervalSince($0.value.at) < 30 }
        let used = activeRecognizers + reservations.values.reduce(0) { $0 + $1.request.recognizers }
        guard used + request.recognizers <= capacity else { return false }
        reservations[requestID] = Reservation(request: request, requestID: requestID, at: now)
        return true
    }

    func claim(id: String) -> Reservation? {
        lock.lock(); defer { lock.unlock() }
        guard let r = reservations.removeValue(forKey: id) else { return nil }
        activeStreams += 1
        activeRecognizers += r.request.recognizers
        return r
    }

    /// A claimed stream has ended.
    func release(_ r: Reservation) {
        lock.lock(); activeStreams -= 1; activeRecognizers -= r.request.recognizers; lock.unlock()
    }

    /// An accepted upgrade that never became a stream (the client vanished before the 101):
    /// its slot is free again now, not when the reservation would expire.
    func cancel(id: String) { lock.lock(); reservations[id] = nil; lock.unlock() }
}
