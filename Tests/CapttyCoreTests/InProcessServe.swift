import Deepgram
import LocalSpeech

/// captty serve's Deepgram-compatible server, backed by the offline engine, in this process on a
/// loopback port; and a client configuration pointing at it. The offline engine is CPU-bound: on
/// a loaded machine its last results can come after the 10 s default finish timeout, so the
/// configuration waits 60 s (what these tests check is not the engine's speed).
struct InProcessServe {
    let server: DeepgramServer
    private let serving: Task<Void, Never>

    init() throws {
        var serverConfig = DeepgramServer.Configuration()
        serverConfig.port = 0
        let server = try DeepgramServer.listen(recognizer: try LocalRecognizer.discover(), configuration: serverConfig)
        self.server = server
        serving = Task { await server.run() }
    }

    var clientConfiguration: LiveClientConfiguration {
        var config = LiveClientConfiguration(environment: [:])
        config.baseURL = "ws://127.0.0.1:\(server.port)"
        config.finishTimeout = .seconds(60)
        return config
    }

    func stop() {
        server.shutdown()
        serving.cancel()
    }
}
