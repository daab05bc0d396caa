#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A task executor that runs every job on one dedicated thread, with its own timers.
///
/// Live captioning moves each 50 ms audio chunk through several actors and tasks (source →
/// session → engine → Deepgram client → WebSocket). On Swift's global pool each hop may wake
/// another thread; that wake-up, not the work, was most of captty's CPU time per chunk. Tasks
/// created with this executor as their preference (`Task(executorPreference:)`) run their hops
/// back to back on one thread, and `sleep(until:)` waits on the same thread, so a chunk costs
/// one wake-up. `watch(fd:)` lets the same wait cover a socket, so a received message costs one
/// wake-up too. Blocking calls must not run here: they would hold up every task that prefers it.
///
/// An executor and its thread live as long as the process (tasks may still hold it after
/// their session ended); use `shared` or a few long-lived instances.
public final class SerialThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let core: Core

    /// The process-wide executor the live audio path runs on.
    public static let shared = SerialThreadExecutor()

    /// Starts a thread that runs for the rest of the process.
    public init() {
        core = Core()
        core.owner = self   // deliberately immortal: jobs may arrive at any time
        core.start()
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        core.enqueue(UnownedJob(job))
    }

    /// The executor whose thread is running the caller, if any.
    public static var current: SerialThreadExecutor? {
        guard let p = pthread_getspecific(Core.key) else { return nil }
        return Unmanaged<Core>.fromOpaque(p).takeUnretainedValue().owner
    }

    /// Suspends the calling task until `deadline` (monotonic clock) on this executor's thread.
    /// Throws `CancellationError` when the task is cancelled first, like `Task.sleep`.
    ///
    /// `leeway` lets the wake-up come that much after `deadline`: the timer then fires with
    /// whatever wakes the thread next (an audio chunk, a message), and costs a wake-up of its
    /// own only when nothing else happens in time. Housekeeping timers (a clock tick, a
    /// KeepAlive check) use it so that they ride on the audio path's wake-ups.
    public func sleep(until deadline: ContinuousClock.Instant, leeway: Duration = .zero) async throws {
        let ns = Self.nanoseconds(deadline)
        let slack = Self.nanoseconds(leeway)
        let id = core.nextTimerID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
                core.addTimer(id: id, deadline: ns, leeway: slack, continuation: c)
            }
        } onCancel: {
            core.cancelTimer(id: id)
        }
    }

    /// Calls `onReadable` on this executor's thread whenever `fd` is readable (or has hung up,
    /// failed or been closed), until it returns false or `unwatch` is called with the returned
    /// id. The thread's own `poll` waits for it, so input on `fd` costs no other thread's
    /// wake-up: a socket read here hands its message to tasks on this thread directly.
    /// `onReadable` must not block, and must consume what made `fd` readable or return false
    /// (the poll is level-triggered). Any thread may call this.
    @discardableResult
    public func watch(fd: Int32, onReadable: @escaping @Sendable () -> Bool) -> UInt64 {
        core.addWatch(fd: fd, handler: onReadable)
    }

    /// Stops watching: `onReadable` is not called again once this returns, except by a call
    /// already running on the executor's thread. Any thread may call this; unknown ids are ignored.
    public func unwatch(_ id: UInt64) {
        core.removeWatch(id: id)
    }

    /// Sleeps on the current `SerialThreadExecutor` when the caller runs on one, else `Task.sleep`
    /// (with `leeway` as its tolerance).
    public static func sleep(until deadline: ContinuousClock.Instant, leeway: Duration = .zero) async throws {
        if let ex = current {
            try await ex.sleep(until: deadline, leeway: leeway)
        } else {
            try await Task.sleep(until: deadline, tolerance: leeway > .zero ? leeway : nil, clock: ContinuousClock())
        }
    }

    /// `sleep(until: now + duration, leeway:)`, on the current executor or with `Task.sleep`.
    public static func sleep(for duration: Duration, leeway: Duration = .zero) async throws {
        try await sleep(until: ContinuousClock.now + duration, leeway: leeway)
    }

    /// A non-negative duration in nanoseconds, clamped to 100 years.
    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        guard s >= 0, d > .zero else { return 0 }
        return min(s, 3_153_600_000) * 1_000_000_000 + atto / 1_000_000_000
    }

    static func nanoseconds(_ instant: ContinuousClock.Instant) -> Int64 {
        let now = ContinuousClock.now
        let (s, atto) = (instant - now).components
        // Clamped to ±100 years: far enough for "never", and no arithmetic can overflow.
        let seconds = min(max(s, -3_153_600_000), 3_153_600_000)
        return Monotonic.now() + seconds * 1_000_000_000 + atto / 1_000_000_000
    }
}

/// CLOCK_MONOTONIC in nanoseconds (deadlines are converted through the difference to now, so
/// it need not be the clock `ContinuousClock` reads).
enum Monotonic {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

extension SerialThreadExecutor {
    /// The thread and its queues; separate from the executor so the thread can outlive `deinit`
    /// until its queue drains.
    final class Core: @unchecked Sendable {
        static let key: pthread_key_t = {
            var k = pthread_key_t()
            pthread_key_create(&k, nil)
            return k
        }()

        private struct Timer {
            let id: UInt64
            let deadline: Int64
            /// `deadline` plus the leeway: the latest the thread may wake for this timer.
            let latest: Int64
            let continuation: CheckedContinuation<Void, Error>
        }

        // The queue is guarded by `mutex`, which is never held while the thread sleeps; the
        // thread sleeps in `poll` on a pipe (a condition variable's timed-out wait leaves its
        // mutex marked contended, which costs an extra futex call on every chunk).
        private var mutex = pthread_mutex_t()
        private let wakeRead: Int32
        private let wakeWrite: Int32
        // Guarded by `mutex`:
        private var jobs: [UnownedJob] = []
        private var head = 0
        private var timers: [Timer] = []          // few at a time: a sorted array is enough
        private var timerCounter: UInt64 = 0
        private var waiting = false
        private var allocated: Set<UInt64> = []           // ids handed out, not yet added
        private var cancelledBeforeAdd: Set<UInt64> = []
        /// File descriptors the thread's `poll` also waits for (`watch`), in the order added.
        private var watches: [(id: UInt64, fd: Int32, handler: @Sendable () -> Bool)] = []
        private var watchCounter: UInt64 = 0
        /// The watch whose handler is running (outside `mutex`), and whether `unwatch` came meanwhile.
        private var runningWatch: UInt64?
        private var runningWatchRemoved = false
        /// The executor (strong on purpose: executor and thread never go away).
        var owner: SerialThreadExecutor!
        // The run loop's own (thread-only) poll arrays, kept to avoid an allocation per sleep.
        private var pollSet: [pollfd] = []
        private var pollIDs: [UInt64] = []
        private var lastWatchPoll: Int64 = 0

        init() {
            pthread_mutex_init(&mutex, nil)
            var fds: [Int32] = [-1, -1]
            if pipe(&fds) != 0 { fatalError("cannot create the session thread's wake pipe: \(String(cString: strerror(errno)))") }
            (wakeRead, wakeWrite) = (fds[0], fds[1])
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        }

        func start() {
            let box = Unmanaged.passRetained(self).toOpaque()
            var tid = pthread_t()
            var attr = pthread_attr_t()
            pthread_attr_init(&attr)
            pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
            let rc = pthread_create(&tid, &attr, { arg in
                let core = Unmanaged<Core>.fromOpaque(arg!).takeRetainedValue()
                pthread_setspecific(Core.key, Unmanaged.passUnretained(core).toOpaque())
                core.run()
                pthread_setspecific(Core.key, nil)
                return nil
            }, box)
            pthread_attr_destroy(&attr)
            if rc != 0 {
                Unmanaged<Core>.fromOpaque(box).release()
                fatalError("cannot start the session thread: \(String(cString: strerror(rc)))")
            }
        }

        private func post() {
            var one: UInt8 = 1
            _ = write(wakeWrite, &one, 1)
        }

        func enqueue(_ job: UnownedJob) {
            pthread_mutex_lock(&mutex)
            jobs.append(job)
            let wake = waiting
            waiting = false
            pthread_mutex_unlock(&mutex)
            if wake { post() }
        }

        func nextTimerID() -> UInt64 {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            timerCounter &+= 1
            allocated.insert(timerCounter)
            return timerCounter
        }

        func addTimer(id: UInt64, deadline: Int64, leeway: Int64 = 0, continuation: CheckedContinuation<Void, Error>) {
            pthread_mutex_lock(&mutex)
            allocated.remove(id)
            if cancelledBeforeAdd.remove(id) != nil {
                pthread_mutex_unlock(&mutex)
                continuation.resume(throwing: CancellationError())
                return
            }
            let latest = deadline > Int64.max - leeway ? Int64.max : deadline + leeway
            let t = Timer(id: id, deadline: deadline, latest: latest, continuation: continuation)
            let i = timers.firstIndex { $0.deadline > deadline } ?? timers.endIndex
            // A sleeping thread must wake earlier only if this timer's latest moment comes first.
            let wake = waiting && latest < (timers.lazy.map(\.latest).min() ?? .max)
            timers.insert(t, at: i)
            if wake { waiting = false }
            pthread_mutex_unlock(&mutex)
            if wake { post() }
        }

        func addWatch(fd: Int32, handler: @escaping @Sendable () -> Bool) -> UInt64 {
            pthread_mutex_lock(&mutex)
            watchCounter &+= 1
            let id = watchCounter
            watches.append((id, fd, handler))
            let wake = waiting
            waiting = false
            pthread_mutex_unlock(&mutex)
            if wake { post() }   // the sleeping poll must include the new descriptor
            return id
        }

        func removeWatch(id: UInt64) {
            pthread_mutex_lock(&mutex)
            let before = watches.count
            watches.removeAll { $0.id == id }
            if runningWatch == id { runningWatchRemoved = true }
            // A poll still waiting on the descriptor must let go of it (it may be closed next).
            let wake = waiting && watches.count != before
            if wake { waiting = false }
            pthread_mutex_unlock(&mutex)
            if wake { post() }
        }

        /// How often a thread busy with jobs polls its watched descriptors.
        static let busyWatchPollEvery: Int64 = 5_000_000

        /// Polls the wake pipe and the watched descriptors (up to `timeout` ms; -1: no limit),
        /// then runs the handlers of those with input. Called and returns holding `mutex`.
        private func pollWatches(timeout: Int32) {
            pollSet.removeAll(keepingCapacity: true)
            pollSet.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
            pollIDs.removeAll(keepingCapacity: true)
            for w in watches {
                pollSet.append(pollfd(fd: w.fd, events: Int16(POLLIN), revents: 0))
                pollIDs.append(w.id)
            }
            pthread_mutex_unlock(&mutex)
            _ = poll(&pollSet, nfds_t(pollSet.count), timeout)
            if pollSet[0].revents != 0 {
                var drain = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
                _ = read(wakeRead, &drain, 32)
            }
            var ready: [UInt64] = []
            for i in pollSet.indices.dropFirst() where pollSet[i].revents != 0 { ready.append(pollIDs[i - 1]) }
            pthread_mutex_lock(&mutex)
            waiting = false
            if !ready.isEmpty { runReadyWatches(ready) }
        }

        /// Runs the handlers of `ready` (watch ids), skipping those unwatched meanwhile (called under `mutex`).
        private func runReadyWatches(_ ready: [UInt64]) {
            for id in ready {
                guard let w = watches.first(where: { $0.id == id }) else { continue }   // unwatched meanwhile
                runningWatch = id
                runningWatchRemoved = false
                pthread_mutex_unlock(&mutex)
                let keep = w.handler()
                pthread_mutex_lock(&mutex)
                runningWatch = nil
                if !keep && !runningWatchRemoved { watches.removeAll { $0.id == id } }
            }
        }

        func cancelTimer(id: UInt64) {
            pthread_mutex_lock(&mutex)
            var found: Timer?
            if let i = timers.firstIndex(where: { $0.id == id }) {
                found = timers.remove(at: i)
            } else if allocated.remove(id) != nil {
                cancelledBeforeAdd.insert(id)   // cancelled before `addTimer`: it resumes at once
            }
            pthread_mutex_unlock(&mutex)
            found?.continuation.resume(throwing: CancellationError())
        }

        private func run() {
            pthread_mutex_lock(&mutex)
            while true {
                if head < jobs.count {
                    let job = jobs[head]
                    head += 1
                    if head == jobs.count { jobs.removeAll(keepingCapacity: true); head = 0 }
                    pthread_mutex_unlock(&mutex)
                    job.runSynchronously(on: owner.asUnownedTaskExecutor())
                    pthread_mutex_lock(&mutex)
                    // A thread that never runs out of jobs still reads its watched descriptors.
                    if !watches.isEmpty {
                        let now = Monotonic.now()
                        if now - lastWatchPoll >= Self.busyWatchPollEvery {
                            lastWatchPoll = now
                            pollWatches(timeout: 0)
                        }
                    }
                    continue
                }
                let now = Monotonic.now()
                if let first = timers.first, first.deadline <= now {
                    var due: [Timer] = []
                    while let t = timers.first, t.deadline <= now { due.append(timers.removeFirst()) }
                    pthread_mutex_unlock(&mutex)
                    for t in due { t.continuation.resume() }
                    pthread_mutex_lock(&mutex)
                    continue
                }
                // Sleep until woken or a timer's latest moment (deadline + leeway). A wake-up posted just as a timed
                // wait ends leaves one extra count: the next wait returns at once, harmlessly.
                waiting = true
                var timeout: Int32 = -1
                if let deadline = timers.lazy.map(\.latest).min() {
                    // Whole milliseconds, rounded up: never early (a timer is re-checked after).
                    let wait = min(max(0, deadline - Monotonic.now()), Int64(Int32.max) * 1_000_000)
                    timeout = Int32((wait + 999_999) / 1_000_000)
                }
                pollWatches(timeout: timeout)
                lastWatchPoll = Monotonic.now()
            }
            pthread_mutex_unlock(&mutex)
        }
    }
}
