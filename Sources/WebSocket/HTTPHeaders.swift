/// HTTP header fields in arrival order, looked up case-insensitively.
public struct HTTPHeaders: Sendable, CustomStringConvertible {
    /// Every field as (name, value), names as sent.
    public var all: [(String, String)]

    public init(_ fields: [(String, String)] = []) {
        self.all = fields
    }

    /// The first value of the field `name` (case-insensitive), or nil.
    public subscript(_ name: String) -> String? {
        let key = name.lowercased()
        return all.first { $0.0.lowercased() == key }?.1
    }

    /// Every value of the field `name` (case-insensitive).
    public func values(_ name: String) -> [String] {
        let key = name.lowercased()
        return all.filter { $0.0.lowercased() == key }.map(\.1)
    }

    /// Whether the comma-separated field `name` contains `token` (case-insensitive).
    public func contains(_ name: String, token: String) -> Bool {
        let t = token.lowercased()
        return values(name).contains { v in
            v.split(separator: ",").contains { $0.trimmingWS().lowercased() == t }
        }
    }

    /// The fields for logs and messages, with credentials (Authorization, cookies) redacted.
    public var description: String {
        all.map { name, value in
            "\(name): \(HTTPHeaders.secretFields.contains(name.lowercased()) ? "<redacted>" : value)"
        }.joined(separator: ", ")
    }

    /// `sec-websocket-protocol` carries the API key when a browser authenticates (`token, KEY`).
    static let secretFields: Set<String> = ["authorization", "proxy-authorization", "cookie", "set-cookie", "sec-websocket-key",
                                            "sec-websocket-protocol"]
}

extension Substring {
    func trimmingWS(_ set: String = " \t") -> Substring {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}
