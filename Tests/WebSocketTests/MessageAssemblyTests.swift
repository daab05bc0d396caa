import Testing
@testable import WebSocket

/// Fragment reassembly, control frames between fragments, UTF-8 across fragments, size limit.
@Suite struct MessageAssemblyTests {
    @Test("fragments join into one message with a ping between them")
    func fragmentsWithPing() throws {
        var a = MessageAssembler()
        #expect(try a.receive(Frame(fin: false, opcode: .text, payload: Array("hé".utf8.prefix(2)))) == nil)
        #expect(try a.receive(Frame(opcode: .ping, payload: [9])) == .ping([9]))
        #expect(try a.receive(Frame(fin: false, opcode: .continuation, payload: Array("hé".utf8.dropFirst(2)))) == nil)
        #expect(try a.receive(Frame(fin: true, opcode: .continuation, payload: Array("llo".utf8))) == .message(.text("héllo")))
        #expect(!a.isAssembling)
    }

    @Test("empty text and binary messages")
    func empty() throws {
        var a = MessageAssembler()
        #expect(try a.receive(Frame(opcode: .text)) == .message(.text("")))
        #expect(try a.receive(Frame(opcode: .binary)) == .message(.binary([])))
    }

    @Test("bad UTF-8 fails with 1007, even when split across fragments")
    func badUTF8() throws {
        var a = MessageAssembler()
        #expect(throws: FrameError(code: 1007, reason: "text message is not valid UTF-8")) {
            _ = try a.receive(Frame(opcode: .text, payload: [0x63, 0xC3, 0x28]))
        }
        var b = MessageAssembler()
        _ = try b.receive(Frame(fin: false, opcode: .text, payload: [0x61, 0xE2, 0x82]))
        do { _ = try b.receive(Frame(fin: true, opcode: .continuation, payload: [0x28])); Issue.record("accepted") } catch {
            #expect(error.code == 1007)
        }
        var c = MessageAssembler()
        do { _ = try c.receive(Frame(fin: true, opcode: .text, payload: [0x61, 0xE2, 0x82])); Issue.record("accepted truncated") } catch {
            #expect(error.code == 1007)
        }
    }

    @Test("a message over the limit fails with 1009 as soon as it crosses it")
    func tooBig() throws {
        var a = MessageAssembler(maxMessageSize: 10)
        _ = try a.receive(Frame(fin: false, opcode: .binary, payload: [UInt8](repeating: 0, count: 6)))
        do { _ = try a.receive(Frame(fin: false, opcode: .continuation, payload: [UInt8](repeating: 0, count: 6))); Issue.record("accepted") } catch {
            #expect(error.code == 1009)
            #expect(error.size == 12)
        }
    }

    @Test("continuation without a start, and a new message inside a fragmented one, fail with 1002")
    func badSequences() throws {
        var a = MessageAssembler()
        do { _ = try a.receive(Frame(opcode: .continuation, payload: [1])); Issue.record("accepted") } catch { #expect(error.code == 1002) }
        var b = MessageAssembler()
        _ = try b.receive(Frame(fin: false, opcode: .binary, payload: [1]))
        do { _ = try b.receive(Frame(opcode: .text, payload: [1])); Issue.record("accepted") } catch { #expect(error.code == 1002) }
    }

    @Test("close frames: code and reason, empty, 1-byte, reserved codes, bad UTF-8 reason")
    func closeFrames() throws {
        #expect(try MessageAssembler.parseClose([0x03, 0xE8] + Array("bye".utf8)) == .close(code: 1000, reason: "bye"))
        #expect(try MessageAssembler.parseClose([]) == .close(code: nil, reason: ""))
        #expect(try MessageAssembler.parseClose([0x0F, 0xA1]) == .close(code: 4001, reason: ""))
        for bad: [UInt8] in [[0x03], [0x03, 0xED], [0x03, 0xEE], [0x03, 0xE7], [0x0B, 0xB7], [0x00, 0x00]] {
            do { _ = try MessageAssembler.parseClose(bad); Issue.record("accepted \(bad)") } catch { #expect(error.code == 1002) }
        }
        do { _ = try MessageAssembler.parseClose([0x03, 0xE8, 0xFF]); Issue.record("accepted") } catch { #expect(error.code == 1007) }
    }
}
