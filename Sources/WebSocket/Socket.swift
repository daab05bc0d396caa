#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemSupport

/// Monotonic time in nanoseconds, for deadlines on I/O threads.
enum Monotonic {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Milliseconds until `deadline` for poll(), clamped to [0, cap].
    static func pollTimeout(until deadline: Int64, cap: Int32 = 100) -> Int32 {
        let ms = (deadline - now() + 999_999) / 1_000_000
        return Int32(max(0, min(Int64(cap), ms)))
    }
}

/// Cancellation of a blocking open.
typealias CancelFlag = SetOnceFlag

/// POSIX TCP sockets: name resolution, connect with a deadline, listen, poll.
enum TCPSocket {
    static func errnoString(_ e: Int32 = errno) -> String { String(cString: strerror(e)) }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Waits until `fd` has one of `events`; returns false on deadline. Checks `cancel` every 100 ms.
    static func wait(_ fd: Int32, events: Int16, deadline: Int64, cancel: CancelFlag?, what: String) throws(WebSocketError) {
        while true {
            if cancel?.isSet == true { throw .timeout("\(what): cancelled") }
            if Monotonic.now() >= deadline { throw .timeout(what) }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let r = poll(&p, 1, Monotonic.pollTimeout(until: deadline))
            if r > 0 { return }
            if r < 0 && errno != EINTR { throw .connectFailed(host: "", port: 0, reason: "poll: \(errnoString())") }
        }
    }

    /// Resolves `host` (IPv4 and IPv6) and connects to the first address that answers before `deadline`.
    static func connect(host: String, port: Int, deadline: Int64, cancel: CancelFlag?) throws(WebSocketError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        var rc = getaddrinfo(host, String(port), &hints, &list)
        if rc != 0, hints.ai_flags != 0 {
            // AI_ADDRCONFIG hides ::1 on hosts with only loopback IPv6; retry without it.
            hints.ai_flags = 0
            rc = getaddrinfo(host, String(port), &hints, &list)
        }
        guard rc == 0, let first = list else {
            throw .connectFailed(host: host, port: port, reason: "cannot resolve host: \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var reasons: [String] = []
        var ai: UnsafeMutablePointer<addrinfo>? = first
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
            if fd < 0 { reasons.append("socket: \(errnoString())"); continue }
            setNonBlocking(fd)
            let addr = describe(a.pointee.ai_addr)
            if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 {
                setNoDelay(fd); return fd
            }
            guard errno == EINPROGRESS else {
                reasons.append("\(addr): \(errnoString())"); close(fd); continue
            }
            do {
                try wait(fd, events: Int16(POLLOUT), deadline: deadline, cancel: cancel, what: "connecting to \(HostPort.text(host, port))")
            } catch {
                close(fd)
                if case .timeout = error {
                    throw .timeout("no TCP connection to \(HostPort.text(host, port)) (\(addr)) within the connect timeout")
                }
                throw error
            }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err == 0 { setNoDelay(fd); return fd }
            reasons.append("\(addr): \(errnoString(err))")
            close(fd)
        }
        // With one address its name adds nothing; with several, say which failed how.
        let reason = reasons.count == 1 ? String(reasons[0].split(separator: " ", maxSplits: 1).last ?? "") : reasons.joined(separator: "; ")
        throw .connectFailed(host: host, port: port, reason: reason)
    }

    /// A listening socket bound to `host:port` (port 0 = ephemeral); returns the fd and actual port.
    static func listen(host: String, port: Int, backlog: Int32 = 64) throws(WebSocketError) -> (fd: Int32, port: Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let a = list else {
            throw .connectFailed(host: host, port: port, reason: "cannot resolve listen address: \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(a.pointee.ai_family, a.pointee.ai_socktype, a.pointee.ai_protocol)
        guard fd >= 0 else { throw .connectFailed(host: host, port: port, reason: "socket: \(errnoString())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 else {
            let e = errnoString(); close(fd)
            throw .connectFailed(host: host, port: port, reason: "cannot listen: bind: \(e)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let e = errnoString(); close(fd)
            throw .connectFailed(host: host, port: port, reason: "cannot listen: \(e)")
        }
        setNonBlocking(fd)
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let actual = withUnsafeMutablePointer(to: &ss) { p -> Int in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sp in
                getsockname(fd, sp, &len)
                return portOf(sp)
            }
        }
        return (fd, actual)
    }

    static func portOf(_ sa: UnsafePointer<sockaddr>) -> Int {
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
        default: return 0
        }
    }

    /// "1.2.3.4:80" / "[::1]:80" for messages.
    static func describe(_ sa: UnsafePointer<sockaddr>?) -> String {
        guard let sa else { return "?" }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(sa.pointee.sa_family) {
        case AF_INET:
            return sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { p in
                var a = p.pointee.sin_addr
                inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count))
                return "\(String(cBuffer: buf)):\(UInt16(bigEndian: p.pointee.sin_port))"
            }
        case AF_INET6:
            return sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { p in
                var a = p.pointee.sin6_addr
                inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count))
                return "[\(String(cBuffer: buf))]:\(UInt16(bigEndian: p.pointee.sin6_port))"
            }
        default: return "?"
        }
    }

    /// Whether `host` is a numeric IPv4 or IPv6 address (no SNI, IP-address verification).
    static func isIPLiteral(_ host: String) -> Bool {
        var a4 = in_addr(), a6 = in6_addr()
        return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1
    }
}
