/// A kind of `LiveEvent` to register a callback for with `LiveClient.on(_:_:)`, typed by what
/// the callback receives — the Python SDK's `LiveTranscriptionEvents` in Swift:
/// `client.on(.transcript) { results in … }`.
public struct LiveEventName<Payload: Sendable>: Sendable {
    let extract: @Sendable (LiveEvent) -> Payload?
    public init(_ extract: @escaping @Sendable (LiveEvent) -> Payload?) { self.extract = extract }
}

extension LiveEventName where Payload == LiveEvent {
    /// Every event.
    public static var any: Self { .init { $0 } }
}

extension LiveEventName where Payload == String? {
    /// A connection opened (also after a reconnect); the server's request id.
    public static var open: Self { .init { if case .open(let id) = $0 { return .some(id) } else { return nil } } }
}

extension LiveEventName where Payload == Results {
    /// A `Results` message (interim or final), with session-continuous timestamps.
    public static var transcript: Self { .init { if case .results(let r) = $0 { return r } else { return nil } } }
}

extension LiveEventName where Payload == Metadata {
    public static var metadata: Self { .init { if case .metadata(let m) = $0 { return m } else { return nil } } }
}

extension LiveEventName where Payload == UtteranceEnd {
    public static var utteranceEnd: Self { .init { if case .utteranceEnd(let u) = $0 { return u } else { return nil } } }
}

extension LiveEventName where Payload == SpeechStarted {
    public static var speechStarted: Self { .init { if case .speechStarted(let s) = $0 { return s } else { return nil } } }
}

extension LiveEventName where Payload == LiveError {
    /// An error; `isFatal` says whether the session ended.
    public static var error: Self { .init { if case .error(let e) = $0 { return e } else { return nil } } }
}

extension LiveEventName where Payload == ConfigureSuccess {
    /// The server applied a `Configure`.
    public static var configured: Self { .init { if case .configured(let m) = $0 { return m } else { return nil } } }
}

extension LiveEventName where Payload == ConfigureFailure {
    /// The server refused a `Configure`.
    public static var configureRefused: Self { .init { if case .configureRefused(let m) = $0 { return m } else { return nil } } }
}

extension LiveEventName where Payload == String {
    /// A server message of a type this library does not know (raw JSON).
    public static var unhandled: Self { .init { if case .unhandled(let s) = $0 { return s } else { return nil } } }
}

extension LiveEventName where Payload == (code: Int, reason: String) {
    /// The session ended (last event).
    public static var close: Self { .init { if case .close(let c, let r) = $0 { return (c, r) } else { return nil } } }
}

extension LiveEventName where Payload == (attempt: Int, delay: Duration) {
    /// The connection dropped; a reconnect attempt follows after `delay`.
    public static var reconnecting: Self { .init { if case .reconnecting(let a, let d) = $0 { return (a, d) } else { return nil } } }
}
