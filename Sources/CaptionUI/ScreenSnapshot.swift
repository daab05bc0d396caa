/// Everything the screen shows, as one value: the renderer draws it and changes nothing.
///
/// Two equal snapshots draw the same frame, so the renderer skips a frame when nothing
/// changed. Committed lines are read through `CaptionLines` (count + revision), never copied.
public struct ScreenSnapshot: Equatable, Sendable {
    public var lines: CaptionLines
    /// The engine's pending guess for the words being spoken; replaced in place.
    public var interim: String
    /// Speaker of the interim text, if known.
    public var interimSpeaker: Int?
    /// The interim's channel in a multichannel session (labelled as its lines are); nil otherwise.
    public var interimChannel: Int?
    /// In a multichannel session, the other channels' interim guesses (drawn with `interim`,
    /// all in channel order): people speaking at once each have theirs.
    public var otherInterims: [ChannelInterim] = []
    /// Where the interim guess starts (session seconds) when it begins a line of its own, for
    /// its timestamp; nil when it continues the open line above (the text shifted sideways when
    /// it became final under timestamps).
    public var interimStart: Double? = nil
    /// Whether the interim guess continues the last line shown (its open line, by the same
    /// speaker): it is drawn at that line's end, where its words go when they become final,
    /// not on a row of its own that jumped up into the line (found in QA).
    public var interimJoinsLastLine = false
    public var toggles: DisplayToggles
    public var level: LevelMeterReading
    public var status: StatusInfo
    public var scroll: ScrollState
    public var overlay: Overlay
    public var colorMode: ColorMode
    /// The key bindings in effect (the help overlay lists them).
    public var keyBindings: KeyBindingTable
    /// A recent problem to show on the meter row (a server's Error message, lost audio, a
    /// finish that timed out); nil when there is none to show.
    public var warning: String? = nil
    /// A short confirmation of what a key just did ("interim guesses hidden"), shown on the
    /// meter row for a few seconds in the device name's place; a warning goes first.
    public var notice: String? = nil

    public init(lines: CaptionLines = .empty, interim: String = "", interimSpeaker: Int? = nil,
                toggles: DisplayToggles = DisplayToggles(), level: LevelMeterReading = LevelMeterReading(),
                status: StatusInfo = StatusInfo(), scroll: ScrollState = .following,
                overlay: Overlay = .none, colorMode: ColorMode = .color,
                keyBindings: KeyBindingTable = .default) {
        self.lines = lines
        self.interim = interim
        self.interimSpeaker = interimSpeaker
        self.toggles = toggles
        self.level = level
        self.status = status
        self.scroll = scroll
        self.overlay = overlay
        self.colorMode = colorMode
        self.keyBindings = keyBindings
    }
}

/// An interim guess of one channel of a multichannel session.
public struct ChannelInterim: Equatable, Sendable {
    public var text: String
    public var speaker: Int?
    public var channel: Int
    /// As `ScreenSnapshot.interimStart`: nil when it continues its channel's open line.
    public var start: Double?
    public init(text: String, speaker: Int?, channel: Int, start: Double? = nil) {
        self.text = text; self.speaker = speaker; self.channel = channel; self.start = start
    }
}
