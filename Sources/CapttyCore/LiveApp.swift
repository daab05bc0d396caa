import Audio
import CaptionUI
import FoundationEssentials
import Glibc
import LocalSpeech
import SystemSupport
import Synchronization
import Transcript

/// The full-screen app: a dedicated thread owns the ncurses terminal and the renderer, reads
/// keys with a timeout, and turns them into session actions; the session runs on its actor.
///
/// The loop draws at most 30 frames a second and only when the snapshot changed. Quit, Ctrl-C,
/// SIGTERM and SIGHUP all finish the session (last results, journal flushed) before the
/// terminal is restored; a crash restores it through `TerminalSignals`.
public final class LiveApp: Sendable {
    /// Lists that the cycling keys walk through.
    public struct Settings: Sendable {
        public var languages: [String]
        public var models: [String]
        public var toggles: DisplayToggles
        public var keyBindings: KeyBindingTable
        /// Forces monochrome (nil: colour unless NO_COLOR is set or the terminal has none).
        public var allowColor: Bool?
        public init(languages: [String] = [], models: [String] = [], toggles: DisplayToggles = DisplayToggles(),
                    keyBindings: KeyBindingTable = .default, allowColor: Bool? = nil) {
            self.languages = languages; self.models = models; self.toggles = toggles
            self.keyBindings = keyBindings; self.allowColor = allowColor
        }
    }

    /// Messages from async work back to the UI thread.
    enum Inbox: Sendable {
        case devices([AudioDevice])
        /// The list again, while the picker is open (nil: it could not be read this time).
        case devicesRefreshed([AudioDevice]?)
        case message(title: String, text: String)
        /// A confirmation that closes by itself after `transientSeconds` (a key pressed while it
        /// shows closes it and does what it does): "Saved" covered three rows of captions until
        /// a key was pressed, and that key was spent closing it.
        case confirmation(title: String, text: String)
        /// What a key did, said on the meter row for a few seconds (`LiveScreenState.notice`).
        case keyNotice(String)
        case finished(Session.Summary)
    }

    static let transientSeconds = 3.0
    /// How often the open device picker lists the devices again: one plugged in or removed
    /// meanwhile shows (the list was a snapshot from when it opened).
    static let deviceListRefreshSeconds = 1.5
    /// How long a notice the session raised by itself stays over the captions.
    static let noticeSeconds = 15.0

    public let session: Session
    public let settings: Settings
    private let inbox = Mutex<[Inbox]>([])

    public init(session: Session, settings: Settings = Settings()) {
        self.session = session
        self.settings = settings
    }

    /// Runs until the user quits (or a termination signal); returns the session's summary.
    /// Throws `TerminalError` when the terminal cannot be opened (the session is then finished
    /// without having started).
    public func run() async throws -> Session.Summary {
        let result: Result<Session.Summary, TerminalError> = await withCheckedContinuation { c in
            let started = Threads.detach(name: "captty-ui", stackSize: 4 << 20) { [self] in c.resume(returning: self.loop()) }
            if !started {
                let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
                c.resume(returning: .failure(.cannotOpen(term: term, reason: Threads.cannotStart)))
            }
        }
        return try result.get()
    }

    private func post(_ m: Inbox) { inbox.withLock { $0.append(m) } }

    /// The UI thread's body.
    private func loop() -> Result<Session.Summary, TerminalError> {
        TerminalSignals.installTerminationHandlers()
        let term: CursesTerminal
        do { term = try CursesTerminal(allowColor: settings.allowColor) } catch { return .failure(error) }
        defer { term.end() }
        let session = self.session
        Task { await session.start() }
        let renderer = Renderer(terminal: term)
        var state = LiveScreenState(toggles: settings.toggles, keyBindings: settings.keyBindings,
                                    colorMode: ColorMode.detect(environment: ProcessInfo.processInfo.environment,
                                                                terminalHasColors: term.hasColors && settings.allowColor != false))
        var quitting = false
        var summary: Session.Summary?
        var lastNotice: String?
        var transientUntil: Double?   // when the confirmation on screen closes by itself
        var devicesListedAt = 0.0, listingDevices = false
        renderer.renderNow(state.snapshot(session.view), now: Renderer.monotonicSeconds())

        var signalWatch: SignalsWhileFinishing?
        var hurried = false
        func quit() {
            guard !quitting else { return }
            quitting = true
            signalWatch = SignalsWhileFinishing(interrupts: TerminalSignals.interruptCount)
            let secs = session.configuration.finishTimeout.components.seconds
            let key = state.keyBindings.keys(for: .quit).first?.displayName ?? "q"
            if Session.unreachedEngineAttempt(session.view) != nil {
                state.overlay = .message(title: "Finishing", text: "The engine was never reached: trying once more, then saving "
                                         + "the transcript… Press \(key) again to stop now.", footer: "")
            } else {
                state.overlay = .message(title: "Finishing", text: "Waiting up to \(secs) s for the last captions and saving the "
                                         + "transcript… Press \(key) again to stop waiting.", footer: "")
            }
            Task { [self] in self.post(.finished(await session.finish(userAsked: true))) }
        }
        /// Quit asked again while finishing: stop waiting for the engine (what arrived is kept).
        func hurry() {
            guard quitting, !hurried else { return }
            hurried = true
            Task { await session.stopWaiting() }
        }

        var headless = false
        while summary == nil {
            if ScreenSupervisor.supervisorGone && !headless {
                // The supervisor was killed outright: the shell has the terminal back already.
                // Give it up at once (drawing on, the prompt landed in the alternate screen and
                // typed commands were read as keys: `s` saved, `l` switched language) and finish
                // without a screen; the journal is completed as on quit.
                headless = true
                term.endKeepingCurrentModes()   // the shell's line editor has set its own
                quit()
            }
            if headless {
                for m in inbox.withLock({ i -> [Inbox] in defer { i = [] }; return i }) {
                    if case .finished(let s) = m { summary = s }
                }
                if summary == nil { usleep(50_000) }
                continue
            }
            if TerminalSignals.takeSuspendRequest() {
                term.suspend()
                renderer.invalidate()
            }
            if TerminalSignals.terminationRequested { quit() }
            if signalWatch?.observe(count: TerminalSignals.terminationCount, interrupts: TerminalSignals.interruptCount) == .stopWaiting { hurry() }
            for m in inbox.withLock({ i -> [Inbox] in defer { i = [] }; return i }) {
                switch m {
                case .devices(let list):
                    showDevicePicker(list, in: &state, keeping: nil)
                    devicesListedAt = Renderer.monotonicSeconds()
                case .devicesRefreshed(let list):
                    listingDevices = false
                    // Only while the picker is open, and only when the list changed; the
                    // highlight stays on the device it was on.
                    guard let list, case .devicePicker(let picker) = state.overlay, list != state.devices else { break }
                    let highlighted = state.devices.indices.contains(picker.selection) ? state.devices[picker.selection].name : nil
                    showDevicePicker(list, in: &state, keeping: highlighted)
                case .message(let title, let text):
                    if !quitting { state.overlay = .message(title: title, text: text); transientUntil = nil }
                case .confirmation(let title, let text):
                    if !quitting {
                        state.overlay = .message(title: title, text: text)
                        transientUntil = Renderer.monotonicSeconds() + Self.transientSeconds
                    }
                case .keyNotice(let text):
                    state.notice = text
                    state.noticeUntil = Renderer.monotonicSeconds() + LiveScreenState.noticeSeconds
                case .finished(let s):
                    summary = s
                }
            }
            if summary != nil { break }
            let view = session.view
            if let n = view.notice, n != lastNotice {
                lastNotice = n
                // Unasked for, it covers captions: it closes by itself once there was time to read
                // it (the journal's notice stayed over six caption rows until a key was pressed).
                if !quitting {
                    state.overlay = .message(title: "Notice", text: n)
                    transientUntil = Renderer.monotonicSeconds() + Self.noticeSeconds
                }
            }
            let now = Renderer.monotonicSeconds()
            if case .devicePicker = state.overlay, !listingDevices, now - devicesListedAt >= Self.deviceListRefreshSeconds {
                listingDevices = true
                devicesListedAt = now
                Task { [self] in self.post(.devicesRefreshed(try? await listAudioDevices(timeout: 2))) }
            }
            if let until = transientUntil, now >= until {
                if case .message = state.overlay { state.overlay = .none }
                transientUntil = nil
            }
            state.noteWarnings(view, now: now)
            var wait = 100
            if case .deferred(let s) = renderer.render(state.snapshot(session.view, now: now), now: now) {
                wait = max(1, Int(s * 1000) + 1)
            }
            guard let key = term.readKey(timeoutMilliseconds: wait) else {
                switch term.keyboardProblem {
                case .hungUp?:
                    // The terminal is gone and no SIGHUP came (not its foreground process):
                    // finish like a hang-up, without a screen to draw on.
                    headless = true
                    term.end()
                    quit()
                case .notForeground? where !quitting:
                    state.warning = "keys cannot be read: captty is not in the terminal's foreground (started with & or by timeout without --foreground); stop it with kill -TERM \(getpid())"
                    state.warningUntil = .infinity
                default: break
                }
                continue
            }
            if quitting {
                if case .action(.quit) = ScreenCommand.route(key, overlay: .none, bindings: state.keyBindings, screen: term.size) {
                    hurry()
                }
                continue
            }
            if transientUntil != nil {
                transientUntil = nil
                // Its footer says "any key closes": the key closes it and does nothing else
                // (Space after "Saved" paused the captions). A resize is not a key press.
                if case .message = state.overlay, key != .resize {
                    state.overlay = .none
                    continue
                }
            }
            let snapshot = state.snapshot(session.view)
            switch ScreenCommand.route(key, overlay: state.overlay, bindings: state.keyBindings, screen: term.size) {
            case .resize:
                renderer.invalidate()
                // Taller now, everything below the place scrolled back to fits: that is following
                // again (the view showed live captions, then jumped back 40 s when more came).
                if case .scrolledBack = state.scroll {
                    let area = ScreenLayout(size: term.size).captions
                    if CaptionViewport.visible(snapshot, width: area.width, height: area.height).isFollowing { state.scroll = .following }
                }
            case .ignored:
                break
            case .closeOverlay:
                state.overlay = .none
            case .showHelpPage(let p):
                state.overlay = .help(page: p)
            case .moveDeviceSelection(let d):
                if case .devicePicker(let s) = state.overlay { state.overlay = .devicePicker(s.moved(by: d)) }
            case .chooseDevice(let i):
                state.overlay = .none
                guard i < state.devices.count else { break }
                let device = state.devices[i]
                state.chosenDevice = device.name
                Task { [self] in
                    do { try await session.switchDevice(to: .named(device.name)) } catch {
                        self.post(.message(title: "Cannot switch device", text: "\(error)"))
                    }
                }
            case .moveFormatSelection(let d):
                if case .exportPrompt(let s) = state.overlay { state.overlay = .exportPrompt(s.moved(by: d)) }
            case .chooseFormat(let i):
                state.overlay = .none
                let format = LiveScreenState.exportFormats[min(i, LiveScreenState.exportFormats.count - 1)]
                Task { [self] in
                    do {
                        let url = try await session.export(format)
                        self.post(.confirmation(title: "Saved", text: "Wrote \(url.path)"))
                    } catch {
                        // The prompt offers formats only: say how to write elsewhere.
                        let later = session.view.save.map { " The journal is kept; export it to another place later with: "
                            + "captty export \(LiveLauncher.shellQuoted($0.path)) --format \(format.rawValue) -o PATH" } ?? ""
                        self.post(.message(title: "Save failed", text: "\(error).\(later)"))
                    }
                }
            case .action(let action):
                if state.applyDisplayToggle(action, diarizing: session.view.options.diarize ?? false,
                                            now: Renderer.monotonicSeconds()) { break }
                if let scroll = LiveScreenState.scrollCommand(action) {
                    state.scroll = CaptionViewport.scrolled(snapshot, by: scroll, screen: term.size)
                    break
                }
                switch action {
                case .quit: quit()
                case .redraw: renderer.invalidate()
                case .help: state.overlay = .help(page: 0)
                case .pause where session.view.sourceEnded:
                    state.overlay = Self.audioEndedMessage
                case .pause:
                    let key = state.keyBindings.keys(for: .pause).first?.displayName ?? "Space"
                    let holdsFile = (session.source as? FileAudioSource)?.canHold == true
                    Task { [self] in
                        // Said as well as shown: while reconnecting the bar keeps the connection's
                        // state, and the press read as ignored.
                        let paused = await session.togglePause()
                        self.post(.keyNotice(LiveScreenState.pauseNotice(paused: paused, key: key, holdsFile: holdsFile)))
                    }
                case .saveNow:
                    state.overlay = .exportPrompt(ExportPromptState(formats: LiveScreenState.exportFormats.map(\.rawValue)))
                case .pickDevice:
                    if session.canSwitchDevice {
                        Task { [self] in
                            do { self.post(.devices(try await listAudioDevices(timeout: 5))) } catch {
                                self.post(.message(title: "No device list", text: "\(error)"))
                            }
                        }
                    } else if session.configuration.deviceNotice != nil {
                        state.overlay = .message(title: "Device picker not available",
                                                 text: "PulseAudio could not be reached, so the demo recording is playing. Start PulseAudio "
                                                    + "(`pulseaudio --start`, or set PULSE_SERVER) and run captty again to caption a device.")
                    } else {
                        state.overlay = .message(title: "Device picker not available",
                                                 text: "Captioning \(session.source.name): switching devices needs a PulseAudio input (--device, --system-audio or the default microphone).")
                    }
                default:
                    // Option changes re-caption the audio still to come: after the end there is none.
                    let languages = settings.languages, models = settings.models
                    if session.view.sourceEnded,
                       OptionToggles.apply(action, to: session.view.options, languages: languages, models: models) != nil {
                        state.overlay = Self.audioEndedMessage
                        break
                    }
                    // Said on the meter row at once, as the display keys are (after the session took
                    // it, the offline engine's answer came seconds later, and a key it lacks left
                    // the last key's notice up).
                    if let next = OptionToggles.apply(action, to: session.view.options, languages: languages, models: models) {
                        let lacks = session.engine is LocalRecognizer
                            ? Session.offlineEngineLacks(action, runs: Session.offlineModel(session.engine, next)) : nil
                        state.notice = lacks.map { "the offline engine has no \($0): this key changes nothing here" }
                            ?? OptionToggles.notice(after: action, options: next)
                        state.noticeUntil = Renderer.monotonicSeconds() + LiveScreenState.noticeSeconds
                    }
                    Task { await session.apply(action, languages: languages, models: models) }
                }
            }
        }
        // The last frame shows the finished state; then the terminal is restored (defer).
        if !headless {
            state.overlay = .none
            renderer.renderNow(state.snapshot(session.view), now: Renderer.monotonicSeconds())
        }
        return .success(summary!)
    }

    /// Opens (or updates) the device picker on `list`, highlighting the device named `keeping`
    /// when it is still there, else the one in use.
    private func showDevicePicker(_ list: [AudioDevice], in state: inout LiveScreenState, keeping: String?) {
        state.devices = list
        // The one chosen in the picker, else the one --device named.
        let named: String? = if let capture = session.source as? PulseCapture, case .named(let q) = capture.options.device {
            try? AudioDeviceSelector.named(q).resolve(in: list).name
        } else { nil }
        let current = LiveScreenState.currentDevice(in: list, deviceName: session.view.deviceName, chosen: state.chosenDevice ?? named)
        let selection = keeping.flatMap { name in list.firstIndex { $0.name == name } } ?? current ?? 0
        state.overlay = .devicePicker(DevicePickerState(devices: list.map(\.shortLabel), selection: selection, current: current))
    }

    /// Shown for pause and option keys once the audio has ended.
    static let audioEndedMessage = Overlay.message(
        title: "The audio has ended",
        text: "There is nothing left to pause or to caption with other settings. Any key closes this; then save with s, or quit with q.")
}
