import FoundationEssentials
import SystemSupport

/// Client → server control messages, sent as JSON text frames (never binary).
public enum ControlMessage: Sendable, Equatable {
    /// Keeps an idle stream open; send every 3–5 s while no audio flows.
    case keepAlive
    /// Flush buffered audio into finals now; the stream stays open.
    case finalize
    /// Finish: the server sends the remaining Results, then Metadata, then closes.
    case closeStream
    /// Live reconfiguration on newer servers; the JSON object's fields besides `type`.
    case configure(json: String)

    /// A `Configure` as the newest API defines it: `keyterms` replaces the stream's keyterms
    /// (an empty array clears them; nil keeps them), `features` turns formatting features on or
    /// off (e.g. `["numerals": true]`).
    public static func configure(keyterms: [String]?, features: [String: Bool]? = nil) -> ControlMessage {
        struct Fields: Encodable { var keyterms: [String]?; var features: [String: Bool]? }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? enc.encode(Fields(keyterms: keyterms, features: features))) ?? Data("{}".utf8)
        return .configure(json: String(decoding: data, as: UTF8.self))
    }

    /// The text frame's payload.
    public var json: String {
        switch self {
        case .keepAlive: return #"{"type":"KeepAlive"}"#
        case .finalize: return #"{"type":"Finalize"}"#
        case .closeStream: return #"{"type":"CloseStream"}"#
        case .configure(let fields):
            let body = fields.trimmingWhitespace()
            let inner = body.hasPrefix("{") && body.hasSuffix("}") ? String(body.dropFirst().dropLast()) : body
            let trimmed = inner.trimmingWhitespace()
            return trimmed.isEmpty ? #"{"type":"Configure"}"# : #"{"type":"Configure","# + trimmed + "}"
        }
    }

    /// Parses a client text frame (as a server sees it). Unknown types give nil.
    public init?(json text: String) {
        struct Probe: Decodable { var type: String? }
        guard let p = try? JSONDecoder().decode(Probe.self, from: Data(text.utf8)) else { return nil }
        switch p.type {
        case "KeepAlive": self = .keepAlive
        case "Finalize": self = .finalize
        case "CloseStream": self = .closeStream
        case "Configure": self = .configure(json: text)
        default: return nil
        }
    }
}
