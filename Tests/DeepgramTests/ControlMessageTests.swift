import Foundation
import Testing
@testable import Deepgram

/// Client → server control messages are exact JSON text.
@Suite struct ControlMessageTests {
    @Test func encodings() {
        #expect(ControlMessage.keepAlive.json == #"{"type":"KeepAlive"}"#)
        #expect(ControlMessage.finalize.json == #"{"type":"Finalize"}"#)
        #expect(ControlMessage.closeStream.json == #"{"type":"CloseStream"}"#)
        #expect(ControlMessage.configure(json: #"{"punctuate":true}"#).json == #"{"type":"Configure","punctuate":true}"#)
    }

    @Test func encodingsAreValidJSONObjects() throws {
        for m in [ControlMessage.keepAlive, .finalize, .closeStream, .configure(json: #"{"a":1}"#)] {
            let obj = try JSONSerialization.jsonObject(with: Data(m.json.utf8)) as? [String: Any]
            #expect(obj?["type"] is String)
        }
    }

    @Test func serverSideParsing() {
        #expect(ControlMessage(json: #"{"type": "KeepAlive"}"#) == .keepAlive)
        #expect(ControlMessage(json: #"{"type":"Finalize"}"#) == .finalize)
        #expect(ControlMessage(json: #"{"type":"CloseStream"}"#) == .closeStream)
        #expect(ControlMessage(json: #"{"type":"Dance"}"#) == nil)
        #expect(ControlMessage(json: "not json") == nil)
    }
}
