import Audio
import CaptionUI
import Transcript

/// The part of the screen the user controls (display toggles, scroll position, overlay, key
/// bindings, colours), combined with a `SessionView` into the `ScreenSnapshot` the renderer
/// draws. A value, owned by the UI thread.
public struct LiveScreenState: Sendable {
    public var toggles: DisplayToggles
    public var scroll: ScrollState = .following
    public var overlay: Overlay = .none
    public var keyBindings: KeyBindingTable
    public var colorMode: ColorMode
    /// The devices listed in the open device picker.
    public var devices: [AudioDevice] = []
    /// The source name of the device last chosen in the picker (two devices may share a
    /// description, which is all the session names).
    public var chosenDevice: String?

    /// Which of `list` is being captured: the one named `deviceName` (a description, or a
    /// source name); among several with that description, the one last chosen, else the
    /// default source (the first was marked, though another was captured: found in QA).
    public static func currentDevice(in list: [AudioDevice], deviceName: String, chosen: String?) -> Int? {
        let matches = list.indices.filter { list[$0].description == deviceName || list[$0].name == deviceName }
        guard matches.count > 1 else { return matches.first }
        return matches.first { list[$0].name == chosen } ?? matches.first { list[$0].isDefault } ?? matches.first
    }
    /// The problem shown on the meter row, until `warningUntil` (monotonic seconds).
    public var warning: String?
    public var warningUntil = 0.0
    /// How many warnings the session had reported when last looked at.
    public var warningsSeen = 0
    /// How long a warning stays on screen.
    public static let warningSeconds = 15.0
    /// What a key just did, shown on the meter row until `noticeUntil` (monotonic seconds).
    public var notice: String?
    public var noticeUntil = 0.0
    /// How long a key's confirmation stays on screen.
    public static let noticeSeconds = 4.0

    /// What the meter row says after the pause key: `paused` is the new state, `holdsFile`
    /// whether the input is a file that waits where it is (live audio is dropped meanwhile).
    public static func pauseNotice(paused: Bool, key: String, holdsFile: Bool) -> String {
        guard paused else { return "resumed" }
        return holdsFile ? "paused: the file waits (\(key) resumes)" : "paused: not captioning (\(key) resumes)"
    }

    /// Applies a display toggle and says what it did; false (nothing changed) for other actions.
    public mutating func applyDisplayToggle(_ action: KeyAction, diarizing: Bool, now: Double) -> Bool {
        guard toggles.apply(action) else { return false }
        notice = toggles.notice(after: action, keys: keyBindings, diarizing: diarizing)
        noticeUntil = now + Self.noticeSeconds
        return true
    }

    /// Takes the session's newest warning, if one came since the last look.
    public mutating func noteWarnings(_ view: SessionView, now: Double) {
        guard view.warningCount > warningsSeen else { return }
        warningsSeen = view.warningCount
        if let w = view.warning {
            warning = w
            warningUntil = now + Self.warningSeconds
        }
    }

    public init(toggles: DisplayToggles = DisplayToggles(), keyBindings: KeyBindingTable = .default,
                colorMode: ColorMode = .color) {
        self.toggles = toggles
        self.keyBindings = keyBindings
        self.colorMode = colorMode
    }

    /// The export formats offered by the save prompt, in order.
    public static let exportFormats = ExportFormat.allCases

    /// The frame for `view`: committed lines are read through the store's storage, not copied.
    public func snapshot(_ view: SessionView, now: Double = .infinity) -> ScreenSnapshot {
        let pending = view.store.pending
        let multichannel = view.isMultichannel
        var s = ScreenSnapshot(lines: CaptionLines(TranscriptLineSource(view.store.lines, revision: view.revision, multichannel: multichannel,
                                                                      gaps: view.store.gaps)),
                               interim: Self.interimText(pending?.text ?? "", connection: view.connection),
                               interimSpeaker: pending?.speaker,
                               toggles: toggles, level: view.meter, status: view.status, scroll: scroll,
                               overlay: overlay, colorMode: colorMode, keyBindings: keyBindings)
        // Timestamped as its line will be when it begins one.
        func start(_ p: PendingInterim) -> Double? { view.store.hasOpenLine(channel: p.channel) ? nil : p.start }
        s.interimStart = pending.flatMap(start)
        // A guess that continues the last line shown is drawn at its end.
        if let p = pending, let open = view.store.openLineIndex(channel: p.channel), open == view.store.lines.count - 1,
           view.store.lines[open].speaker == p.speaker || p.speaker == nil, s.lines.count > 0,
           s.lines[s.lines.count - 1].id == TranscriptLineSource.viewID(ofLine: view.store.lines[open].id) {
            s.interimJoinsLastLine = true
        }
        if now < warningUntil { s.warning = warning }
        if now < noticeUntil { s.notice = notice }
        if multichannel, let pending {
            s.interimChannel = pending.channel
            s.otherInterims = view.store.pendingByChannel.filter { $0.channel != pending.channel }
                .map { ChannelInterim(text: $0.text, speaker: $0.speaker, channel: $0.channel, start: start($0)) }
        }
        // Each flag's key as bound (rebinding included), for the bar's shortest form.
        for i in s.status.flags.indices {
            s.status.flags[i].key = s.status.flags[i].toggle.flatMap { keyBindings.keys(for: $0).first?.displayName }
        }
        return s
    }

    /// The interim guess as drawn: while the connection is down it is the last guess from
    /// before the outage, not a live one, and says so (it read as if the engine still heard).
    static func interimText(_ text: String, connection: ConnectionState) -> String {
        guard !text.isEmpty else { return text }
        switch connection {
        case .reconnecting, .error: return text + " " + staleInterimMark
        default: return text
        }
    }

    static let staleInterimMark = "(unconfirmed: connection lost)"

    /// The scroll command of a scrolling action, if it is one.
    public static func scrollCommand(_ action: KeyAction) -> ScrollCommand? {
        switch action {
        case .scrollPageUp: return .pageUp
        case .scrollPageDown: return .pageDown
        case .scrollLineUp: return .lineUp
        case .scrollLineDown: return .lineDown
        case .scrollTop: return .top
        case .scrollBottom: return .bottom
        default: return nil
        }
    }
}
