/// Joins frames into messages (RFC 6455 §5.4): fragments, control frames interleaved between
/// them, UTF-8 validation of text across fragments, and the message size limit.
public struct MessageAssembler: Sendable {
    /// What one frame amounts to once assembled.
    public enum Event: Sendable, Equatable {
        case message(WebSocketMessage)
        case ping([UInt8])
        case pong([UInt8])
        /// The peer's close frame; `code` is nil when it carried no status (1005).
        case close(code: UInt16?, reason: String)
    }

    public let maxMessageSize: Int
    private var opcode: Opcode?          // of the message being assembled
    private var parts: [UInt8] = []
    private var utf8 = UTF8Validator()

    public init(maxMessageSize: Int = 16 << 20) {
        self.maxMessageSize = maxMessageSize
    }

    /// `true` while a fragmented message is incomplete.
    public var isAssembling: Bool { opcode != nil }

    /// Bytes of the incomplete message held so far.
    public var bufferedByteCount: Int { parts.count }

    /// Feeds one frame; returns an event when it completes something, throws on a violation.
    public mutating func receive(_ frame: Frame) throws(FrameError) -> Event? {
        switch frame.opcode {
        case .ping: return .ping(frame.payload)
        case .pong: return .pong(frame.payload)
        case .close: return try Self.parseClose(frame.payload)
        case .text, .binary:
            if opcode != nil { throw .protocolError("new \(frame.opcode) message started before the fragmented message ended") }
            opcode = frame.opcode
            parts.removeAll(keepingCapacity: false)
            utf8 = UTF8Validator()
        case .continuation:
            if opcode == nil { throw .protocolError("continuation frame without a message to continue") }
        }
        if parts.count + frame.payload.count > maxMessageSize {
            let size = parts.count + frame.payload.count
            reset()
            throw .tooBig("message of at least \(size) bytes exceeds the limit of \(maxMessageSize) bytes", size: size)
        }
        if opcode == .text && !utf8.consume(frame.payload) {
            reset()
            throw .invalidData("text message is not valid UTF-8")
        }
        if parts.isEmpty && frame.fin {
            parts = frame.payload
        } else {
            parts.append(contentsOf: frame.payload)
        }
        guard frame.fin else { return nil }
        let kind = opcode
        let bytes = parts
        reset()
        if kind == .text {
            if !utf8.isComplete { utf8 = UTF8Validator(); throw .invalidData("text message ends inside a UTF-8 sequence") }
            utf8 = UTF8Validator()
            return .message(.text(String(decoding: bytes, as: UTF8.self)))
        }
        return .message(.binary(bytes))
    }

    private mutating func reset() {
        opcode = nil
        parts = []
    }

    /// Parses a close frame payload: empty, or a 2-byte sendable code then a UTF-8 reason.
    public static func parseClose(_ payload: [UInt8]) throws(FrameError) -> Event {
        if payload.isEmpty { return .close(code: nil, reason: "") }
        if payload.count == 1 { throw .protocolError("close frame with a 1-byte payload") }
        let code = UInt16(payload[0]) << 8 | UInt16(payload[1])
        guard CloseCode.isSendable(code) else { throw .protocolError("close frame with invalid code \(code)") }
        let reason = payload[2...]
        guard UTF8Validator.isValid(reason) else { throw .invalidData("close reason is not valid UTF-8") }
        return .close(code: code, reason: String(decoding: reason, as: UTF8.self))
    }
}
