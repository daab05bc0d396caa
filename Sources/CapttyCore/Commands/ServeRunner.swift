import FoundationEssentials
import Dispatch
import Glibc
import LocalSpeech
import SystemSupport
import Logging
import WebSocket

/// `captty serve`: a Deepgram-compatible `/v1/listen` endpoint backed by the offline engine.
public enum ServeRunner {
    /// Streams served at once unless told: one per core, at least two.
    public static var defaultMaxClients: Int { DeepgramServer.Configuration.defaultMaxClients }

    /// Binds, prints where it listens to `announce`, and serves until SIGINT/SIGTERM.
    public static func run(host: String, port: Int, apiKeyFile: String?, maxClients: Int,
                           announce: @escaping @Sendable (String) -> Void) async throws {
        var config = DeepgramServer.Configuration()
        config.host = host
        config.port = port
        config.maxClients = maxClients
        if let apiKeyFile {
            try KeyFile.checkPermissions(apiKeyFile, warn: { announce("captty serve: \($0)") })
            do { config.apiKey = try APIKeyCheck.load(from: apiKeyFile) } catch { throw CapttyError.failed(error.description) }
        }
        let recognizer: LocalRecognizer
        do { recognizer = try LocalRecognizer.discover() } catch { throw CapttyError.failed(error.description) }
        let server: DeepgramServer
        do {
            server = try DeepgramServer.listen(recognizer: recognizer, configuration: config)
        } catch {
            throw CapttyError.failed(Self.listenFailure(error, host: host, port: port))
        }
        let shown = server.host.contains(":") ? "[\(server.host)]" : server.host
        announce("captty serve: listening on ws://\(shown):\(server.port)/v1/listen (engine \(recognizer.name), up to \(config.maxClients) stream\(config.maxClients == 1 ? "" : "s") at once\(config.apiKey == nil ? "" : ", API key required"))")
        // Clients take the base URL (the SDKs add /v1/listen themselves).
        // A wildcard address is where the server listens, not one a client can reach it at.
        let wildcard = server.host == "0.0.0.0" || server.host == "::"
        let reach = wildcard ? "ws://<this machine's address>:\(server.port) (ws://127.0.0.1:\(server.port) from here)" : "ws://\(shown):\(server.port)"
        announce("captty serve: point clients at \(reach) (captty --url, DEEPGRAM_URL, or the SDKs' base URL)")
        if let n = recognizer.notice { announce("captty serve: warning: \(n)") }
        if !isLoopback(host) {
            announce("captty serve: warning: \(host) is not a loopback address; anyone who can reach it can use this server")
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM])
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await server.run(); return false }
            group.addTask {
                await signals.wait()
                announce("captty serve: shutting down")
                server.shutdown()
                await server.closeAll(within: .seconds(2))
                return true
            }
            // The listener stops first; the streams are closed (1001) before the process goes.
            while let closedAll = await group.next(), !closedAll {
                if !signals.received { break }
            }
            group.cancelAll()
        }
    }

    /// `localhost`, `::1` or a numeric 127.x.x.x address (a name like `127.example.com` is not).
    /// Why the server could not listen, for people: the socket's own words ("cannot connect
    /// to …: cannot listen: bind: …" read as if serve were a client), and what to do.
    static func listenFailure(_ error: Error, host: String, port: Int) -> String {
        var why = "\(error)"
        if case WebSocketError.connectFailed(_, _, let reason) = error {
            why = reason.hasPrefix("cannot listen: ") ? String(reason.dropFirst("cannot listen: ".count)) : reason
        }
        var text = "cannot listen on \(host):\(port): \(why)"
        if why.contains("Address already in use") {
            text += " — another program uses that port: pick another with --port (--port 0 takes any free one)"
        } else if why.contains("resolve") || why.contains("Cannot assign requested address") {
            text += " — check --host: it must be an address of this machine (127.0.0.1 by default)"
        }
        return text
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        var a = in_addr()
        return inet_pton(AF_INET, host, &a) == 1 && UInt32(bigEndian: a.s_addr) >> 24 == 127
    }
}

/// Waits for one of a set of signals without killing the process.
/// `sources` is written once in init and only kept alive afterwards.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]
    private let stream: AsyncStream<Int32>
    private let flag = SetOnceFlag()

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var sources: [DispatchSourceSignal] = []
        for s in signals {
            signal(s, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: s, queue: .global())
            src.setEventHandler { [flag] in
                flag.set()
                continuation.yield(s)
            }
            src.resume()
            sources.append(src)
        }
        self.sources = sources
    }

    func wait() async {
        for await _ in stream { return }
    }

    /// Whether one of the signals has arrived.
    var received: Bool { flag.isSet }
}
