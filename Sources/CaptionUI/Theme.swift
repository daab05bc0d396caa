/// The styles of every element on screen, for one `ColorMode`.
///
/// In monochrome and `NO_COLOR` modes no style carries a colour; elements are told apart with
/// bold, dim, italic and reverse only.
public struct Theme: Hashable, Sendable {
    public var caption: TextStyle
    public var interim: TextStyle
    public var lowConfidence: TextStyle
    public var timestamp: TextStyle
    public var meterLow: TextStyle
    public var meterMid: TextStyle
    public var meterHigh: TextStyle
    public var meterEmpty: TextStyle
    public var peakMarker: TextStyle
    public var clip: TextStyle
    public var warning: TextStyle
    public var statusBar: TextStyle
    public var statusLive: TextStyle
    public var statusWaiting: TextStyle
    public var statusPaused: TextStyle
    public var statusError: TextStyle
    public var overlayBorder: TextStyle
    public var overlayTitle: TextStyle
    public var overlayHeading: TextStyle
    public var overlayKey: TextStyle
    public var overlayText: TextStyle
    public var selection: TextStyle
    public var scrollIndicator: TextStyle
    let speakerColors: [TerminalColor]
    let speakerStyleMono: TextStyle

    /// The theme for a colour mode.
    public init(mode: ColorMode) {
        caption = .plain
        interim = TextStyle([.dim, .italic])
        timestamp = TextStyle(.dim)
        overlayText = .plain
        overlayHeading = TextStyle([.bold, .underline])
        selection = TextStyle(.reverse)
        speakerStyleMono = TextStyle(.bold)
        speakerColors = [.cyan, .yellow, .magenta, .green, .blue, .red]
        if mode.usesColor {
            lowConfidence = TextStyle(.dim, foreground: .yellow)
            meterLow = TextStyle(foreground: .green)
            meterMid = TextStyle(foreground: .yellow)
            meterHigh = TextStyle(.bold, foreground: .red)
            meterEmpty = TextStyle(.dim)
            peakMarker = TextStyle(.bold, foreground: .white)
            clip = TextStyle([.bold, .reverse], foreground: .red)
            warning = TextStyle(.bold, foreground: .yellow)
            statusBar = TextStyle(foreground: .black, background: .white)
            statusLive = TextStyle(.bold, foreground: .green, background: .black)
            statusWaiting = TextStyle(.bold, foreground: .black, background: .yellow)
            statusPaused = TextStyle(.bold, foreground: .black, background: .cyan)
            statusError = TextStyle(.bold, foreground: .white, background: .red)
            overlayBorder = TextStyle(foreground: .cyan)
            overlayTitle = TextStyle(.bold, foreground: .cyan)
            overlayKey = TextStyle(.bold, foreground: .yellow)
            scrollIndicator = TextStyle(.bold, foreground: .black, background: .yellow)
        } else {
            lowConfidence = TextStyle(.dim)
            meterLow = .plain
            meterMid = .plain
            meterHigh = TextStyle(.bold)
            meterEmpty = TextStyle(.dim)
            peakMarker = TextStyle(.bold)
            clip = TextStyle([.bold, .reverse])
            warning = TextStyle(.bold)
            statusBar = TextStyle(.reverse)
            statusLive = TextStyle([.reverse, .bold])
            statusWaiting = TextStyle([.reverse, .bold])
            statusPaused = TextStyle([.reverse, .bold])
            statusError = TextStyle([.bold])
            overlayBorder = .plain
            overlayTitle = TextStyle(.bold)
            overlayKey = TextStyle(.bold)
            scrollIndicator = TextStyle(.reverse)
        }
        self.mode = mode
    }

    /// The mode this theme was made for.
    public let mode: ColorMode

    /// The style of a speaker label; each speaker gets its own colour when colour is on.
    public func speaker(_ index: Int) -> TextStyle {
        guard mode.usesColor else { return speakerStyleMono }
        let i = ((index % speakerColors.count) + speakerColors.count) % speakerColors.count
        return TextStyle(.bold, foreground: speakerColors[i])
    }
}
