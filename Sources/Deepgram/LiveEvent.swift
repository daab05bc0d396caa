import FoundationEssentials

/// What a speech engine reports: the seed SDK's events plus what reconnection needs.
///
/// Both engines (Deepgram's `LiveClient` and the offline recognizer) produce these, so the
/// store, UI and tests never care which engine runs.
public enum LiveEvent: Sendable, Equatable {
    /// A connection (or reconnection) opened; the server's `dg-request-id` when known.
    case open(requestID: String?)
    case results(Results)
    case utteranceEnd(UtteranceEnd)
    case speechStarted(SpeechStarted)
    case metadata(Metadata)
    /// The connection dropped and attempt `attempt` will start after `delay`.
    case reconnecting(attempt: Int, delay: Duration)
    case error(LiveError)
    /// The server applied a `Configure` (also one re-sent after a reconnect).
    case configured(ConfigureSuccess)
    /// The server refused a `Configure`; the stream goes on with the settings it had.
    case configureRefused(ConfigureFailure)
    /// A message of a type this library does not know, as raw JSON text.
    case unhandled(String)
    case close(code: Int, reason: String)
}

/// An error reported by an engine. Its text never contains a secret.
public struct LiveError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// Bad credentials (HTTP 401/403).
        case unauthorized
        /// The server refused the request (HTTP 400, 405, close 1002/1003/1007/4xxx).
        case badRequest
        /// The server could not decode the audio (close 1008 DATA-0000).
        case badAudio
        /// The network failed or the server went away.
        case network
        /// The server sent something that breaks the protocol.
        case protocolViolation
        /// The server reported an error message.
        case server
        /// The engine could not start (missing model, unsupported option).
        case engine
        /// A call the stream's state does not allow: `send` before `start()` or after
        /// `finish()`, a second `start()`, a `configure` while another waits.
        case usage
        /// The task waiting in the call was cancelled (`start`, `send`, `configure`).
        case cancelled
        /// A timeout.
        case timeout
        /// Audio was dropped unsent: the replay buffer overflowed while disconnected.
        case audioLost
    }
    public var kind: Kind
    public var message: String
    /// Whether the session cannot continue (no reconnect will help).
    public var isFatal: Bool
    public var httpStatus: Int?
    public var closeCode: Int?
    /// The server's `dg-error` header or error text.
    public var dgError: String?
    public var requestID: String?
    /// For `audioLost`: the seconds of audio that have no captions.
    public var lostSeconds: Double?
    /// For `audioLost`: where that audio starts, in seconds of the audio given to the stream
    /// (the clock results use), when known.
    public var lostFrom: Double?
    /// For `server`: the server's Error or Warning message as sent (`variant`, `code`,
    /// `description`, and `message`, which may hold the client frame it refused), as the SDKs'
    /// typed error events give it.
    public var serverMessage: ErrorMessage?
    /// For `server`: whether the server sent it as a Warning (the stream goes on) rather than
    /// an Error.
    public var isWarning = false

    public init(kind: Kind, message: String, isFatal: Bool, httpStatus: Int? = nil, closeCode: Int? = nil,
                dgError: String? = nil, requestID: String? = nil) {
        self.kind = kind; self.message = message; self.isFatal = isFatal; self.httpStatus = httpStatus
        self.closeCode = closeCode; self.dgError = dgError; self.requestID = requestID
    }

    public var description: String {
        var s = message
        if let dgError, !dgError.isEmpty, !message.contains(dgError) { s += " (\(dgError))" }
        if let requestID, !requestID.isEmpty { s += " [request \(requestID)]" }
        return s
    }
}

/// `localizedDescription` (what SwiftUI alerts and `error.localizedDescription` show) is the
/// message: it was "The operation could not be completed. (Deepgram.LiveError error 1.)".
extension LiveError: LocalizedError {
    public var errorDescription: String? { description }
}
