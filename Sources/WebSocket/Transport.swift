#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenSSL

/// One non-blocking byte stream: a TCP socket, optionally wrapped in an OpenSSL session.
/// Used by exactly one thread at a time (the connection's I/O thread).
final class Transport: @unchecked Sendable {
    let fd: Int32
    private(set) var ssl: OpaquePointer?
    private var closed = false

    /// Result of one non-blocking read or write.
    enum IO {
        case bytes(Int)
        case wantRead
        case wantWrite
        case eof
        case failed(String)
    }

    init(fd: Int32, ssl: OpaquePointer? = nil) {
        self.fd = fd
        self.ssl = ssl
    }

    deinit { close(clean: false) }

    /// Adopts a TLS session established over `fd`.
    func attach(ssl: OpaquePointer) {
        self.ssl = ssl
    }

    func read(_ buf: UnsafeMutableRawBufferPointer) -> IO {
        if let ssl {
            ERR_clear_error()
            let n = SSL_read(ssl, buf.baseAddress, Int32(min(buf.count, Int(Int32.max))))
            if n > 0 { return .bytes(Int(n)) }
            return sslResult(ssl, n, reading: true)
        }
        let n = Glibc.read(fd, buf.baseAddress, buf.count)
        if n > 0 { return .bytes(n) }
        if n == 0 { return .eof }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wantRead }
        return .failed(TCPSocket.errnoString())
    }

    func write(_ buf: UnsafeRawBufferPointer) -> IO {
        if let ssl {
            ERR_clear_error()
            let n = SSL_write(ssl, buf.baseAddress, Int32(min(buf.count, 1 << 20)))
            if n > 0 { return .bytes(Int(n)) }
            return sslResult(ssl, n, reading: false)
        }
        let n = send(fd, buf.baseAddress, buf.count, Int32(MSG_NOSIGNAL))
        if n >= 0 { return .bytes(n) }
        if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return .wantWrite }
        return .failed(TCPSocket.errnoString())
    }

    /// With TLS 1.3 a server checks the client's certificate after the client's handshake is
    /// done: one that asked for it (mutual TLS) and got none closes the connection before the
    /// upgrade's answer. Said as such, and not retried (a TLS failure is fatal).
    private var clientCertificateRefusal: WebSocketError? {
        guard let ssl, captty_SSL_client_cert_was_asked(ssl) != 0 else { return nil }
        return .tls(TLS.clientCertificateAsked())
    }

    /// Bytes OpenSSL has decrypted but not yet returned (poll cannot see them).
    var hasBufferedInput: Bool { ssl.map { SSL_pending($0) > 0 } ?? false }

    private func sslResult(_ ssl: OpaquePointer, _ n: Int32, reading: Bool) -> IO {
        let e = SSL_get_error(ssl, n)
        switch e {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .eof
        case SSL_ERROR_SYSCALL:
            let err = errno
            if n == 0 || err == 0 { return .eof }  // EOF without close_notify
            if err == EAGAIN || err == EINTR { return reading ? .wantRead : .wantWrite }
            return .failed(TCPSocket.errnoString(err))
        default:
            return .failed("TLS error: \(TLS.errorQueueString())")
        }
    }

    /// Blocking-with-deadline read used during the handshake phase; 0 means EOF.
    func readSome(into buf: UnsafeMutableRawBufferPointer, deadline: Int64, cancel: CancelFlag?, what: String) throws(WebSocketError) -> Int {
        while true {
            switch read(buf) {
            case .bytes(let n): return n
            case .eof:
                if let refusal = clientCertificateRefusal { throw refusal }
                return 0
            case .wantRead: try TCPSocket.wait(fd, events: Int16(POLLIN), deadline: deadline, cancel: cancel, what: what)
            case .wantWrite: try TCPSocket.wait(fd, events: Int16(POLLOUT), deadline: deadline, cancel: cancel, what: what)
            case .failed(let m):
                if let refusal = clientCertificateRefusal { throw refusal }
                throw .connectFailed(host: "", port: 0, reason: "\(what): \(m)")
            }
        }
    }

    /// Up to `max` bytes read before `deadline`; empty at EOF.
    func readChunk(max: Int = 4096, deadline: Int64, cancel: CancelFlag?, what: String) throws(WebSocketError) -> [UInt8] {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max, alignment: 8)
        defer { raw.deallocate() }
        let n = try readSome(into: raw, deadline: deadline, cancel: cancel, what: what)
        return Array(raw.bindMemory(to: UInt8.self)[0..<n])
    }

    /// Writes everything before `deadline`.
    func writeAll(_ bytes: [UInt8], deadline: Int64, cancel: CancelFlag?, what: String) throws(WebSocketError) {
        var off = 0
        while off < bytes.count {
            let r = bytes.withUnsafeBytes { raw in write(UnsafeRawBufferPointer(rebasing: raw[off...])) }
            switch r {
            case .bytes(let n): off += n
            case .wantRead: try TCPSocket.wait(fd, events: Int16(POLLIN), deadline: deadline, cancel: cancel, what: what)
            case .wantWrite: try TCPSocket.wait(fd, events: Int16(POLLOUT), deadline: deadline, cancel: cancel, what: what)
            case .eof: throw .connectFailed(host: "", port: 0, reason: "\(what): connection closed by peer")
            case .failed(let m): throw .connectFailed(host: "", port: 0, reason: "\(what): \(m)")
            }
        }
    }

    /// Closes the session (a best-effort TLS close_notify when `clean`) and the socket. Idempotent.
    func close(clean: Bool) {
        guard !closed else { return }
        closed = true
        if let ssl {
            if clean { ERR_clear_error(); _ = SSL_shutdown(ssl) }
            SSL_free(ssl)
            self.ssl = nil
        }
        Glibc.close(fd)
    }

    /// Half-close of the TCP write side (after the close handshake) so the peer sees EOF.
    func shutdownWrite() {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }
}
