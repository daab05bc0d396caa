import Foundation

public struct LoopbackPortError: Error, CustomStringConvertible {
    public var description: String
}

/// A free TCP port on 127.0.0.1: bound to port 0 and released, so nothing listens there until
/// the caller binds it (or, left alone, a connection to it is refused).
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw LoopbackPortError(description: "socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw LoopbackPortError(description: "bind() on 127.0.0.1 failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
