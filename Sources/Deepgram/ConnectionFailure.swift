import FoundationEssentials
import SystemSupport
import WebSocket

/// Turns a WebSocket failure or a close into the client's action and a `LiveError` whose text
/// says what happened and what to do — with the server's `dg-error` and request id, and with
/// the credential redacted from anything the server echoed, and control characters from
/// anything the server wrote (`ServerText`).
struct ConnectionFailure {
    let action: DisconnectAction
    var error: LiveError
    /// How long the server asked to wait before the next attempt (`Retry-After` of a 429/503).
    var retryAfter: Duration?
    /// No TCP connection was made (refused, unresolvable host, no route, connect timeout):
    /// nothing at the address answered.
    var unreached: Bool

    init(action: DisconnectAction, error: LiveError, retryAfter: Duration? = nil, unreached: Bool = false) {
        self.action = action
        self.error = error.printable()
        self.retryAfter = retryAfter
        self.unreached = unreached
    }

    /// The same failure with the credential redacted from every text field: a server may echo
    /// the key anywhere (a close reason, `dg-error`, a request id, a redirect's Location).
    func redacting(_ credential: Credential) -> ConnectionFailure {
        var e = error
        e.message = credential.redact(e.message)
        e.dgError = e.dgError.map { credential.redact($0) }
        e.requestID = e.requestID.map { credential.redact($0) }
        return ConnectionFailure(action: action, error: e, retryAfter: retryAfter, unreached: unreached)
    }

    /// A fatal answer to a connection attempt that, from a server which accepted this session
    /// before, is more likely something in the way (a proxy, a load balancer, a captive portal's
    /// page or certificate) than a wrong address: no WebSocket (HTTP 200, a bad accept key, an
    /// unasked-for extension), 404/405, a redirect, a TLS failure. A refused key (401/403) or
    /// options (400) stay fatal, as does a malformed URL.
    var isGlitchOnceConnected: Bool {
        guard case .fatal = action else { return false }
        if let status = error.httpStatus { return ![400, 401, 402, 403].contains(status) }
        return error.kind == .protocolViolation || error.kind == .network
    }

    static func from(_ error: Error, credential: Credential, requestID: String? = nil) -> ConnectionFailure {
        classify(error, credential: credential, requestID: requestID).redacting(credential)
    }

    private static func classify(_ error: Error, credential: Credential, requestID: String?) -> ConnectionFailure {
        guard let ws = error as? WebSocketError else {
            // The client's own reason to drop a connection (a stream the server did not finish).
            if let e = error as? LiveError, !e.isFatal { return .init(action: .reconnect, error: e) }
            if error is CancellationError {
                return .init(action: .stop, error: LiveError(kind: .network, message: "cancelled", isFatal: false))
            }
            let text = credential.redact("\(error)")
            return .init(action: .reconnect, error: LiveError(kind: .network, message: "network error: \(text)", isFatal: false, requestID: requestID))
        }
        switch ws {
        case .handshakeRejected(let status, let headers, let body):
            return classifyRejection(status: status, headers: headers, body: body, credential: credential)
        case .connectFailed(let host, let port, let reason):
            return .init(action: .reconnect, error: LiveError(kind: .network, message: "cannot connect to Deepgram at \(HostPort.text(host, port)): \(reason)", isFatal: false),
                         unreached: true)
        case .timeout(let what):
            return .init(action: .reconnect, error: LiveError(kind: .timeout, message: "Deepgram connection timed out: \(what)", isFatal: false, requestID: requestID),
                         unreached: ws.isUnanswered)
        case .tls(let what):
            return .init(action: .fatal(.network), error: LiveError(kind: .network, message: "TLS with the Deepgram server failed: \(what)", isFatal: true))
        case .invalidURL(let what):
            return .init(action: .fatal(.badRequest), error: LiveError(kind: .badRequest, message: "invalid Deepgram URL: \(credential.redact(what))", isFatal: true))
        case .closedDuringHandshake(let what):
            // A server restarting or overloaded, or a proxy, can close before answering: tried
            // again with backoff (a refusal the server means says so with an HTTP status).
            return .init(action: .reconnect, error: LiveError(kind: .network, message: "the Deepgram server closed the connection before it was open: \(what)", isFatal: false),
                         unreached: ws.isUnanswered)
        case .handshakeInvalid(let what):
            return .init(action: .fatal(.protocolViolation), error: LiveError(kind: .protocolViolation, message: "the server at the Deepgram URL did not speak WebSocket: \(credential.redact(what))"
                                                                                  + (what.contains("check the base URL") ? "" : " (check the base URL)"), isFatal: true))
        case .closed(let code, let reason):
            return classifyClose(code: Int(code), reason: credential.redact(reason), requestID: requestID)
        case .protocolViolation(let code, let reason):
            return .init(action: .reconnect, error: LiveError(kind: .protocolViolation, message: "the Deepgram server broke the WebSocket protocol (\(code)): \(reason)", isFatal: false, closeCode: Int(code), requestID: requestID))
        case .messageTooBig(let n):
            return .init(action: .reconnect, error: LiveError(kind: .protocolViolation, message: "the Deepgram server sent a message too big to accept (\(n) bytes)", isFatal: false, requestID: requestID))
        }
    }

    static func closed(code: Int, reason: String, credential: Credential, requestID: String?) -> ConnectionFailure {
        classifyClose(code: code, reason: credential.redact(reason), requestID: requestID).redacting(credential)
    }

    private static func classifyClose(code: Int, reason: String, requestID: String?) -> ConnectionFailure {
        let action = DisconnectClassifier.action(closeCode: code, reason: reason)
        let explained = DisconnectClassifier.explain(closeCode: code, reason: reason)
        if code == 1006, case .reconnect = action {
            // 1006 is never sent on the wire: the reason is this side's account of the loss,
            // not the server's words (so no dg-error, and no "1006 … (connection lost …)").
            let why = reason.isEmpty ? "the connection ended without a close frame" : reason
            return .init(action: action, error: LiveError(kind: .network, message: "connection to Deepgram lost: \(why)",
                                                          isFatal: false, closeCode: code, requestID: requestID))
        }
        let err: LiveError
        switch action {
        case .stop:
            err = LiveError(kind: .network, message: "Deepgram closed the stream: \(explained)", isFatal: false, closeCode: code, dgError: reason.isEmpty ? nil : reason, requestID: requestID)
        case .reconnect:
            err = LiveError(kind: .network, message: "connection to Deepgram lost: \(explained)", isFatal: false, closeCode: code, dgError: reason.isEmpty ? nil : reason, requestID: requestID)
        case .fatal(let kind):
            let advice = switch kind {
            case .badAudio: "the audio does not match the encoding/sample_rate/channels options"
            case .unauthorized: "check the API key (DEEPGRAM_API_KEY or key file): it may be wrong, expired, revoked or not allowed to do this"
            // "Or its reason above" was said of a close that gave none (found in QA).
            default: reason.isEmpty ? "the server refused to go on without saying why; check the options (a self-hosted server's log may say more)"
                                    : "the server refused to go on; check the options against its reason"
            }
            err = LiveError(kind: kind, message: "Deepgram ended the stream: \(explained): \(advice)", isFatal: true, closeCode: code, dgError: reason.isEmpty ? nil : reason, requestID: requestID)
        }
        return .init(action: action, error: err)
    }

    static func rejected(status: Int, headers: HTTPHeaders, body: String, credential: Credential) -> ConnectionFailure {
        classifyRejection(status: status, headers: headers, body: body, credential: credential).redacting(credential)
    }

    private static func classifyRejection(status: Int, headers: HTTPHeaders, body: String, credential: Credential) -> ConnectionFailure {
        // Deepgram's bodies: {"err_code", "err_msg", "request_id"}, and newer ones
        // {"category", "message", "details", "request_id"}.
        struct Body: Decodable {
            var err_msg: String?, message: String?, details: String?, request_id: String?
            enum K: String, CodingKey { case err_msg, message, details, request_id }
            // Each field on its own: one of another type (details as an object) loses only itself.
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: K.self)
                func text(_ k: K) -> String? { (try? c.decodeIfPresent(String.self, forKey: k)).flatMap { $0 } }
                err_msg = text(.err_msg); message = text(.message); details = text(.details); request_id = text(.request_id)
            }
        }
        let parsed = try? JSONDecoder().decode(Body.self, from: Data(body.utf8))
        let bodyText = parsed?.err_msg ?? parsed?.message.map { m in
            guard let d = parsed?.details, !d.isEmpty, d != m else { return m }
            return "\(m) (\(d))"
        }
        let dgError = (headers["dg-error"] ?? bodyText).map { credential.redact(ServerText.printable(String($0.prefix(300)))) }
        let requestID = headers["dg-request-id"] ?? parsed?.request_id
        let action = DisconnectClassifier.action(httpStatus: status)
        let phrase = DisconnectClassifier.reasonPhrase(httpStatus: status)
        let statusText = "HTTP \(status)\(phrase.hasPrefix("HTTP") ? "" : " \(phrase)")"
        var message = (400...599).contains(status) || (300...399).contains(status)
            ? "Deepgram refused the connection: \(statusText)"
            : "the server at the Deepgram URL answered \(statusText)"
        if let dgError, !dgError.isEmpty { message += ": \(dgError)" }
        let kind: LiveError.Kind
        switch action {
        case .fatal(let k): kind = k
        default: kind = .network
        }
        let retryAfter = (status == 429 || status == 503) ? headers["Retry-After"].flatMap(retryAfterDelay) : nil
        switch (status, kind) {
        case (401, _) where credential == .anonymous:
            message += " — this server wants an API key and none was given: set DEEPGRAM_API_KEY or use --api-key-file FILE"
        case (401, _): message += " — check the API key (DEEPGRAM_API_KEY or key file) or token; it may be wrong, expired or revoked"
        case (403, _): message += " — the key is valid but not allowed to use this model/feature"
        case (300...399, _):
            // Redirects are never followed: the key would go to a host the user did not name.
            let target = headers["Location"].map { " to \(redactedLocation($0))" } ?? ""
            message += " — the server redirects\(target); captty does not follow redirects (the API key goes only to the URL you gave). If you trust the new address, set the base URL (--url or DEEPGRAM_URL) to it"
        case (404, _), (405, _):
            message += " — there is no Deepgram live endpoint at this address: check the base URL (--url or DEEPGRAM_URL; "
                + "give the server's address, e.g. wss://api.deepgram.com or ws://host:8080 — captty adds /v1/listen)"
        case (402, _): message += " — the Deepgram account has run out of credits or its billing needs attention (see console.deepgram.com); the key itself was accepted"
        case (413, _), (414, _): message += " — the request was too long: fewer or shorter options (keyterms, keywords, search, replace, tags)"
        case (431, _): message += " — the request's headers were too large: check that the API key (or its file) holds the key alone"
        case (407, _):
            message += " — a proxy between captty and the server wants to be logged in to; captty connects directly and "
                + "does not use HTTP proxies: check the network path to the server (or ask who runs the proxy)"
        case (426, _):
            message += " — the server wants another protocol: check that the base URL (--url or DEEPGRAM_URL) is a Deepgram "
                + "WebSocket endpoint, and wss:// if the server uses TLS"
        case (400, _) where body.contains("plain HTTP request was sent to HTTPS port"):
            message += " — the server expects an encrypted connection: use wss:// instead of ws://"
        case (_, .badRequest) where dgError == nil:
            // Not in Deepgram's words (no dg-error, no JSON body): a proxy or another server may
            // have answered, so the address comes first.
            message += " — the server said no more: check the base URL (--url or DEEPGRAM_URL), then the live options "
                + "(model, language, encoding, sample_rate…)"
        case (_, .badRequest): message += " — check the live options (model, language, encoding, sample_rate…)"
        case (_, .protocolViolation):
            message += " instead of switching to WebSocket (101) — check that the base URL is a Deepgram WebSocket endpoint"
        case (429, _):
            message += " — too many requests or streams for this key"
            if let retryAfter { message += "; the server asked to wait \(NumberText.fixed(retryAfter.seconds, decimals: 0)) s" }
        default:
            message += " — a temporary problem on the server's side"
            if let retryAfter { message += "; the server asked to wait \(NumberText.fixed(retryAfter.seconds, decimals: 0)) s" }
        }
        let fatal: Bool
        if case .fatal = action { fatal = true } else { fatal = false }
        return .init(action: action, error: LiveError(kind: kind, message: message, isFatal: fatal, httpStatus: status, dgError: dgError, requestID: requestID),
                     retryAfter: retryAfter)
    }

    /// `Retry-After` as delta-seconds, or as an HTTP date (IMF-fixdate, `Sun, 06 Nov 1994
    /// 08:49:37 GMT`: the time from `now` until then, none when it has passed; it was ignored,
    /// and a rate-limited server was tried again after a second). Bounded by
    /// `ReconnectPolicy.maxRetryAfter` where it is used, which also bounds a skewed clock.
    static func retryAfterDelay(_ value: String) -> Duration? { retryAfterDelay(value, now: Date()) }

    static func retryAfterDelay(_ value: String, now: Date) -> Duration? {
        let v = value.trimmingSpaces()
        if !v.isEmpty, v.count <= 9, v.allSatisfy({ ("0"..."9").contains($0) }), let n = Int(v) { return .seconds(n) }
        guard let date = httpDate(v) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return seconds.isFinite ? .milliseconds(Int64((min(seconds, 86_400) * 1000).rounded())) : nil
    }

    /// An IMF-fixdate (RFC 9110 §5.6.7), e.g. `Wed, 21 Oct 2015 07:28:00 GMT`; nil otherwise.
    static func httpDate(_ s: String) -> Date? {
        let parts = s.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), (1...31).contains(day),
              let month = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), (1970...9999).contains(year) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3, (0...23).contains(hms[0]), (0...59).contains(hms[1]), (0...60).contains(hms[2]) else { return nil }
        // Days from 1970-01-01 to the date (proleptic Gregorian; Howard Hinnant's days_from_civil).
        let m = month + 1   // 1…12
        let y = m <= 2 ? year - 1 : year
        let era = y / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2]
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// A redirect target for messages: scheme, host, port and path only (a query may hold a
    /// token), at most 120 characters.
    static func redactedLocation(_ location: String) -> String {
        var shown = location
        if let c = URLComponents(string: location), c.host != nil {
            var d = URLComponents()
            d.scheme = c.scheme; d.host = c.host; d.port = c.port; d.percentEncodedPath = c.percentEncodedPath
            shown = d.string ?? location
        } else if let q = location.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            shown = String(location[..<q])
        }
        return shown.count > 120 ? String(shown.prefix(120)) + "…" : shown
    }
}
