import FoundationEssentials
import Deepgram
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Anything that turns one utterance (16 kHz mono floats) into text.
protocol UtteranceTranscriber: AnyObject, Sendable {
    func transcribe(_ samples: [Float]) throws(LocalEngineError) -> String
}

extension MoonshineModel: UtteranceTranscriber {}

/// Moonshine in a child process (`captty-moonshine-worker`), replaced when it grows too big.
///
/// libmoonshine leaks memory on every call (see `MoonshineWorker`); a worker past
/// `memoryLimitMB` is retired after its current call and a fresh one is started at once, so
/// the model loads while the speaker goes on. Calls block and are serialised: make them from a
/// session's queue. One instance is shared per process and model.
/// How long the Moonshine worker may take to load its model and to answer. A worker past its
/// deadline is killed: a hung one stalled every caption after it, for good.
public struct MoonshineDeadlines: Sendable, Equatable {
    /// Seconds to load the model and say so.
    public var load: Double
    /// Seconds to answer: `base` plus `perAudioSecond` for each second of audio sent (Moonshine
    /// decodes a second of audio in well under a second).
    public var base: Double
    public var perAudioSecond: Double

    public init(load: Double = 120, base: Double = 10, perAudioSecond: Double = 3) {
        self.load = load
        self.base = base
        self.perAudioSecond = perAudioSecond
    }

    func answer(samples: Int) -> Double { base + perAudioSecond * Double(samples) / 16_000 }
}

final class MoonshineProcess: UtteranceTranscriber, @unchecked Sendable {
    let files: MoonshineModelFiles
    let workerPath: String
    let memoryLimitMB: Double
    let deadlines: MoonshineDeadlines
    private let lock = Lock()
    private let turns = FairTurns()
    private var current: Worker?
    /// Workers started so far (1 + replacements), for tests and logs.
    private(set) var spawned = 0

    private static let cacheLock = Lock()
    nonisolated(unsafe) private static var cache: [String: MoonshineProcess] = [:]

    /// The process-wide worker for `files` (and this worker program and deadlines), started on
    /// first use.
    static func shared(_ files: MoonshineModelFiles, memoryLimitMB: Double = 1_200, workerPath: String? = nil,
                       deadlines: MoonshineDeadlines = MoonshineDeadlines()) throws(LocalEngineError) -> MoonshineProcess {
        cacheLock.lock(); defer { cacheLock.unlock() }
        let key = "\(files.directory.path)\u{0}\(workerPath ?? "")\u{0}\(deadlines)"
        if let m = cache[key] { return m }
        let m = try MoonshineProcess(files: files, memoryLimitMB: memoryLimitMB, workerPath: workerPath, deadlines: deadlines)
        cache[key] = m
        return m
    }

    init(files: MoonshineModelFiles, memoryLimitMB: Double, workerPath: String? = nil,
         deadlines: MoonshineDeadlines = MoonshineDeadlines()) throws(LocalEngineError) {
        self.files = files
        self.memoryLimitMB = memoryLimitMB
        self.deadlines = deadlines
        guard let path = workerPath ?? Self.findWorker() else {
            throw .modelLoadFailed(engine: "Moonshine", path: files.directory.path,
                                   detail: "the helper program captty-moonshine-worker was not found next to captty (build it with `swift build`, or set CAPTTY_MOONSHINE_WORKER)")
        }
        self.workerPath = path
        // A worker that dies must not take captty down with SIGPIPE on the next write.
        signal(SIGPIPE, SIG_IGN)
        lock.lock(); defer { lock.unlock() }
        current = try spawn()
        do { try current?.waitReady(within: deadlines.load) } catch {
            // Dying while it loads is a load failure (a CPU the library was not built for, a
            // corrupt model), not a decoding one.
            if case .decodeFailed(_, let detail) = error {
                throw .modelLoadFailed(engine: "Moonshine", path: files.directory.path, detail: detail)
            }
            throw error
        }
    }

    deinit { current?.stop() }

    /// `$CAPTTY_MOONSHINE_WORKER`, else `captty-moonshine-worker` next to the running executable
    /// or in `<exe dir>/../libexec/captty/`.
    static func findWorker() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["CAPTTY_MOONSHINE_WORKER"], fm.isExecutableFile(atPath: env) { return env }
        guard let exe = executablePath().map({ URL(fileURLWithPath: $0).resolvingSymlinksInPath() }) else { return nil }
        let dir = exe.deletingLastPathComponent()
        for c in [dir.appendingPathComponent("captty-moonshine-worker"),
                  dir.appendingPathComponent("../libexec/captty/captty-moonshine-worker").standardizedFileURL]
        where fm.isExecutableFile(atPath: c.path) { return c.path }
        return nil
    }

    func transcribe(_ samples: [Float]) throws(LocalEngineError) -> String {
        guard !samples.isEmpty else { return "" }
        // Sessions take turns in arrival order: `captty serve` shares one worker between its
        // clients, and one sending audio faster than real time held it for ten seconds at a
        // time while a real-time client's finals waited.
        return try turns.withTurn { () throws(LocalEngineError) -> String in try transcribeNow(samples) }
    }

    private func transcribeNow(_ samples: [Float]) throws(LocalEngineError) -> String {
        lock.lock(); defer { lock.unlock() }
        let text: String
        do {
            let w = try current ?? spawn()
            current = w
            try w.waitReady(within: deadlines.load)
            text = try w.transcribe(samples, within: deadlines.answer(samples: samples.count))
        } catch {
            // The worker died, hung or failed: one retry with a fresh one.
            current?.stop()
            current = nil
            let w = try spawn()
            current = w
            try w.waitReady(within: deadlines.load)
            text = try w.transcribe(samples, within: deadlines.answer(samples: samples.count))
        }
        if let w = current, w.residentMB() > memoryLimitMB {
            w.stop()
            current = try? spawn()   // loads while the next utterance is spoken
        }
        return text
    }

    /// The running worker's process id (nil between a retirement and the next call).
    var workerPID: Int32? { lock.lock(); defer { lock.unlock() }; return current?.pid }

    private func spawn() throws(LocalEngineError) -> Worker {
        spawned += 1
        return try Worker(path: workerPath, modelDirectory: files.directory.path)
    }

    /// One worker process and its pipes.
    final class Worker {
        private let process: ChildProcess
        private var toWorker: Int32 { process.input }
        private var fromWorker: Int32 { process.output }
        private var ready = false
        let modelDirectory: String

        init(path: String, modelDirectory: String) throws(LocalEngineError) {
            self.modelDirectory = modelDirectory
            do { process = try ChildProcess(path: path, arguments: [modelDirectory]) } catch {
                throw .modelLoadFailed(engine: "Moonshine", path: path, detail: "cannot start the worker: \(error)")
            }
        }

        func waitReady(within seconds: Double) throws(LocalEngineError) {
            guard !ready else { return }
            let deadline = Deadline(seconds: seconds, doing: "load its model")
            let tag = try read(4, by: deadline)
            if tag == Array("MSOK".utf8) { ready = true; return }
            if tag == Array("MSER".utf8) {
                let n = try uint32(by: deadline)
                let msg = String(decoding: try read(n, by: deadline), as: UTF8.self)
                throw .modelLoadFailed(engine: "Moonshine", path: modelDirectory, detail: msg)
            }
            throw .decodeFailed(engine: "Moonshine", detail: "the worker sent an unexpected greeting")
        }

        func transcribe(_ samples: [Float], within seconds: Double) throws(LocalEngineError) -> String {
            var bytes = MoonshineWorker.le(UInt32(samples.count))
            bytes.reserveCapacity(4 + samples.count * 4)
            samples.withUnsafeBytes { bytes.append(contentsOf: $0) }
            let deadline = Deadline(seconds: seconds, doing: "transcribe \(NumberText.fixed(Double(samples.count) / 16_000, decimals: 1)) s of audio")
            // A worker that stops reading fills the pipe: the write waits by the same deadline.
            try write(bytes, by: deadline)
            let status = try uint32(by: deadline)
            let n = try uint32(by: deadline)
            let text = String(decoding: try read(n, by: deadline), as: UTF8.self)
            guard status == 0 else { throw .decodeFailed(engine: "Moonshine", detail: text) }
            return text
        }

        /// The worker's process id.
        var pid: Int32 { process.pid }

        /// The worker's resident memory in MB (0 when unknown).
        func residentMB() -> Double {
            guard let s = try? String(contentsOfFile: "/proc/\(process.pid)/statm", encoding: .utf8),
                  let pages = s.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
            return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
        }

        func stop() {
            if process.isRunning { _ = try? write(MoonshineWorker.le(0), by: Deadline(seconds: 1, doing: "stop")) }
            process.terminate()
        }

        deinit { stop() }

        /// When the worker must have answered, and what it was doing.
        struct Deadline {
            let seconds: Double
            let doing: String
            let at: ContinuousClock.Instant

            init(seconds: Double, doing: String) {
                self.seconds = seconds
                self.doing = doing
                at = .now + .milliseconds(Int64(seconds * 1000))
            }

            /// Milliseconds left, for poll(); 0 when past.
            var millisecondsLeft: Int32 {
                let left = ContinuousClock.now.duration(to: at)
                guard left > .zero else { return 0 }
                return Int32(min(Double(Int32.max), (left.seconds * 1000).rounded(.up)))
            }
        }

        private func uint32(by deadline: Deadline) throws(LocalEngineError) -> Int {
            let b = try read(4, by: deadline)
            return Int(UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24)
        }

        private func read(_ n: Int, by deadline: Deadline) throws(LocalEngineError) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: n)
            var got = 0
            while got < n {
                try wait(for: POLLIN, by: deadline)
                let r = out.withUnsafeMutableBytes { Glibc.read(fromWorker, $0.baseAddress! + got, n - got) }
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { throw .decodeFailed(engine: "Moonshine", detail: deathDetail()) }
                got += r
            }
            return out
        }

        /// Why the worker's pipe closed, in words that say what to do.
        private func deathDetail() -> String {
            guard let how = process.ending() else { return "the worker process closed its output unexpectedly" }
            if process.killedBySignal == SIGILL {
                return "the worker process \(how): this CPU lacks instructions the Moonshine library was built for "
                    + "(AVX-512)"
            }
            return "the worker process \(how) unexpectedly"
        }

        /// Waits until the pipe to or from the worker is ready; past the deadline the worker is
        /// taken as hung (a stopped process, a stuck decode) and killed, so that the next call
        /// starts a fresh one and captions go on.
        private func wait(for event: Int32, by deadline: Deadline) throws(LocalEngineError) {
            while true {
                var fd = pollfd(fd: event == POLLIN ? fromWorker : toWorker, events: Int16(event), revents: 0)
                let ready = poll(&fd, 1, deadline.millisecondsLeft)
                if ready < 0 && errno == EINTR { continue }
                if ready != 0 { return }   // ready, closed or failed: the read or write says which
                kill(process.pid, SIGKILL)
                process.terminate()
                throw .decodeFailed(engine: "Moonshine", detail: "the worker process did not \(deadline.doing) within "
                    + "\(NumberText.fixed(deadline.seconds, decimals: 0)) s and was stopped")
            }
        }

        private func write(_ bytes: [UInt8], by deadline: Deadline) throws(LocalEngineError) {
            var sent = 0
            while sent < bytes.count {
                // Ready for writing means PIPE_BUF bytes fit: a write no larger cannot block.
                try wait(for: POLLOUT, by: deadline)
                let size = min(bytes.count - sent, Int(PIPE_BUF))
                let w = bytes.withUnsafeBytes { Glibc.write(toWorker, $0.baseAddress! + sent, size) }
                if w < 0 && errno == EINTR { continue }
                if w <= 0 { throw .decodeFailed(engine: "Moonshine", detail: deathDetail()) }
                sent += w
            }
        }
    }
}
