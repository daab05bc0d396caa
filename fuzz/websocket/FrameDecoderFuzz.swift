// libFuzzer target: the frame decoder and message assembler on arbitrary bytes.
// Built by fuzz/websocket/run.sh together with the pure-Swift sources of Sources/WebSocket.
//
// Input: byte 0 picks the role (bit 0: expect masked) and the split pattern (bits 1-7);
// the rest is fed to the decoder in chunks. Properties checked on every input:
//  - no crash, no hang, no unbounded memory (limits are small);
//  - a decoded frame re-encodes and decodes to the same frame;
//  - an error is a protocol error with code 1002, 1007 or 1009, and is sticky.

@_cdecl("LLVMFuzzerTestOneInput")
public func frameDecoderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let masked = bytes[0] & 1 == 1
    let step = Int(bytes[0] >> 1) + 1
    var decoder = FrameDecoder(expectMasked: masked, maxFrameSize: 1 << 16)
    var assembler = MessageAssembler(maxMessageSize: 1 << 17)
    var i = 1
    outer: while i < bytes.count {
        let end = min(bytes.count, i + step)
        decoder.feed(bytes[i..<end])
        i = end
        while true {
            let frame: Frame?
            do {
                frame = try decoder.next()
            } catch {
                precondition([1002, 1007, 1009].contains(error.code), "unexpected close code \(error.code)")
                do { _ = try decoder.next(); preconditionFailure("decoder error is not sticky") } catch {}
                break outer
            }
            guard let frame else { break }
            // Round trip through the encoder (same role as the sender).
            let again = FrameEncoder(masking: masked).encode(frame)
            var d2 = FrameDecoder(expectMasked: masked, maxFrameSize: 1 << 16)
            d2.feed(again)
            do {
                let f2 = try d2.next()
                precondition(f2 == frame, "round trip changed the frame")
            } catch {
                preconditionFailure("re-encoded frame does not decode: \(error)")
            }
            do {
                if case .message(.text(let s))? = try assembler.receive(frame) {
                    precondition(UTF8Validator.isValid(Array(s.utf8)))
                }
            } catch {
                precondition([1002, 1007, 1009].contains(error.code), "unexpected close code \(error.code)")
                break outer
            }
        }
    }
    return 0
}
