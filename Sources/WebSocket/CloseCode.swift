/// Close status codes of RFC 6455 §7.4 that this module sends or interprets.
public enum CloseCode {
    public static let normal: UInt16 = 1000
    public static let goingAway: UInt16 = 1001
    public static let protocolError: UInt16 = 1002
    public static let unsupportedData: UInt16 = 1003
    /// Reserved: a close frame carried no status code (never sent on the wire).
    public static let noStatus: UInt16 = 1005
    /// Reserved: the connection was lost without a close frame (never sent on the wire).
    public static let abnormal: UInt16 = 1006
    public static let invalidPayload: UInt16 = 1007
    public static let policyViolation: UInt16 = 1008
    public static let messageTooBig: UInt16 = 1009
    public static let internalError: UInt16 = 1011

    /// Whether `code` may appear in a close frame on the wire (RFC 6455 §7.4.1/§7.4.2).
    public static func isSendable(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014: return true
        case 3000...4999: return true
        default: return false
        }
    }
}
