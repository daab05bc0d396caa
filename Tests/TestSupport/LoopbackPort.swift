import Foundation

public struct LoopbackPortError: Error, CustomStringConvertible {
    public var description: String
}

/// A TCP socket (close-on-exec: the captty processes tests start do not hold it) bound to an
/// ephemeral port on 127.0.0.1, not listening; returns it and the port.
private func boundLoopbackSocket() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw LoopbackPortError(description: "socket() failed") }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else {
        close(fd)
        throw LoopbackPortError(description: "bind() on 127.0.0.1 failed")
    }
    return (fd, Int(UInt16(bigEndian: addr.sin_port)))
}

/// A free TCP port on 127.0.0.1: bound to port 0 and released, so nothing listens there until
/// the caller binds it (or, left alone, a connection to it is refused).
public func freeLoopbackPort() throws -> Int {
    let (fd, port) = try boundLoopbackSocket()
    close(fd)
    return port
}

/// A TCP port on 127.0.0.1 where connections are refused for as long as this lives: a socket
/// is bound there and never listens. Unlike a port from `freeLoopbackPort()`, nothing else
/// can take it meanwhile (another test's server, run alongside in a second process; or a
/// connection's own source port, which makes a TCP self-connect that "answers").
public final class RefusingLoopbackPort: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        (fd, port) = try boundLoopbackSocket()
    }

    deinit { close(fd) }

    /// One for the whole test process, for tests that only need connections refused.
    public static let shared: Result<RefusingLoopbackPort, Error> = Result { try RefusingLoopbackPort() }
}

/// A loopback port where connections are refused for the whole test run (see
/// `RefusingLoopbackPort`); for a port a server will bind later, use `freeLoopbackPort()`.
public func refusingLoopbackPort() throws -> Int {
    try RefusingLoopbackPort.shared.get().port
}
