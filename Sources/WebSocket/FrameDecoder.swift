/// Incremental RFC 6455 frame decoder: feed bytes in any split, take complete frames out.
///
/// Checks everything that can be checked per frame: RSV bits (no extension is ever negotiated),
/// reserved opcodes, control frames that are fragmented or longer than 125 bytes, the masking rule
/// of the role (a server requires masked frames, a client rejects them), non-minimal or 64-bit
/// lengths with the top bit set, and `maxFrameSize`. Message-level rules live in `MessageAssembler`.
public struct FrameDecoder: Sendable {
    /// `true` when decoding frames sent by a client (server role): every frame must be masked.
    public let expectMasked: Bool
    public let maxFrameSize: Int

    private var buffer: [UInt8] = []
    private var start = 0
    private var failed: FrameError?

    public init(expectMasked: Bool, maxFrameSize: Int = 16 << 20) {
        self.expectMasked = expectMasked
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet returned as part of a frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Appends received bytes.
    public mutating func feed<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Appends received bytes from raw memory.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        feed(bytes.bindMemory(to: UInt8.self))
    }

    /// Returns the next complete frame, `nil` when more bytes are needed, or throws on a
    /// protocol violation (and keeps throwing it: the stream cannot be resynchronised).
    public mutating func next() throws(FrameError) -> Frame? {
        if let failed { throw failed }
        do {
            return try decode()
        } catch {
            failed = error
            throw error
        }
    }

    private mutating func decode() throws(FrameError) -> Frame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let b0 = buffer[start], b1 = buffer[start + 1]
        if b0 & 0x70 != 0 {
            throw .protocolError("reserved bits set (RSV \(String(b0 >> 4 & 0x7, radix: 2))) but no extension was negotiated")
        }
        guard let opcode = Opcode(rawValue: b0 & 0x0F) else {
            throw .protocolError("reserved opcode 0x\(String(b0 & 0x0F, radix: 16))")
        }
        let fin = b0 & 0x80 != 0
        let masked = b1 & 0x80 != 0
        if opcode.isControl && !fin { throw .protocolError("fragmented control frame (\(opcode))") }
        if masked != expectMasked {
            throw .protocolError(expectMasked ? "client frame is not masked" : "server frame is masked")
        }
        let len7 = Int(b1 & 0x7F)
        if opcode.isControl && len7 > 125 { throw .protocolError("control frame (\(opcode)) longer than 125 bytes") }
        var header = 2
        var length: UInt64
        switch len7 {
        case 126:
            guard available >= 4 else { return nil }
            length = UInt64(buffer[start + 2]) << 8 | UInt64(buffer[start + 3])
            header = 4
            if length < 126 { throw .protocolError("frame length \(length) not minimally encoded") }
        case 127:
            guard available >= 10 else { return nil }
            length = 0
            for i in 0..<8 { length = length << 8 | UInt64(buffer[start + 2 + i]) }
            header = 10
            if length & (1 << 63) != 0 { throw .protocolError("frame length has the most significant bit set") }
            if length <= 0xFFFF { throw .protocolError("frame length \(length) not minimally encoded") }
        default:
            length = UInt64(len7)
        }
        if length > UInt64(maxFrameSize) {
            throw .tooBig("frame of \(length) bytes exceeds the limit of \(maxFrameSize) bytes", size: Int(clamping: length))
        }
        let maskOffset = start + header
        if masked { header += 4 }
        let total = header + Int(length)
        guard available >= total else { return nil }
        let payloadStart = start + header
        var payload = Array(buffer[payloadStart..<payloadStart + Int(length)])
        if masked {
            let key = (buffer[maskOffset], buffer[maskOffset + 1], buffer[maskOffset + 2], buffer[maskOffset + 3])
            Masking.apply(key: key, to: &payload)
        }
        start += total
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.count <= 1 << 20)
            start = 0
        }
        return Frame(fin: fin, opcode: opcode, payload: payload)
    }
}
