import FoundationEssentials
import SystemSupport
import Logging
import WebSocket

/// Settings of a `LiveClient`. The credential is passed separately, never in a URL.
public struct LiveClientConfiguration: Sendable {
    /// `wss://api.deepgram.com` (or `$DEEPGRAM_URL`), or a self-hosted `ws://host:8080`.
    /// A base with user info or a query string is refused (keys never go in URLs).
    public var baseURL: String
    /// Send a KeepAlive text frame when no audio has gone out for this long (Deepgram wants
    /// 3–5 s; it closes idle streams after ~10 s). Nil disables KeepAlive.
    public var keepAliveInterval: Duration?
    /// How long `finish()` waits for the server's close after CloseStream, counted again from
    /// each final that answers audio still waiting (a server working through a backlog).
    public var finishTimeout: Duration
    /// Reconnect after network faults and server restarts.
    public var reconnect: ReconnectPolicy
    /// Audio kept for replay after a drop (and buffered while disconnected), in seconds of audio.
    public var replayLimit: Duration
    /// Whether the audio can wait (a file or a pipe, not a microphone): while disconnected,
    /// `send` then waits for the reconnect once the replay limit is full, and nothing is lost.
    /// False (live capture, which cannot wait): the oldest audio past the limit is dropped and
    /// reported (`.error` of kind `audioLost`).
    public var audioCanWait: Bool
    /// Pace of audio on a connection (mostly matters for a replayed backlog).
    public var replayPacing: ReplayPacing
    /// Largest binary frame sent; audio is sent in frames of at most this many bytes.
    public var maxAudioFrame: Int
    /// Socket settings (connect timeout, heartbeat, CA file, send queue). The `Authorization`
    /// header is added by the client. The send queue is limited to 256 KiB (8 s of 16 kHz
    /// speech), not the socket's 4 MiB default: the audio is already held in the replay
    /// buffer, and a second copy queued at full speed only costs memory (4 MB of the client's
    /// peak RSS when a file is streamed as fast as possible).
    public var webSocket: WebSocketConfiguration
    /// Where the client logs (it never configures logging, and never logs the credential). By
    /// default nowhere, as AsyncHTTPClient's: an app that had not set up swift-log got the
    /// client's info lines on its standard error (found in QA). Pass a logger to see them,
    /// e.g. `Logger(label: "deepgram")` after `LoggingSystem.bootstrap`.
    public var logger: Logger
    /// The executor the client's tasks prefer (nil: Swift's global pool). captty passes
    /// `SerialThreadExecutor.shared`, so sending a chunk does not hop between threads. With a
    /// `SerialThreadExecutor` (and no `webSocket.readLoop` of the caller's), its thread also
    /// reads the socket while the connection is ordinary, so a result needs no hop either.
    public var executor: (any TaskExecutor)?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let env = environment["DEEPGRAM_URL"]?.trimmingWhitespace()
        baseURL = (env?.isEmpty == false ? env : nil) ?? LiveOptions.defaultBaseURL
        keepAliveInterval = .seconds(4)
        finishTimeout = .seconds(10)
        reconnect = ReconnectPolicy()
        replayLimit = .seconds(60)
        audioCanWait = false
        replayPacing = .deepgram
        maxAudioFrame = 64 * 1024
        webSocket = WebSocketConfiguration()
        webSocket.sendQueueLimit = 256 * 1024
        logger = Logger(label: "captty.deepgram", factory: { _ in SwiftLogNoOpLogHandler() })
        executor = nil
    }

    /// The `/v1/listen` URL for `options`, after checking that the base URL carries no secret.
    public func listenURL(for options: LiveOptions) throws(LiveError) -> URL {
        let base = baseURL.trimmingWhitespace()
        let authority: Substring = {
            guard let r = base.firstRange(of: "://") else { return Substring(base) }
            let rest = base[r.upperBound...]
            return rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        }()
        if authority.contains("@") {
            throw LiveError(kind: .badRequest, message: "the Deepgram base URL contains user info (name:secret@): put the API key in DEEPGRAM_API_KEY or a key file, never in the URL", isFatal: true)
        }
        if base.contains("?") || base.contains("#") {
            throw LiveError(kind: .badRequest, message: "the Deepgram base URL has a query string or fragment: give only scheme, host, port and path (keys and tokens never go in the URL; live options are given on their own: in captty, --language, --model and the like)", isFatal: true)
        }
        do {
            return try options.url(base: base)
        } catch {
            throw LiveError(kind: .badRequest, message: error.description, isFatal: true)
        }
    }
}
