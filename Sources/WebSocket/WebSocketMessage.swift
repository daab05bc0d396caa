/// One complete WebSocket data message: text (valid UTF-8) or binary.
public enum WebSocketMessage: Sendable, Equatable {
    case text(String)
    case binary([UInt8])

    /// Size of the payload in bytes (UTF-8 bytes for text).
    public var byteCount: Int {
        switch self {
        case .text(let s): return s.utf8.count
        case .binary(let b): return b.count
        }
    }
}
