#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// The engine of one open WebSocket: a dedicated I/O thread runs a poll loop over the socket
/// (and its TLS session) and a wake pipe; the `WebSocket` actor talks to it through a small
/// locked state (the bounded send queue, close requests, the final close code).
///
/// When nothing is queued or half written, `enqueue` writes the frames itself from the calling
/// thread (one `send` instead of waking the I/O thread for every audio chunk). `ioLock` makes
/// that safe: whoever holds it owns the transport (socket and TLS session) and the I/O state;
/// the I/O thread holds it for everything but its `poll`.
///
/// Reads are decoded and delivered to the message stream; pings are answered; the heartbeat
/// pings and declares the peer dead after `deadAfter` without a byte; protocol violations fail
/// the connection with 1002/1007/1009; the close handshake is bounded by `closeTimeout`.
final class ConnectionCore: @unchecked Sendable {
    enum Role: Sendable { case client, server }

    /// Small queued data frames are joined into writes of up to this many bytes.
    static let coalesceLimit = 64 * 1024

    let role: Role
    let config: WebSocketConfiguration
    let responseHeaders: HTTPHeaders
    /// Server role: the headers the application added to the 101 answer.
    let answerHeaders: HTTPHeaders
    let encoder: FrameEncoder
    let stream: AsyncThrowingStream<WebSocketMessage, Error>
    let inbox: Inbox
    private let transport: Transport
    private let wakePipe: WakePipe

    // MARK: shared state (guarded by `lock`)
    private enum ControlKind { case ping, pong, close }
    private struct Waiter {
        let id: UInt64
        let frames: [[UInt8]]
        let size: Int
        let cont: CheckedContinuation<Void, Error>
    }
    private let lock = Lock()
    /// Owns the transport and the "I/O thread only" state below; taken before `lock`, never after.
    private let ioLock = Lock()
    private var dataQueue: [[UInt8]] = []
    private var dataHead = 0
    private var userClose: [UInt8]?            // our close frame, sent after queued data
    private var controlQueue: [(ControlKind, [UInt8])] = []
    private var queuedBytes = 0
    private var highWater = 0
    private var waiters: [Waiter] = []
    private var cancelledWaiters: Set<UInt64> = []
    private var nextWaiterID: UInt64 = 0
    private var sendError: WebSocketError?
    private var closeRequestedAt: Int64?
    private var finished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []
    private var finalCode: UInt16?
    private var finalReason = ""

    // MARK: I/O state (guarded by `ioLock`: the I/O thread, or a sender writing directly)
    private var decoder: FrameDecoder
    private var assembler: MessageAssembler
    private var current: [UInt8] = []
    private var currentOffset = 0
    private var currentIsData = false
    private var currentIsClose = false
    private var closeTaken = false            // a close frame became `current`: nothing may follow it
    private var closeSent = false             // ... and was fully written
    private var closeQueued = false           // we have queued a close frame (user, echo or failure)
    private var receivedClose: (code: UInt16?, reason: String)?
    /// Server role: the client shut down its sending side (TCP half-close) without a close
    /// frame. Nothing more can arrive, but it may still be reading: what the application sends
    /// (the results of audio it already sent, e.g. after CloseStream) still goes out, and the
    /// connection ends once our close frame is written.
    private var readClosed = false
    /// When the half-closed connection last wrote (or was half-closed): one the application
    /// neither writes to nor closes ends after `halfClosedLimit` (4 × `deadAfter`).
    private var lastWriteAfterHalfClose: Int64 = 0
    private var halfClosedLimit: Duration { config.deadAfter * 4 }
    private var failure: (error: WebSocketError, code: UInt16, reason: String)?
    /// After a failure's close frame went out: what the peer still sends is read and dropped
    /// until it closes (bounded by `drainLimit`). Closing with its data unread made the kernel
    /// reset the connection, and a peer still uploading (a 19 MB message over the limit) lost
    /// our close frame with its 1009 and reason in 5 of 6 runs (found in QA with the Deepgram SDK).
    private var draining = false
    static let drainLimit = Duration.seconds(2)
    private var closeDeadline: Int64?
    private var lastReceive: Int64 = 0
    /// Since when the socket has taken none of what waits to be written (nil: not blocked).
    private var writeBlockedSince: Int64?
    /// The kernel's count of bytes the peer acknowledged, and since when it has not moved
    /// while bytes wait in the send queue (`peerTakesNoData`).
    private var ackWatch: (acked: UInt64, since: Int64)?
    private var lastProgressCheck: Int64 = 0
    private var nextPing: Int64?
    private var wantPollOut = false
    private var sawCloseRequest = false
    private var pingCounter: UInt32 = 0
    /// `config.readLoop`'s thread reads the socket (see there); the I/O thread then leaves the
    /// socket out of its poll. Ends for good at the first thing out of the ordinary.
    private var hosted = false
    private var stopHosting: (@Sendable () -> Void)?
    private var hostBuffer: ReadBuffer?

    init(role: Role, transport: Transport, config: WebSocketConfiguration, headers: HTTPHeaders,
         answerHeaders: HTTPHeaders = HTTPHeaders(), leftover: [UInt8]) throws(WebSocketError) {
        self.role = role
        self.transport = transport
        self.config = config
        self.responseHeaders = headers
        self.answerHeaders = answerHeaders
        self.encoder = FrameEncoder(masking: role == .client)
        self.decoder = FrameDecoder(expectMasked: role == .server, maxFrameSize: config.maxFrameSize)
        self.assembler = MessageAssembler(maxMessageSize: config.maxMessageSize)
        wakePipe = try WakePipe()
        inbox = Inbox(limit: config.receiveBufferLimit, wakePipe: wakePipe)
        stream = inbox.makeStream()
        TCPSocket.setNonBlocking(transport.fd)
        decoder.feed(leftover)
    }

    // MARK: - API for the actor (any thread)

    /// Waits for room in the send queue (FIFO), then queues the frames of one message.
    func enqueue(frames: [[UInt8]], size: Int) async throws {
        if tryDirectWrite(frames) { return }
        let id: UInt64 = lock.withLock { nextWaiterID += 1; return nextWaiterID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
                let outcome: Result<Bool, Error> = lock.withLock {
                    if let e = sendError { return .failure(e) }
                    if cancelledWaiters.remove(id) != nil { return .failure(CancellationError()) }
                    if waiters.isEmpty && (queuedBytes == 0 || queuedBytes + size <= config.sendQueueLimit) {
                        admit(frames, size: size)
                        return .success(true)
                    }
                    waiters.append(Waiter(id: id, frames: frames, size: size, cont: cont))
                    return .success(false)
                }
                switch outcome {
                case .failure(let e): cont.resume(throwing: e)
                case .success(true): wake(); cont.resume()
                case .success(false): break
                }
            }
        } onCancel: {
            let w: Waiter? = lock.withLock {
                if let i = waiters.firstIndex(where: { $0.id == id }) { return waiters.remove(at: i) }
                cancelledWaiters.insert(id)
                return nil
            }
            w?.cont.resume(throwing: CancellationError())
        }
        lock.withLock { _ = cancelledWaiters.remove(id) }
    }

    /// Queues a ping (ahead of data).
    func enqueuePing(_ payload: [UInt8]) throws(WebSocketError) {
        let frame = encoder.encode(fin: true, opcode: .ping, payload: payload[...])
        let err: WebSocketError? = lock.withLock {
            if let e = sendError { return e }
            controlQueue.append((.ping, frame))
            return nil
        }
        if let err { throw err }
        wake()
    }

    /// Starts the close handshake after the queued data; later sends fail.
    func requestClose(code: UInt16, reason: String) {
        let sendable = CloseCode.isSendable(code) ? code : CloseCode.normal
        let frame = encoder.encode(fin: true, opcode: .close, payload: FrameEncoder.closePayload(code: sendable, reason: reason)[...])
        let failed: [Waiter] = lock.withLock {
            guard sendError == nil, !finished else { return [] }
            sendError = .closed(code: sendable, reason: "the connection is closing (close() was called)")
            userClose = frame
            closeRequestedAt = Monotonic.now()
            let w = waiters
            waiters = []
            return w
        }
        for w in failed { w.cont.resume(throwing: WebSocketError.closed(code: sendable, reason: "the connection is closing (close() was called)")) }
        wake()
    }

    /// Returns when the I/O thread has finished and the socket is closed.
    func waitFinished() async {
        await withCheckedContinuation { (cont: CheckedContinuation<Void, Never>) in
            let done: Bool = lock.withLock {
                if finished { return true }
                finishWaiters.append(cont)
                return false
            }
            if done { cont.resume() }
        }
    }

    var closeCode: UInt16? { lock.withLock { finalCode } }
    var closeReason: String { lock.withLock { finalReason } }
    var isFinished: Bool { lock.withLock { finished } }
    /// Data bytes queued but not yet written to the socket.
    var queuedByteCount: Int { lock.withLock { queuedBytes } }
    /// The most data bytes ever queued at once.
    var queuedByteHighWater: Int { lock.withLock { highWater } }

    /// Called under `lock`.
    private func admit(_ frames: [[UInt8]], size: Int) {
        dataQueue.append(contentsOf: frames)
        queuedBytes += size
        highWater = max(highWater, queuedBytes)
    }

    private func wake() { wakePipe.wake() }

    /// Writes `frames` from the calling thread when the connection is open and nothing is
    /// queued or half written; false when they must go through the queue instead. Whatever the
    /// socket does not take at once is left to the I/O thread, in order.
    private func tryDirectWrite(_ frames: [[UInt8]]) -> Bool {
        ioLock.withLock { directWrite(frames) }
    }

    /// `tryDirectWrite`, holding `ioLock`.
    private func directWrite(_ frames: [[UInt8]]) -> Bool {
        guard failure == nil, !closeTaken, !closeQueued, currentOffset >= current.count else { return false }
        let idle: Bool = lock.withLock {
            sendError == nil && !finished && waiters.isEmpty && dataHead == dataQueue.count
                && controlQueue.isEmpty && userClose == nil && closeRequestedAt == nil
        }
        guard idle else { return false }
        var i = 0
        var off = 0
        while i < frames.count {
            let r = frames[i].withUnsafeBytes { raw in transport.write(UnsafeRawBufferPointer(rebasing: raw[off...])) }
            guard case .bytes(let n) = r else { break }
            off += n
            if off == frames[i].count { i += 1; off = 0 }
        }
        guard i < frames.count else { return true }
        // The socket is full (or failing): the I/O thread writes the rest, or meets the error.
        var rest = Array(frames[i...])
        var restSize = rest.reduce(0) { $0 + $1.count }
        if off > 0 {
            current = rest.removeFirst()
            currentOffset = off
            currentIsData = true
            currentIsClose = false
            restSize -= off
        }
        lock.withLock { admit(rest, size: restSize) }
        wantPollOut = true
        if writeBlockedSince == nil { writeBlockedSince = Monotonic.now() }
        wake()
        return true
    }

    // MARK: - I/O thread

    /// What one `poll` waits for.
    private struct PollSpec {
        var events: Int16
        var timeout: Int32
        var reading: Bool
        /// False while another thread reads the socket and nothing waits to be written.
        var pollsSocket = true
    }

    /// The poll loop; runs on the connection's dedicated thread until the connection finishes.
    /// Everything but `poll` itself runs holding `ioLock`.
    func run() {
        let bufSize = 64 * 1024
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: bufSize, alignment: 16)
        defer { buf.deallocate() }
        let started: Bool = ioLock.withLock {
            lastReceive = Monotonic.now()
            if let p = config.pingInterval { nextPing = lastReceive + p.nanoseconds }
            return processFrames()
        }
        if !started { return }
        if let readLoop = config.readLoop, role == .client { startHosting(readLoop) }
        while true {
            guard let spec = ioLock.withLock({ beforePoll() }) else { return }
            // While hosted, the socket is left out (a negative fd), unless a write waits for room.
            var fds = [pollfd(fd: spec.pollsSocket ? transport.fd : -1, events: spec.events, revents: 0),
                       pollfd(fd: wakePipe.readFD, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, spec.timeout)
            let err = errno
            guard ioLock.withLock({ afterPoll(fds, result: r, errno: err, reading: spec.reading, buf: buf) }) else { return }
        }
    }

    // MARK: - Reading on another thread (`config.readLoop`)

    /// A read buffer for the hosting thread, freed with the connection.
    private final class ReadBuffer {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        deinit { bytes.deallocate() }
    }

    /// Hands reading to `readLoop`'s thread (I/O thread, once the connection is open).
    private func startHosting(_ readLoop: @Sendable (Int32, @escaping @Sendable () -> Bool) -> @Sendable () -> Void) {
        let eligible: Bool = ioLock.withLock {
            guard ordinary else { return false }
            hosted = true
            hostBuffer = ReadBuffer()
            return true
        }
        guard eligible else { return }
        let stop = readLoop(transport.fd) { [self] in hostedRead() }
        let stale: Bool = ioLock.withLock {
            if hosted { stopHosting = stop; return false }
            return true   // already handed back (or finished) while registering
        }
        if stale { stop() }
    }

    /// Nothing out of the ordinary: open, nothing failing or closing, the consumer keeping up,
    /// no write waiting for room. Called holding `ioLock`.
    private var ordinary: Bool {
        failure == nil && !draining && !readClosed && !closeQueued && receivedClose == nil && !wantPollOut
            && !sawCloseRequest && !inbox.isFull && !lock.withLock({ finished || closeRequestedAt != nil })
    }

    /// The hosting thread's handler: reads what is there; false (and the I/O thread reads from
    /// then on) when the connection is no longer ordinary.
    private func hostedRead() -> Bool {
        var keep = false
        var wakeIOThread = false
        ioLock.withLock {
            guard hosted, let buf = hostBuffer?.bytes else { return }
            var ok = ordinary && readSome(buf)
            // TLS records already decrypted are invisible to poll: read them now.
            while ok && ordinary && transport.hasBufferedInput { ok = readSome(buf) }
            if ok && ordinary {
                keep = true
                // A pong to send (the peer pinged): the I/O thread writes it.
                wakeIOThread = lock.withLock { !controlQueue.isEmpty }
                return
            }
            // Out of the ordinary, or finished (then `finish` has already ended hosting): the
            // I/O thread takes over.
            if hosted { endHosting() }
            wakeIOThread = true
        }
        if wakeIOThread { wake() }
        return keep
    }

    /// Writes, checks timers and the heartbeat; nil when the connection finished.
    private func beforePoll() -> PollSpec? {
        while true {
            if lock.withLock({ finished }) { return nil }   // finished on the hosting thread
            // The I/O thread reads from here on when something is out of the ordinary, and also
            // when nothing came for half of `deadAfter`: a hosting thread held up (its tasks
            // busy) must not make a live peer look dead.
            if hosted && (!ordinary || Monotonic.now() - lastReceive >= config.deadAfter.nanoseconds / 2) { endHosting() }
            if !sawCloseRequest, let at = lock.withLock({ closeRequestedAt }) {
                sawCloseRequest = true
                closeQueued = true
                let d = at + config.closeTimeout.nanoseconds
                closeDeadline = min(closeDeadline ?? d, d)
            }
            if !writeSome() { return nil }
            if checkDone() { return nil }

            let now = Monotonic.now()
            if readClosed && now - lastWriteAfterHalfClose >= halfClosedLimit.nanoseconds {
                abnormal("\(Self.halfClosed), and nothing was sent to it for \(halfClosedLimit)")
                return nil
            }
            if failure == nil && !readClosed && now - lastReceive >= config.deadAfter.nanoseconds {
                abnormal("no data received for \(config.deadAfter) (heartbeat timeout: the peer or the network is gone)")
                return nil
            }
            if failure == nil, !readClosed, peerTakesNoData(now: now) {
                // The same, with the kernel's send buffer not yet full (megabytes: writes went on
                // succeeding) while the sender waits for answers: the peer acknowledged nothing of
                // what waits in it (found in QA: a server that kept sending but never read hung
                // captty for ever).
                abnormal("the peer took no data for \(config.deadAfter) (it stopped reading, or the network is stalled)")
                return nil
            }
            if failure == nil, let since = writeBlockedSince, now - since >= config.deadAfter.nanoseconds {
                // A peer that answers (pings, messages) but has stopped reading: the heartbeat
                // never fires, and sends waited for ever.
                abnormal("the peer took no data for \(config.deadAfter) (it stopped reading, or the network is stalled)")
                return nil
            }
            if let d = closeDeadline, now >= d { closeTimedOut(); return nil }
            if let np = nextPing, now >= np {
                if !closeQueued && failure == nil {
                    pingCounter &+= 1
                    let c = pingCounter
                    let payload: [UInt8] = [UInt8(c >> 24 & 0xFF), UInt8(c >> 16 & 0xFF), UInt8(c >> 8 & 0xFF), UInt8(c & 0xFF)]
                    let frame = encoder.encode(fin: true, opcode: .ping, payload: payload[...])
                    lock.withLock {
                        if !controlQueue.contains(where: { $0.0 == .ping }) { controlQueue.append((.ping, frame)) }
                    }
                }
                nextPing = now + (config.pingInterval?.nanoseconds ?? Int64.max / 2)
                continue
            }

            // Poll for input, output room (when blocked) and the wake pipe.
            var wakeAt = readClosed ? lastWriteAfterHalfClose + halfClosedLimit.nanoseconds : lastReceive + config.deadAfter.nanoseconds
            if hosted { wakeAt = min(wakeAt, lastReceive + config.deadAfter.nanoseconds / 2) }
            if let np = nextPing { wakeAt = min(wakeAt, np) }
            if let d = closeDeadline { wakeAt = min(wakeAt, d) }
            if let since = writeBlockedSince { wakeAt = min(wakeAt, since + config.deadAfter.nanoseconds) }
            if let w = ackWatch { wakeAt = min(wakeAt, max(w.since + config.deadAfter.nanoseconds, lastProgressCheck + Self.progressCheckEvery)) }
            // While the consumer is behind, stop reading: TCP flow control pushes back on the
            // peer, and silence caused by our own pause does not count against the heartbeat.
            // While closing, keep reading anyway so the peer's close frame is seen (bounded by closeTimeout).
            let paused = inbox.isFull && !closeQueued
            if paused { lastReceive = Monotonic.now() }
            let reading = (failure == nil || draining) && !paused && !readClosed && !hosted
            // No periodic wake-up: whatever needs the thread (queued data, a close request, the
            // consumer making room) writes the wake pipe, and the deadlines above bound the wait.
            var timeout = Monotonic.pollTimeout(until: wakeAt, cap: 60_000)
            if reading && transport.hasBufferedInput { timeout = 0 }
            var events: Int16 = 0
            if reading { events |= Int16(POLLIN) }
            if wantPollOut { events |= Int16(POLLOUT) }
            return PollSpec(events: events, timeout: timeout, reading: reading, pollsSocket: !hosted || events != 0)
        }
    }

    /// Handles what `poll` reported; false when the connection finished.
    private func afterPoll(_ fds: [pollfd], result r: Int32, errno err: Int32, reading: Bool,
                           buf: UnsafeMutableRawBufferPointer) -> Bool {
        if r < 0 && err != EINTR {
            abnormal("poll failed: \(TCPSocket.errnoString(err))")
            return false
        }
        if fds[1].revents != 0 { wakePipe.drain() }
        if fds[0].revents & Int16(POLLOUT) != 0 { wantPollOut = false }
        if reading && (fds[0].revents != 0 || transport.hasBufferedInput) {
            if !readSome(buf) { return false }
        }
        return true
    }

    /// Reads what is available (bounded per round); false when the connection finished.
    private func readSome(_ buf: UnsafeMutableRawBufferPointer) -> Bool {
        var rounds = 0
        while rounds < 16 && (failure == nil || draining) && (closeQueued || !inbox.isFull) {
            rounds += 1
            switch transport.read(buf) {
            case .bytes(let n):
                if draining { continue }   // dropped: the connection has failed
                lastReceive = Monotonic.now()
                decoder.feed(UnsafeRawBufferPointer(rebasing: buf[0..<n]))
                if !processFrames() { return false }
            case .wantRead:
                return true
            case .wantWrite:
                wantPollOut = true
                return true
            case .eof:
                if role == .server, failure == nil, receivedClose == nil, !closeSent {
                    // A half-close, not (yet) a lost connection: the messages so far are
                    // delivered, then the inbox ends; writing goes on (a client that sent
                    // CloseStream and shut down its side still gets its results).
                    readClosed = true
                    lastWriteAfterHalfClose = Monotonic.now()
                    inbox.finish(WebSocketError.closed(code: CloseCode.abnormal, reason: Self.halfClosed))
                    return !checkDone()
                }
                return peerClosedTCP(nil)
            case .failed(let m):
                return peerClosedTCP(m)
            }
        }
        return true
    }

    static let halfClosed = "the client shut down its side of the connection without a close frame"

    /// Decodes buffered frames and reacts to them; false when the connection finished.
    private func processFrames() -> Bool {
        while failure == nil {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                // Bytes after the peer's close frame do not matter any more.
                if receivedClose == nil { failConnection(error) }
                return true
            }
            guard let frame else { return true }
            if receivedClose != nil { continue }  // nothing counts after the peer's close frame
            let event: MessageAssembler.Event?
            do { event = try assembler.receive(frame) } catch { failConnection(error); return true }
            switch event {
            case .message(let m)?:
                // While closing, reading goes on past the inbox limit to find the peer's close
                // frame; what does not fit then is dropped, or a peer streaming through our
                // close timeout could fill memory (300 MB in 5 s over loopback).
                if closeQueued && inbox.isFull { break }
                inbox.deliver(m)
            case .ping(let p)?:
                if !closeQueued {
                    let pong = encoder.encode(fin: true, opcode: .pong, payload: p[...])
                    lock.withLock {
                        controlQueue.removeAll { $0.0 == .pong }   // answer the latest ping only
                        controlQueue.append((.pong, pong))
                    }
                }
            case .pong?, nil:
                break
            case .close(let code, let reason)?:
                receivedClose = (code, reason)
                let d = Monotonic.now() + config.closeTimeout.nanoseconds
                closeDeadline = min(closeDeadline ?? d, d)
                // No message can follow a close frame: the consumer learns the code and sees the
                // end of `messages` now, not when the TCP connection is torn down (which waits
                // for the peer, up to `closeTimeout`, e.g. a server that stopped reading).
                lock.withLock { if !finished { finalCode = code ?? CloseCode.noStatus; finalReason = reason } }
                inbox.finish(nil)
                if !closeQueued {
                    closeQueued = true
                    let payload = code.map { FrameEncoder.closePayload(code: $0, reason: "") } ?? []
                    let echo = encoder.encode(fin: true, opcode: .close, payload: payload[...])
                    let failed = dropDataAndFailSends(.closed(code: code ?? CloseCode.noStatus, reason: reason), withControl: (.close, echo))
                    for w in failed { w.cont.resume(throwing: WebSocketError.closed(code: code ?? CloseCode.noStatus, reason: reason)) }
                }
            }
        }
        return true
    }

    /// Fails the connection for a protocol violation: a close frame with the code goes first,
    /// queued data is dropped, reading stops.
    private func failConnection(_ e: FrameError) {
        let error: WebSocketError = e.code == CloseCode.messageTooBig
            ? .messageTooBig(e.size) : .protocolViolation(code: e.code, reason: e.reason)
        failure = (error, e.code, e.reason)
        let d = Monotonic.now() + config.closeTimeout.nanoseconds
        closeDeadline = min(closeDeadline ?? d, d)
        let closeFrame = encoder.encode(fin: true, opcode: .close, payload: FrameEncoder.closePayload(code: e.code, reason: e.reason)[...])
        // Our close frame goes out unless one already has (or is being written).
        let failed = dropDataAndFailSends(error, withControl: closeTaken ? nil : (.close, closeFrame))
        closeQueued = true
        for w in failed { w.cont.resume(throwing: error) }
    }

    private func dropDataAndFailSends(_ error: WebSocketError, withControl: (ControlKind, [UInt8])?) -> [Waiter] {
        lock.withLock {
            if sendError == nil { sendError = error }
            dataQueue = []
            dataHead = 0
            userClose = nil
            queuedBytes = 0
            controlQueue.removeAll()
            if let withControl { controlQueue.append(withControl) }
            let w = waiters
            waiters = []
            return w
        }
    }

    /// Moves the next frame to `current`; false when nothing is left to write.
    private func fillCurrent() -> Bool {
        if currentOffset < current.count { return true }
        if currentIsClose { closeSent = true }
        currentIsData = false
        currentIsClose = false
        current = []
        currentOffset = 0
        if closeTaken { return false }
        return lock.withLock {
            if !controlQueue.isEmpty {
                let (kind, bytes) = controlQueue.removeFirst()
                current = bytes
                currentIsClose = kind == .close
            } else if dataHead < dataQueue.count {
                current = dataQueue[dataHead]
                dataQueue[dataHead] = []
                dataHead += 1
                // Coalesce small frames into one write (one syscall / TLS record for many).
                while current.count < Self.coalesceLimit, dataHead < dataQueue.count,
                      current.count + dataQueue[dataHead].count <= Self.coalesceLimit {
                    current.append(contentsOf: dataQueue[dataHead])
                    dataQueue[dataHead] = []
                    dataHead += 1
                }
                if dataHead == dataQueue.count { dataQueue.removeAll(keepingCapacity: true); dataHead = 0 }
                currentIsData = true
            } else if let c = userClose {
                current = c
                userClose = nil
                currentIsClose = true
            } else {
                return false
            }
            if currentIsClose { closeTaken = true }
            return true
        }
    }

    /// At most once a second: whether bytes have waited in the kernel's send queue for
    /// `deadAfter` without the peer acknowledging any of them.
    private func peerTakesNoData(now: Int64) -> Bool {
        guard now - lastProgressCheck >= Self.progressCheckEvery else {
            return ackWatch.map { now - $0.since >= config.deadAfter.nanoseconds } ?? false
        }
        lastProgressCheck = now
        guard let p = Self.sendProgress(fd: transport.fd), p.queued > 0 else { ackWatch = nil; return false }
        if let w = ackWatch, w.acked == p.acked { return now - w.since >= config.deadAfter.nanoseconds }
        ackWatch = (p.acked, now)
        return false
    }

    static let progressCheckEvery: Int64 = 1_000_000_000

    /// Bytes in the socket's send queue (SIOCOUTQ) and the peer's acknowledged byte count
    /// (`tcpi_bytes_acked` of TCP_INFO, at its fixed offset since Linux 4.1); nil when the
    /// kernel does not say (then only a full send buffer is noticed).
    static func sendProgress(fd: Int32) -> (queued: Int32, acked: UInt64)? {
        var queued: Int32 = 0
        guard ioctl(fd, 0x5411 /* SIOCOUTQ */, &queued) == 0 else { return nil }
        var info = [UInt8](repeating: 0, count: 256)
        var len = socklen_t(info.count)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &len) == 0, len >= 128 else { return nil }
        let acked = info.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 120, as: UInt64.self) }
        return (queued, acked)
    }

    /// Writes until the socket would block or nothing is left; false when the connection finished.
    private func writeSome() -> Bool {
        while fillCurrent() {
            let r = current.withUnsafeBytes { raw in
                transport.write(UnsafeRawBufferPointer(rebasing: raw[currentOffset...]))
            }
            switch r {
            case .bytes(let n):
                currentOffset += n
                if n > 0 { writeBlockedSince = nil }
                if readClosed { lastWriteAfterHalfClose = Monotonic.now() }
                if currentIsData { dataWritten(n) }
            case .wantWrite, .wantRead:
                wantPollOut = true
                if writeBlockedSince == nil { writeBlockedSince = Monotonic.now() }
                return true
            case .eof:
                return peerClosedTCP(nil)
            case .failed(let m):
                return peerClosedTCP(m)
            }
        }
        return true
    }

    /// Accounts written data bytes and admits waiting sends in order.
    private func dataWritten(_ n: Int) {
        let ready: [CheckedContinuation<Void, Error>] = lock.withLock {
            queuedBytes = max(0, queuedBytes - n)
            var ready: [CheckedContinuation<Void, Error>] = []
            while let w = waiters.first, queuedBytes == 0 || queuedBytes + w.size <= config.sendQueueLimit {
                waiters.removeFirst()
                admit(w.frames, size: w.size)
                ready.append(w.cont)
            }
            return ready
        }
        for c in ready { c.resume() }
    }

    /// After close frames went both ways (or a failure's close frame went out): finish.
    private func checkDone() -> Bool {
        if failure != nil, closeSent {
            if !draining {
                draining = true
                transport.shutdownWrite()
                let d = Monotonic.now() + Self.drainLimit.nanoseconds
                closeDeadline = min(closeDeadline ?? d, d)
            }
            return false   // finished when the peer closes, or at the deadline
        }
        if readClosed, closeSent {
            // No close frame can come back from a peer that shut down its sending side.
            transport.shutdownWrite()
            finish(error: nil, code: CloseCode.abnormal, reason: Self.halfClosed, clean: false)
            return true
        }
        if let rc = receivedClose, closeSent {
            if role == .server {
                // The server closes the TCP connection first (RFC 6455 §7.1.1).
                finish(error: nil, code: rc.code ?? CloseCode.noStatus, reason: rc.reason, clean: true)
                return true
            }
            // Client: wait (bounded by closeDeadline) for the server to close TCP.
        }
        return false
    }

    private func peerClosedTCP(_ error: String?) -> Bool {
        if let f = failure {
            finish(error: f.error, code: f.code, reason: f.reason, clean: false)
        } else if let rc = receivedClose {
            finish(error: nil, code: rc.code ?? CloseCode.noStatus, reason: rc.reason, clean: false)
        } else {
            abnormal(error.map { "connection lost: \($0)" } ?? "the peer closed the connection without a close frame")
        }
        return false
    }

    private func closeTimedOut() {
        if let f = failure {
            finish(error: f.error, code: f.code, reason: f.reason, clean: false)
        } else if let rc = receivedClose {
            finish(error: nil, code: rc.code ?? CloseCode.noStatus, reason: rc.reason, clean: closeSent)
        } else {
            abnormal("the peer did not answer the close frame within \(config.closeTimeout)")
        }
    }

    private func abnormal(_ reason: String) {
        finish(error: .closed(code: CloseCode.abnormal, reason: reason), code: CloseCode.abnormal, reason: reason, clean: false)
    }

    /// Takes reading back from the hosting thread (holding `ioLock`). Its handler, if running,
    /// returns false; otherwise it is not called again once `stop` returns.
    private func endHosting() {
        hosted = false
        let stop = stopHosting
        stopHosting = nil
        stop?()
    }

    private func finish(error: WebSocketError?, code: UInt16, reason: String, clean: Bool) {
        // The hosting thread lets go of the socket before it is closed (its number may be reused).
        if hosted { endHosting() }
        let (w, f): ([Waiter], [CheckedContinuation<Void, Never>]) = lock.withLock {
            finished = true
            finalCode = code
            finalReason = reason
            if sendError == nil || error != nil { sendError = error ?? .closed(code: code, reason: reason) }
            dataQueue = []
            dataHead = 0
            controlQueue = []
            userClose = nil
            queuedBytes = 0
            let w = waiters
            waiters = []
            let f = finishWaiters
            finishWaiters = []
            return (w, f)
        }
        transport.close(clean: clean)
        let sendErr = error ?? .closed(code: code, reason: reason)
        for x in w { x.cont.resume(throwing: sendErr) }
        inbox.finish(error)
        for c in f { c.resume() }
    }
}
