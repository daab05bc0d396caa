import FoundationEssentials

/// The server's answer to a client's `Configure` (Deepgram's live reconfiguration): always a
/// `ConfigureFailure`, as the offline engine cannot change options mid-stream. The stream goes
/// on with the options it was opened with.
///
/// The shape is the one Deepgram's SDK 7 reads (`ListenV1ConfigureFailure`): `type`,
/// `request_id`, `code` and `description`. Without an answer, SDK 7 clients wait forever.
struct ConfigureFailure: Encodable, Equatable {
    /// The model does not take keyterms mid-stream (Deepgram's code).
    static let keytermsNotSupported = "CONFIGURE_KEYTERMS_NOT_SUPPORTED"
    /// The configuration could not be applied (Deepgram's code for everything else).
    static let notApplied = "CONFIGURE_INTERNAL_ERROR"

    var requestID: String
    var code: String
    var description: String

    private enum CodingKeys: String, CodingKey { case type, requestID = "request_id", code, description }

    /// The answer to the `Configure` message `json` (the client's whole text frame).
    init(answering json: String, requestID: String) {
        struct Fields: Decodable { var keyterms: [String]?; var features: [String: Bool]? }
        let fields = try? JSONDecoder().decode(Fields.self, from: Data(json.utf8))
        var asked: [String] = []
        if fields?.keyterms != nil { asked.append("keyterms") }
        if fields?.features != nil { asked.append("features") }   // names not quoted: client text, unbounded
        self.requestID = requestID
        code = fields?.keyterms != nil ? Self.keytermsNotSupported : Self.notApplied
        description = "The local engine of captty serve cannot change options mid-stream"
            + (asked.isEmpty ? "" : " (asked to change \(asked.joined(separator: " and ")))")
            + "; the stream goes on with the options it was opened with. To use other options, open a new stream with them in the query."
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("ConfigureFailure", forKey: .type)
        try c.encode(requestID, forKey: .requestID)
        try c.encode(code, forKey: .code)
        try c.encode(description, forKey: .description)
    }

    /// The JSON text frame.
    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
