// Properties of `ServerMessage.decode` on arbitrary bytes (a hostile or broken server's text frames).
// Shared by the libFuzzer target (fuzz/deepgram) and the regression replay in Tests/SecurityTests.
import Foundation
#if canImport(Deepgram)
@testable import Deepgram
#endif

/// Checks one input; a violated property stops the process (libFuzzer records the input).
enum DeepgramMessageCheck {
    /// Stops with the message (`fatalError` prints it even in -O builds, unlike `precondition`).
    static func require(_ ok: Bool, _ why: @autoclosure () -> String = "property violated", line: UInt = #line) {
        if !ok { fail(why(), line: line) }
    }
    static func fail(_ why: String, line: UInt = #line) -> Never { fatalError("\(Self.self) line \(line): \(why)") }

    static func check(_ bytes: [UInt8]) {
        let data = Data(bytes)

        // The hand-written Results reader answers only when JSONDecoder agrees to the bit.
        if let fast = bytes.withUnsafeBytes({ ResultsFastDecoder.decode($0) }) {
            let slow: ServerMessage
            do { slow = try ServerMessage.decodeWithJSONDecoder(data) } catch {
                Self.fail("fast path read a Results that JSONDecoder rejects (\(error))")
            }
            Self.require(slow == .results(fast), "fast path and JSONDecoder read different Results")
        }
        let fromData: Result<ServerMessage, MessageDecodingError>
        do { fromData = .success(try ServerMessage.decode(data)) } catch { fromData = .failure(error) }

        // Valid UTF-8 text decodes the same way as its bytes (frames reach the decoder as text).
        if let text = String(validating: bytes, as: UTF8.self) {
            let fromText: Result<ServerMessage, MessageDecodingError>
            do { fromText = .success(try ServerMessage.decode(text)) } catch { fromText = .failure(error) }
            switch (fromData, fromText) {
            case (.success(let a), .success(let b)): Self.require(a == b, "text and bytes decode differently")
            case (.failure, .failure): break
            default: Self.fail("text and bytes disagree on whether the frame is valid")
            }
        }

        switch fromData {
        case .failure(let error):
            // An error quotes at most a bounded excerpt of what the server sent.
            Self.require(error.excerpt.count <= MessageDecodingError.excerptLimit + 40, "unbounded excerpt in an error")
            _ = error.description
        case .success(let message):
            // Every number that reaches the caller is within MessageBounds (no overflow downstream).
            func inBounds(_ t: Double) -> Bool { t.isFinite && abs(t) <= MessageBounds.maxSeconds }
            switch message {
            case .results(let r):
                Self.require(inBounds(r.start) && inBounds(r.duration), "Results time out of bounds")
                Self.require(r.channelIndex.allSatisfy { (0...MessageBounds.maxIndex).contains($0) }, "channel out of bounds")
                for w in r.channel.alternatives.flatMap(\.words) {
                    Self.require(inBounds(w.start) && inBounds(w.end) && w.confidence.isFinite, "word number out of bounds")
                    Self.require(w.speaker.map { (0...MessageBounds.maxIndex).contains($0) } ?? true, "speaker out of bounds")
                }
            case .utteranceEnd(let u): Self.require(inBounds(u.lastWordEnd), "UtteranceEnd time out of bounds")
            case .speechStarted(let st): Self.require(inBounds(st.timestamp), "SpeechStarted time out of bounds")
            case .metadata(let m): Self.require(m.duration.map(inBounds) ?? true, "Metadata duration out of bounds")
            case .error, .warning, .unhandled, .configureSuccess, .configureFailure: break
            }
            // What we decoded encodes as a frame that decodes to the same message.
            guard case .unhandled = message else {
                let again = message.encoded()
                guard let back = try? ServerMessage.decode(again) else {
                    Self.fail("re-encoded message does not decode: \(again.prefix(300))")
                }
                Self.require(back == message, "re-encoded message decodes differently: \(again.prefix(300))")
                return
            }
        }
    }
}
