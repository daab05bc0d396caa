import FoundationEssentials
import Dispatch
import Glibc
import LocalSpeech
import Logging

/// `captty serve`: a Deepgram-compatible `/v1/listen` endpoint backed by the offline engine.
public enum ServeRunner {
    /// Binds, prints where it listens to `announce`, and serves until SIGINT/SIGTERM.
    public static func run(host: String, port: Int, apiKeyFile: String?, maxClients: Int,
                           announce: @escaping @Sendable (String) -> Void) async throws {
        var config = DeepgramServer.Configuration()
        config.host = host
        config.port = port
        config.maxClients = maxClients
        if let apiKeyFile {
            try KeyFile.checkPermissions(apiKeyFile, warn: announce)
            do { config.apiKey = try APIKeyCheck.load(from: apiKeyFile) } catch { throw CapttyError.failed(error.description) }
        }
        let recognizer: LocalRecognizer
        do { recognizer = try LocalRecognizer.discover() } catch { throw CapttyError.failed(error.description) }
        let server: DeepgramServer
        do {
            server = try DeepgramServer.listen(recognizer: recognizer, configuration: config)
        } catch {
            throw CapttyError.failed("cannot listen on \(host):\(port): \(error)")
        }
        let shown = server.host.contains(":") ? "[\(server.host)]" : server.host
        announce("captty serve: listening on ws://\(shown):\(server.port)/v1/listen (engine \(recognizer.name)\(config.apiKey == nil ? "" : ", API key required"))")
        if !isLoopback(host) {
            announce("captty serve: warning: \(host) is not a loopback address; anyone who can reach it can use this server")
        }
        let signals = SignalWatcher(signals: [SIGINT, SIGTERM])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await server.run() }
            group.addTask {
                await signals.wait()
                announce("captty serve: shutting down")
                server.shutdown()
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// `localhost`, `::1` or a numeric 127.x.x.x address (a name like `127.example.com` is not).
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

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var sources: [DispatchSourceSignal] = []
        for s in signals {
            signal(s, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: s, queue: .global())
            src.setEventHandler { continuation.yield(s) }
            src.resume()
            sources.append(src)
        }
        self.sources = sources
    }

    func wait() async {
        for await _ in stream { return }
    }
}
