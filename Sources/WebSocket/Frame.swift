/// The opcode of a WebSocket frame (RFC 6455 §5.2).
public enum Opcode: UInt8, Sendable, Equatable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    /// Control frames (close, ping, pong) may not be fragmented and carry at most 125 bytes.
    public var isControl: Bool { rawValue & 0x8 != 0 }
}

/// One decoded WebSocket frame, payload already unmasked.
public struct Frame: Sendable, Equatable {
    public var fin: Bool
    public var opcode: Opcode
    public var payload: [UInt8]

    public init(fin: Bool = true, opcode: Opcode, payload: [UInt8] = []) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }
}

/// A protocol violation found while decoding: the close code to fail the connection with and why.
public struct FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1002 protocol error, 1007 invalid payload data, 1009 message too big.
    public var code: UInt16
    public var reason: String
    /// For 1009: the size (bytes) that went over the limit.
    public var size: Int

    public init(code: UInt16, reason: String, size: Int = 0) {
        self.code = code
        self.reason = reason
        self.size = size
    }

    public var description: String { "\(code): \(reason)" }

    static func protocolError(_ reason: String) -> FrameError { FrameError(code: CloseCode.protocolError, reason: reason) }
    static func invalidData(_ reason: String) -> FrameError { FrameError(code: CloseCode.invalidPayload, reason: reason) }
    static func tooBig(_ reason: String, size: Int) -> FrameError { FrameError(code: CloseCode.messageTooBig, reason: reason, size: size) }
}
