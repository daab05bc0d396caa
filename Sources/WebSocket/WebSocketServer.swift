#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport
import Dispatch

/// A WebSocket listener (server role): accepts TCP (optionally TLS) connections, parses the
/// HTTP upgrade, lets the application accept or reject it, then hands out `WebSocket`s.
///
/// Each accepted connection gets its own I/O thread; the upgrade head is bounded by
/// `maxHandshakeHeaderSize` and the whole opening by `connectTimeout`.
public final class WebSocketServer: Sendable {
    /// The address the server listens on.
    public let host: String
    /// The bound port (the ephemeral one when listening on port 0).
    public let port: Int
    private let listenFD: Int32
    private let tls: TLSContext?
    private let configuration: WebSocketConfiguration
    private let wake: (read: Int32, write: Int32)
    private let stopped = CancelFlag()
    private let started = CancelFlag()
    private let pending = PendingUpgrades()

    private init(host: String, port: Int, fd: Int32, tls: TLSContext?, configuration: WebSocketConfiguration, wake: (Int32, Int32)) {
        self.host = host
        self.port = port
        self.listenFD = fd
        self.tls = tls
        self.configuration = configuration
        self.wake = wake
    }

    deinit {
        if !started.isSet { close(listenFD) }
        close(wake.read)
        close(wake.write)
    }

    /// Binds and listens (port 0 = an ephemeral port, read it back from `port`).
    public static func listen(host: String = "127.0.0.1", port: Int = 0, tls: TLSServerConfiguration? = nil,
                              configuration: WebSocketConfiguration = .init()) throws -> WebSocketServer {
        let ctx = try tls.map { c throws(WebSocketError) in try TLSContext.server(c) }
        let (fd, actual) = try TCPSocket.listen(host: host, port: port)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            close(fd)
            throw WebSocketError.connectFailed(host: host, port: port, reason: "pipe: \(TCPSocket.errnoString())")
        }
        TCPSocket.setNonBlocking(fds[0])
        TCPSocket.setNonBlocking(fds[1])
        return WebSocketServer(host: host, port: actual, fd: fd, tls: ctx, configuration: configuration, wake: (fds[0], fds[1]))
    }

    /// Accepts connections until `shutdown()` or cancellation. `decide` sees each upgrade request
    /// and accepts (with extra response headers) or rejects it (status, headers, body);
    /// `handle` runs in its own task for every accepted connection; when it returns and no one
    /// else holds the `WebSocket`, the connection is closed with 1001 (going away).
    ///
    /// `handle` finds the headers `decide` accepted with in `WebSocket.answerHeaders`, so a
    /// server-made value (a request id) can tie the connection to its decision; the client's
    /// `Sec-WebSocket-Key` cannot (clients may reuse one, e.g. the RFC's sample key).
    /// `abandoned` gets those headers for an upgrade `decide` accepted that never reached
    /// `handle` (the client vanished before the 101 went out, or the decision came too late),
    /// so whatever the decision reserved can be given back at once. `refusal` shapes the answers the listener
    /// gives by itself, before or instead of `decide` (405, 400, 426, 431, 503: status and
    /// message in, a `.reject` with the application's headers and body out); the headers the
    /// protocol requires (`Allow`, `Upgrade`, `Sec-WebSocket-Version`) are kept. With `paths`,
    /// a request for another path gets 404 (through `refusal`) whatever it is.
    public func serve(decide: @escaping @Sendable (WebSocketUpgradeRequest) async -> WebSocketUpgradeDecision,
                      handle: @escaping @Sendable (WebSocket) async -> Void,
                      abandoned: @escaping @Sendable (_ answer: HTTPHeaders) -> Void = { _ in },
                      refusal: @escaping @Sendable (_ status: Int, _ message: String) -> WebSocketUpgradeDecision = { .reject(status: $0, body: $1) },
                      paths: Set<String>? = nil) async {
        if started.isSet { return }
        started.set()
        let hooks = ServerOpener.Hooks(decide: decide, abandoned: abandoned, refusal: refusal, paths: paths)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
                let running = IOThread.spawn(name: "ws-accept") { [self] in
                    acceptLoop(hooks: hooks, handle: handle)
                    cont.resume()
                }
                if !running { cont.resume() }
            }
        } onCancel: {
            shutdown()
        }
    }

    /// Stops accepting; connections already open are not affected.
    public func shutdown() {
        stopped.set()
        var b: UInt8 = 1
        _ = write(wake.write, &b, 1)
    }

    private func acceptLoop(hooks: ServerOpener.Hooks, handle: @escaping @Sendable (WebSocket) async -> Void) {
        defer { close(listenFD) }
        while !stopped.isSet {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, 1000)
            if r <= 0 { continue }
            if fds[1].revents != 0 { break }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &peer) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listenFD, $0, &peerLength) }
            }
            if fd < 0 {
                // Out of descriptors (or memory): pause instead of spinning on a ready listener.
                if [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(errno) { usleep(100_000) }
                continue
            }
            TCPSocket.setNonBlocking(fd)
            TCPSocket.setNoDelay(fd)
            guard let ticket = pending.enter(limit: configuration.maxPendingUpgrades, peer: PendingUpgrades.hostKey(peer)) else {
                ServerOpener.turnAway(fd: fd, tls: tls != nil, hooks: hooks)
                continue
            }
            let tls = self.tls, config = self.configuration, pending = self.pending
            let running = IOThread.spawn(name: "websocket") {
                let opened = ServerOpener.open(fd: fd, tls: tls, configuration: config, hooks: hooks, ticket: ticket)
                pending.leave(ticket)
                guard let core = opened else { return }
                // Only the handler's task holds the actor: when `handle` returns and drops it,
                // its deinit starts the close handshake (1001).
                Task { [ws = WebSocket(core: core)] in await handle(ws) }
                core.run()
            }
            if !running {
                pending.leave(ticket)
                ServerOpener.turnAway(fd: fd, tls: tls != nil, hooks: hooks)
            }
        }
    }
}

/// Connections in their opening handshake, against `maxPendingUpgrades`.
///
/// When all places are taken, the oldest connection still sending its request head (or its
/// TLS handshake) for at least `evictAfter` gives its place to the newcomer: real clients send
/// the head at once, so one that trickles or stalls is the likelier attacker. Without this, a
/// few dozen idle connections (a slowloris) turned every client away until the handshake
/// timeout, and again as soon as they were renewed. An evicted connection's thread ends within
/// 100 ms (it checks its cancel flag), and at most `spare` of them may still be ending, so
/// threads stay bounded.
///
/// One peer address holds at most a quarter of the places (`perPeerLimit`): past that, its own
/// oldest stall makes way, or it is turned away. A slowloris that renewed its stalls as fast as
/// they were evicted kept every place and every eviction slot busy, and a client trying once a
/// second was turned away 10 times out of 10 (found in QA).
final class PendingUpgrades: @unchecked Sendable {
    /// One connection's place.
    final class Ticket: @unchecked Sendable {
        let id: Int
        let since: Int64
        /// The peer's address (without the port).
        var peer: [UInt8] = []
        /// Set to evict: the opener stops at its next check.
        let cancel = CancelFlag()
        /// Set once the request head is in (it is a client, not a stall): no longer evicted.
        let headRead = SetOnceFlag()
        init(id: Int, since: Int64) { self.id = id; self.since = since }
    }

    private let lock = Lock()
    private var places: [Int: Ticket] = [:]
    private var ending = 0
    private var nextID = 0
    let evictAfter: Int64
    let spare: Int

    init(evictAfter: Duration = .milliseconds(500), spare: Int = 16) {
        self.evictAfter = evictAfter.nanoseconds
        self.spare = spare
    }

    /// The most places one peer address may hold of `limit`.
    static func perPeerLimit(_ limit: Int) -> Int { max(2, limit / 4) }

    /// The address part of an accepted peer's `sockaddr` (IPv4 or IPv6; empty for others).
    static func hostKey(_ ss: sockaddr_storage) -> [UInt8] {
        let (offset, size): (Int?, Int) = switch Int32(ss.ss_family) {
        case AF_INET: (MemoryLayout<sockaddr_in>.offset(of: \.sin_addr), MemoryLayout<in_addr>.size)
        case AF_INET6: (MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr), MemoryLayout<in6_addr>.size)
        default: (nil, 0)
        }
        guard let offset else { return [] }
        return withUnsafeBytes(of: ss) { Array($0[offset..<(offset + size)]) }
    }

    /// A place for a new connection from `peer` (its address), or nil when none can be had.
    func enter(limit: Int, peer: [UInt8] = [], now: Int64 = Monotonic.now()) -> Ticket? {
        lock.withLock {
            let mine = places.values.filter { $0.peer == peer }
            if !peer.isEmpty, mine.count >= Self.perPeerLimit(limit) {
                // This peer has its share: its own oldest stall makes way, or it waits.
                guard ending < spare,
                      let victim = mine.filter({ !$0.headRead.isSet && now - $0.since >= evictAfter }).min(by: { $0.since < $1.since })
                else { return nil }
                places[victim.id] = nil
                ending += 1
                victim.cancel.set()
            } else if places.count >= max(1, limit) {
                guard ending < spare,
                      let victim = places.values.filter({ !$0.headRead.isSet && now - $0.since >= evictAfter }).min(by: { $0.since < $1.since })
                else { return nil }
                places[victim.id] = nil
                ending += 1
                victim.cancel.set()
            }
            nextID += 1
            let t = Ticket(id: nextID, since: now)
            t.peer = peer
            places[t.id] = t
            return t
        }
    }

    func leave(_ t: Ticket) {
        lock.withLock {
            if places[t.id] === t { places[t.id] = nil } else if t.cancel.isSet { ending -= 1 }
        }
    }

    /// Places taken and evicted connections still ending (tests).
    var counts: (taken: Int, ending: Int) { lock.withLock { (places.count, ending) } }
}

/// The server side of the opening handshake, on the connection's I/O thread.
enum ServerOpener {
    /// What the application says about upgrades (see `WebSocketServer.serve`).
    struct Hooks: Sendable {
        let decide: @Sendable (WebSocketUpgradeRequest) async -> WebSocketUpgradeDecision
        let abandoned: @Sendable (HTTPHeaders) -> Void
        let refusal: @Sendable (Int, String) -> WebSocketUpgradeDecision
        /// The paths served (nil: any).
        var paths: Set<String>? = nil

        /// The listener's own refusal, dressed by the application; `required` headers are kept.
        func refusal(status: Int, required: [(String, String)], message: String) -> (headers: [(String, String)], body: String) {
            guard case .reject(_, let headers, let body) = refusal(status, message) else { return (required, message) }
            let names = Set(headers.map { $0.0.lowercased() })
            return (required.filter { !names.contains($0.0.lowercased()) } + headers, body)
        }
    }

    /// Holds the application's decision across the async/thread boundary. Whoever comes second
    /// — the decision or the waiter giving up — learns it, so a late acceptance is not lost.
    private final class DecisionBox: @unchecked Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        private let lock = Lock()
        private var decision: WebSocketUpgradeDecision?
        private var gaveUp = false

        /// The decision arrived; false when the waiter had already given up.
        func deliver(_ d: WebSocketUpgradeDecision) -> Bool {
            let taken: Bool = lock.withLock { decision = d; return !gaveUp }
            semaphore.signal()
            return taken
        }

        /// The waiter gives up; returns the decision if it arrived meanwhile.
        func giveUp() -> WebSocketUpgradeDecision? { lock.withLock { gaveUp = true; return decision } }

        var value: WebSocketUpgradeDecision? { lock.withLock { decision } }
    }

    /// Returns the connection core after a 101, or nil when the upgrade was refused or failed
    /// (the socket is closed then).
    static func open(fd: Int32, tls: TLSContext?, configuration: WebSocketConfiguration, hooks: Hooks,
                     ticket: PendingUpgrades.Ticket? = nil) -> ConnectionCore? {
        let transport = Transport(fd: fd)
        let deadline = Monotonic.now() + configuration.connectTimeout.nanoseconds
        // A HEAD request's answer has the headers a GET's would have, and no body (RFC 9110 9.3.2).
        var headOnly = false
        func refuse(_ status: Int, _ required: [(String, String)], _ message: String, until: Int64) {
            let (headers, body) = hooks.refusal(status: status, required: required, message: message)
            Self.refuse(transport, status: status, headers: headers, body: body, deadline: until, headOnly: headOnly)
        }
        var accepted: HTTPHeaders?
        do throws(WebSocketError) {
            if let tls { transport.attach(ssl: try TLS.accept(fd: fd, context: tls, deadline: deadline, cancel: ticket?.cancel)) }
            let head: HTTPHead, rest: [UInt8]
            do {
                (head, rest) = try ClientOpener.readHead(transport, max: configuration.maxHandshakeHeaderSize,
                                                         deadline: deadline, cancel: ticket?.cancel, what: "reading an upgrade request")
            } catch {
                if ticket?.cancel.isSet == true {   // evicted for a newer connection: no answer
                    transport.close(clean: false)
                    return nil
                }
                if case .handshakeInvalid(let m) = error, m.hasPrefix("malformed") {
                    refuse(m.contains("larger than") ? 431 : 400, [], m, until: deadline)
                }
                transport.close(clean: false)
                return nil
            }
            ticket?.headRead.set()
            let request: WebSocketUpgradeRequest
            headOnly = (try? head.requestLine().method) == "HEAD"
            do {
                request = try Handshake.parseRequest(head, paths: hooks.paths)
            } catch {
                refuse(error.status, error.headers, error.body, until: deadline)
                return nil
            }
            let box = DecisionBox()
            Task {
                let decision = await hooks.decide(request)
                if !box.deliver(decision), case .accept(let headers) = decision { hooks.abandoned(HTTPHeaders(headers)) }
            }
            let waitNanos = max(0, deadline - Monotonic.now())
            if box.semaphore.wait(timeout: .now() + .nanoseconds(Int(waitNanos))) == .timedOut {
                // A decision that arrives from now on is handed to `abandoned` by the task.
                if case .accept(let headers)? = box.giveUp() { hooks.abandoned(HTTPHeaders(headers)) }
                refuse(503, [], "the server did not decide on the upgrade in time", until: Monotonic.now() + 1_000_000_000)
                return nil
            }
            switch box.value! {
            case .reject(let status, let headers, let body):
                Self.refuse(transport, status: status, headers: headers, body: body, deadline: deadline)
                return nil
            case .accept(let headers):
                accepted = HTTPHeaders(headers)
                let response = Handshake.switchingResponse(accept: AcceptKey.accept(for: request.key), headers: headers)
                try transport.writeAll(response, deadline: deadline, cancel: nil, what: "answering the upgrade")
                return try ConnectionCore(role: .server, transport: transport, config: configuration, headers: request.headers,
                                          answerHeaders: HTTPHeaders(headers), leftover: rest)
            }
        } catch {
            // Accepted, but the client is gone before the connection could start.
            if let accepted { hooks.abandoned(accepted) }
            transport.close(clean: false)
            return nil
        }
    }

    /// Refuses a connection without a thread (too many upgrades in progress): a 503 written only
    /// if the socket takes it at once (plain TCP), then closed. Best effort by design.
    static func turnAway(fd: Int32, tls: Bool, hooks: Hooks) {
        if !tls {
            let (headers, body) = hooks.refusal(status: 503, required: [("Retry-After", "1")],
                                                message: "too many connections are opening at once; try again shortly")
            let bytes = Handshake.rejectionResponse(status: 503, headers: headers, body: body)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            _ = shutdown(fd, Int32(SHUT_WR))
        }
        close(fd)
    }

    /// Sends a plain HTTP refusal, half-closes, drains briefly so the client reads it, closes.
    private static func refuse(_ transport: Transport, status: Int, headers: [(String, String)], body: String, deadline: Int64,
                               headOnly: Bool = false) {
        var bytes = Handshake.rejectionResponse(status: status, headers: headers, body: body)
        if headOnly { bytes.removeLast(body.utf8.count) }
        do {
            try transport.writeAll(bytes, deadline: deadline, cancel: nil, what: "refusing the upgrade")
            if transport.ssl == nil {
                transport.shutdownWrite()
                let drainUntil = min(deadline, Monotonic.now() + 1_000_000_000)
                while try !transport.readChunk(deadline: drainUntil, cancel: nil, what: "draining").isEmpty {}
            }
        } catch {}
        transport.close(clean: true)
    }
}
