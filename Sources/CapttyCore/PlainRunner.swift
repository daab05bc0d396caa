import Executors
import CaptionUI
import FoundationEssentials
import Glibc
import SystemSupport
import Transcript

/// Plain mode (`--plain`, or stdout not a terminal): each final caption line goes to stdout as
/// soon as it closes (flushed per line), status changes go to stderr. For pipes and screen
/// readers.
public struct PlainRunner: Sendable {
    public var timestamps: Bool
    public var speakerLabels: Bool
    /// Says when captions fall behind the audio and when they catch up (audio paced in real
    /// time: a file read faster is behind by design).
    public var lagNotices: Bool
    /// Writes one line of standard output (flushed).
    public var writeOut: @Sendable (String) -> Void
    /// Writes one line of standard error.
    public var writeErr: @Sendable (String) -> Void

    public init(timestamps: Bool = false, speakerLabels: Bool = true, lagNotices: Bool = true,
                writeOut: @escaping @Sendable (String) -> Void = PlainRunner.standardOutput,
                writeErr: @escaping @Sendable (String) -> Void = PlainRunner.standardError) {
        self.timestamps = timestamps
        self.speakerLabels = speakerLabels
        self.lagNotices = lagNotices
        self.writeOut = writeOut
        self.writeErr = writeErr
    }

    /// Writes a line to fd 1 with one `write` (no buffering, so a pipe sees it at once).
    public static let standardOutput: @Sendable (String) -> Void = { writeLine($0, to: STDOUT_FILENO) }
    /// Control characters are replaced (`TerminalSafeOutput.errorText`): status and errors quote servers.
    public static let standardError: @Sendable (String) -> Void = { writeLine(TerminalSafeOutput.errorText($0), to: STDERR_FILENO) }

    static func writeLine(_ s: String, to fd: Int32) {
        var bytes = Array((s + "\n").utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                if fd == STDOUT_FILENO { OutputFailure.standardOutput.record(errno) }
                return
            }
            off += n
        }
    }

    /// Starts the session, prints lines until the source ends or `stop()` returns true (checked
    /// on every change and at least every 500 ms), then finishes the session. While finishing
    /// waits for the engine, a rise of `signals()` (termination signals so far: Ctrl-C) stops
    /// the wait.
    public func run(_ session: Session, stop: @escaping @Sendable () -> Bool = { false },
                    signals: @escaping @Sendable () -> Int = { 0 },
                    interrupts: @escaping @Sendable () -> Int = { 0 }) async -> Session.Summary {
        await session.start()
        var printed = PrintedSoFar()
        var lastConnection: ConnectionState?
        var lastSave: CaptionUI.SaveState?
        var lastDevice: String?
        var lastNotice: String?
        var warningsShown = 0
        var lastWarning: String?
        var saidNoAudio = false
        var audioReturnsSeen = 0
        var outagesSeen = 0
        let changes = session.changes
        // Wake up regularly so a termination signal is seen without a change (within a second;
        // the leeway lets the check ride on the audio path's wake-ups).
        let ticker = Task(executorPreference: session.configuration.executor) { [writeErr, lagNotices] in
            var endedAt: ContinuousClock.Instant?
            var saidWaiting = false
            var lag = LagNotices()
            while !Task.isCancelled {
                try? await SerialThreadExecutor.sleep(for: .milliseconds(500), leeway: .milliseconds(500))
                // The input has ended and the engine's last captions are slow to come (a server
                // working through a backlog, or one that stopped answering): said, not silence.
                let v = session.view
                if lagNotices, let note = lag.look(lagMilliseconds: v.lagMilliseconds,
                                                   live: v.connection == .live && !v.paused && !v.sourceEnded) {
                    writeErr("captty: \(note)")
                }
                if v.sourceEnded, !v.finished, !v.engineStopped, v.connection != .finished {
                    if case .error = v.connection {} else if !saidWaiting {
                        let since = endedAt ?? .now
                        endedAt = since
                        if ContinuousClock.now - since >= .seconds(2) {
                            saidWaiting = true
                            writeErr("captty: the audio has ended; waiting for the engine's last captions…")
                        }
                    }
                }
                if stop() {
                    // Lines that arrive while finishing are still printed by the loop below,
                    // which ends when the session has finished.
                    await finishSaying(session, signals: signals, interrupts: interrupts)
                    break
                }
            }
        }
        for await _ in changes {
            let v = session.view
            // Warnings first: a reconnect's reason that was just printed as one is not repeated.
            if v.warningCount > warningsShown {
                // Several may arrive between two looks; print each one still kept, and say how
                // many scrolled away (the log has them all).
                let new = v.warningCount - warningsShown
                let kept = v.recentWarnings.suffix(min(new, v.recentWarnings.count))
                if new > kept.count { writeErr("captty: \(new - kept.count) more server problems (see the log)") }
                for w in kept { writeErr("captty: \(DisplayWidth.sanitizedForTerminal(w))") }
                warningsShown = v.warningCount
                lastWarning = kept.last
                // "now capturing from X (why)" has just said which device it is.
                if kept.contains(where: { $0.hasPrefix("now capturing from \(v.deviceName) (") }) { lastDevice = v.deviceName }
            }
            // Outages that began and ended between two looks (standard output was blocked by a
            // slow reader) left no state to print: said as a count (3 reconnects gave 1 line).
            let newOutages = v.outages - outagesSeen
            outagesSeen = v.outages
            // The latest one, still reconnecting or ended in an error, is said just below.
            var missed = newOutages
            switch v.status.connection {
            case .reconnecting, .error: missed = max(0, newOutages - 1)
            default: break
            }
            if missed > 0 {
                writeErr("captty: the connection dropped and came back \(missed == 1 ? "once" : "\(missed) times") meanwhile (see the log)")
            }
            report(v, lastConnection: &lastConnection, lastSave: &lastSave, lastDevice: &lastDevice, lastWarning: lastWarning)
            // Plain mode has no keys to change options: once the engine has failed for good (a
            // refused key, a server given up on, undecodable audio), audio still coming in (a
            // microphone, an endless pipe) would go nowhere. Stop and say why, as at the end of
            // a file: at once, not when the engine's run ends, which waited for the next audio
            // (a stalled pipe kept captty running, blaming the input, after "gave up").
            if v.engineFailed {
                printClosed(v.store, &printed, all: false, multichannel: v.isMultichannel)
                break
            }
            // The full screen's "no audio" warning, said once each time the audio goes quiet
            // (screen-reader users rely on plain mode; it said nothing).
            // (Not for a monitor: nothing playing is normal there, and it was said every pause.)
            let quiet = v.noAudio && !v.paused && !v.sourceEnded && !v.sourceIsMonitor
            // Audio that came back is said even when the input ended before this look (a pipe
            // that resumed with its last second: it went unsaid), and before a new quiet spell.
            let returned = v.audioReturns > audioReturnsSeen
            audioReturnsSeen = v.audioReturns
            if saidNoAudio && (returned || (!quiet && !v.sourceEnded)) {
                writeErr("captty: audio again from \(DisplayWidth.sanitizedForTerminal(v.deviceName))")
                saidNoAudio = false
            }
            if quiet && !saidNoAudio {
                writeErr("captty: no audio from \(DisplayWidth.sanitizedForTerminal(v.deviceName)) — "
                         + (v.sourceIsDevice ? "check it is on and not muted" : v.noAudioArriving ? "nothing is arriving" : "it is silent here"))
            }
            saidNoAudio = quiet
            if let n = v.notice, n != lastNotice {
                lastNotice = n
                writeErr("captty: \(DisplayWidth.sanitizedForTerminal(n))")
            }
            printClosed(v.store, &printed, all: false, multichannel: v.isMultichannel)
            if v.sourceEnded && v.connection == .finished { break }
        }
        ticker.cancel()
        await ticker.value
        let summary = await session.finish()
        let v = session.view
        printClosed(v.store, &printed, all: true, multichannel: v.isMultichannel)
        report(v, lastConnection: &lastConnection, lastSave: &lastSave, lastDevice: &lastDevice, lastWarning: lastWarning)
        // Finishing can bring one more (the journal written again as it closed).
        if let n = v.notice, n != lastNotice { writeErr("captty: \(DisplayWidth.sanitizedForTerminal(n))") }
        return summary
    }

    /// Finishes the session; when that takes more than a second (the engine's last results are
    /// late, or it is reconnecting), says what it waits for and how to stop at once.
    private func finishSaying(_ session: Session, signals: @escaping @Sendable () -> Int,
                              interrupts: @escaping @Sendable () -> Int) async {
        let finishing = Task { await session.finish(userAsked: true) }
        let askedBySignal = signals() > 0
        // The wait is announced once the grace second is over; only a signal after that counts
        // (a second Ctrl-C at any time).
        var watch = SignalsWhileFinishing(interrupts: interrupts())
        while !(await session.isFinished) {
            try? await Task.sleep(for: .milliseconds(100))
            if Task.isCancelled { break }
            switch watch.observe(count: signals(), interrupts: interrupts()) {
            case .graceOver?:
                let secs = session.configuration.finishTimeout.components.seconds
                writeErr("captty: stopping: waiting up to \(secs) s for the last captions "
                         + "(Ctrl-C \(askedBySignal ? "again " : "")to stop now)")
            case .stopWaiting?: await session.stopWaiting()
            case nil: break
            }
        }
        _ = await finishing.value
    }

    /// How far plain mode has printed the transcript: lines, and the gaps (audio lost) noted.
    struct PrintedSoFar {
        /// Lines before this index are all printed.
        var lines = 0
        /// Lines after `lines` printed already: closed lines of one channel while another
        /// channel's line before them is still open (multichannel).
        var ahead: Set<Int> = []
        var gaps: [AudioGap] = []

        /// Whether `gap` (or the gap it grew from) was noted already.
        func noted(_ gap: AudioGap) -> Bool {
            gaps.contains { $0.reason == gap.reason && $0.start <= gap.end && gap.start <= $0.end }
        }
    }

    /// Prints the lines not yet printed that are closed (all of them when `all`). A gap (audio
    /// lost) is noted in its place, before the first line after it (or at the end), so a deaf
    /// reader sees that something went uncaptioned. Not before: an outage is reported in pieces
    /// while it lasts (0.1 s, then 30 s more…), and only its whole length is worth a line.
    func printClosed(_ store: TranscriptStore, _ printed: inout PrintedSoFar, all: Bool, multichannel: Bool = false) {
        let gaps = store.gaps
        func noteGaps(before time: Double) {
            for g in gaps where g.start <= time && !printed.noted(g) {
                writeOut(PlainFormatter.finalLine(CaptionLineView(id: 0, start: g.start, content: .note(g.note)),
                                                  timestamps: timestamps))
                printed.gaps.append(g)
            }
        }
        // A line is printed once closed. Lines are in the order they started, and each channel
        // has at most one open line: a closed line of one channel after another channel's open
        // line is printed without waiting for it (one talker who never pauses held back the
        // other's captions).
        var i = printed.lines
        var blocked = false
        while i < store.lines.count {
            let line = store.lines[i]
            if !(all || line.isClosed) {
                blocked = true
                guard multichannel else { break }
            } else if !printed.ahead.contains(i) {
                if !line.words.isEmpty {
                    if !gaps.isEmpty { noteGaps(before: line.start) }
                    // Words the engine never made final say so, as in the text export.
                    let mark = UnconfirmedSpan.marks(line, in: store.unconfirmedSpans) ? " " + UnconfirmedSpan.note : ""
                    writeOut(PlainFormatter.finalLine(TranscriptLineSource.view(of: line, multichannel: multichannel), timestamps: timestamps,
                                                      speakerLabels: speakerLabels) + mark)
                }
                if blocked { printed.ahead.insert(i) }
            }
            if !blocked {
                printed.ahead.remove(i)
                printed.lines = i + 1
            }
            i += 1
        }
        if all, !gaps.isEmpty { noteGaps(before: .infinity) }
    }

    private func report(_ v: SessionView, lastConnection: inout ConnectionState?, lastSave: inout CaptionUI.SaveState?,
                        lastDevice: inout String?, lastWarning: String?) {
        let status = v.status
        // The countdown of a reconnect ticks each second on the screen; plain mode says each
        // attempt once.
        var sameAttempt = false
        if case .reconnecting(_, let a, let r)? = lastConnection, case .reconnecting(_, let b, let q) = status.connection {
            sameAttempt = a == b && r == q
        }
        if status.connection == .finished && v.finishedIncomplete {
            // Not "finished": the engine was given up on, which the summary says next.
            lastConnection = status.connection
        } else if status.connection != lastConnection && !sameAttempt {
            lastConnection = status.connection
            var repeatsWarning = false
            if case .reconnecting(_, _, let reason) = status.connection, !reason.isEmpty { repeatsWarning = reason == lastWarning }
            writeErr(PlainFormatter.statusLine(status.connection, withReason: !repeatsWarning))
            // A long outage (a dead server, no network) can retry for minutes: say once per
            // outage how to stop (plain mode has no help key to ask).
            // (Not for a file or a pipe whose server never answered: it gives up by itself.)
            if case .reconnecting(_, PlainFormatter.stopHintAttempt, _) = status.connection, v.engineReached || v.sourceIsDevice {
                writeErr(PlainFormatter.stopHint)
            }
        }
        if status.save != lastSave {
            lastSave = status.save
            writeErr(PlainFormatter.saveLine(status.save))
        }
        if v.deviceName != lastDevice {
            lastDevice = v.deviceName
            writeErr("captty: audio from \(DisplayWidth.sanitizedForTerminal(v.deviceName))")
        }
    }
}

/// The first error writing standard output (a full disk, a closed pipe): captions that did not
/// reach it are said to be lost at the end, with a failing status, instead of a silent exit 0.
public final class OutputFailure: @unchecked Sendable {
    public static let standardOutput = OutputFailure()
    private let lock = Lock()
    private var first: Int32?
    func record(_ code: Int32) { lock.lock(); if first == nil { first = code }; lock.unlock() }
    /// The errno of the first failed write, if any.
    public var error: Int32? { lock.lock(); defer { lock.unlock() }; return first }
    /// "… No space left on device" for the first failure, nil when there was none.
    public var message: String? { error.map { StandardStreams.outputError($0) } }

    /// Whether standard output can no longer be read by anyone: a write found the pipe closed,
    /// or standard output is a pipe whose reader has gone (`captty --plain | head -1`), seen
    /// without writing. Captioning went on for ever (a microphone) with no one to read it.
    public var readerGone: Bool {
        if error == EPIPE || error == EBADF { return true }   // (EBADF: it was closed: `captty >&-`)
        var st = stat()
        guard fstat(STDOUT_FILENO, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO else { return false }
        var p = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
        guard poll(&p, 1, 0) == 1, p.revents & Int16(POLLERR) != 0 else { return false }
        record(EPIPE)
        return true
    }
}
