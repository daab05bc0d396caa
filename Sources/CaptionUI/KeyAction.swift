/// Every user action, with its description, category and default keys: the one table that
/// drives key handling, the help overlay, the README's key list and the man page.
public enum KeyAction: String, CaseIterable, Hashable, Sendable {
    case pause = "pause"
    case toggleInterim = "toggle-interim"
    case saveNow = "save"
    case pickDevice = "pick-device"
    case togglePunctuate = "toggle-punctuate"
    case toggleSmartFormat = "toggle-smart-format"
    case toggleDiarize = "toggle-diarize"
    case toggleNumerals = "toggle-numerals"
    case toggleProfanityFilter = "toggle-profanity-filter"
    case cycleLanguage = "cycle-language"
    case cycleModel = "cycle-model"
    case toggleTimestamps = "toggle-timestamps"
    case toggleSpeakerLabels = "toggle-speaker-labels"
    case toggleConfidenceDimming = "toggle-confidence-dimming"
    case scrollPageUp = "page-up"
    case scrollPageDown = "page-down"
    case scrollLineUp = "line-up"
    case scrollLineDown = "line-down"
    case scrollTop = "scroll-top"
    case scrollBottom = "scroll-bottom"
    case help = "help"
    case redraw = "redraw"
    case quit = "quit"

    /// The name used in config files (`[keys]` section) and shown in the docs.
    public var configName: String { rawValue }

    /// What the action does, short enough for the help overlay.
    public var summary: String {
        switch self {
        case .pause: return "Pause / resume captioning"
        case .toggleInterim: return "Show interim guesses"
        case .saveNow: return "Save / export now"
        case .pickDevice: return "Choose the input device"
        case .togglePunctuate: return "Punctuation"
        case .toggleSmartFormat: return "Smart formatting"
        case .toggleDiarize: return "Speaker detection"
        case .toggleNumerals: return "Numerals as digits"
        case .toggleProfanityFilter: return "Profanity filter"
        case .cycleLanguage: return "Next language"
        case .cycleModel: return "Next model"
        case .toggleTimestamps: return "Timestamps"
        case .toggleSpeakerLabels: return "Speaker labels"
        case .toggleConfidenceDimming: return "Dim unsure words"
        case .scrollPageUp: return "Scroll back a page"
        case .scrollPageDown: return "Scroll forward a page"
        case .scrollLineUp: return "Scroll back a line"
        case .scrollLineDown: return "Scroll forward a line"
        case .scrollTop: return "Go to the first line"
        case .scrollBottom: return "Follow live captions"
        case .help: return "This help"
        case .redraw: return "Redraw the screen"
        case .quit: return "Quit (saves first)"
        }
    }

    /// A longer explanation for the README and the man page.
    public var details: String {
        switch self {
        case .pause: return "Pause or resume captioning. Audio is not sent while paused (a file waits where it is); what was heard is made final first."
        case .toggleInterim: return "Show or hide the engine's interim guess under the final lines."
        case .saveNow: return "Write the transcript now; asks for a format (txt, srt, vtt, json, md)."
        case .pickDevice: return "Open the input device picker."
        case .togglePunctuate: return "Deepgram option punctuate: add punctuation and capitals."
        case .toggleSmartFormat: return "Deepgram option smart_format: format dates, times, numbers."
        case .toggleDiarize: return "Deepgram option diarize: tell speakers apart."
        case .toggleNumerals: return "Deepgram option numerals: write numbers as digits."
        case .toggleProfanityFilter: return "Deepgram option profanity_filter: mask profanity."
        case .cycleLanguage: return "Switch to the next configured language."
        case .cycleModel: return "Switch to the next configured model; nova-2 and older get your key terms as keywords."
        case .toggleTimestamps: return "Show or hide [HH:MM:SS] before each line."
        case .toggleSpeakerLabels: return "Show or hide \"Speaker N:\" labels."
        case .toggleConfidenceDimming: return "Dim words the engine is unsure about."
        case .scrollPageUp: return "Scroll back one page; new text does not move the view meanwhile."
        case .scrollPageDown: return "Scroll forward one page."
        case .scrollLineUp: return "Scroll back one line."
        case .scrollLineDown: return "Scroll forward one line."
        case .scrollTop: return "Jump to the start of the transcript."
        case .scrollBottom: return "Jump to the newest line and follow live captions again."
        case .help: return "Show or hide the list of keys."
        case .redraw: return "Clear and redraw the whole screen."
        case .quit: return "Finish the session, save the transcript and quit; again: stop waiting for the last captions."
        }
    }

    /// The group the action is listed under.
    public var category: KeyCategory {
        switch self {
        case .pause, .toggleInterim, .saveNow, .pickDevice: return .captioning
        case .togglePunctuate, .toggleSmartFormat, .toggleDiarize, .toggleNumerals,
             .toggleProfanityFilter, .cycleLanguage, .cycleModel: return .engine
        case .toggleTimestamps, .toggleSpeakerLabels, .toggleConfidenceDimming: return .display
        case .scrollPageUp, .scrollPageDown, .scrollLineUp, .scrollLineDown, .scrollTop, .scrollBottom:
            return .scrolling
        case .help, .redraw, .quit: return .app
        }
    }

    /// The keys bound by default.
    public var defaultKeys: [KeyInput] {
        switch self {
        case .pause: return [.character(" ")]
        case .toggleInterim: return [.character("i")]
        case .saveNow: return [.character("s")]
        case .pickDevice: return [.character("a")]
        case .togglePunctuate: return [.character("p")]
        case .toggleSmartFormat: return [.character("f")]
        case .toggleDiarize: return [.character("d")]
        case .toggleNumerals: return [.character("n")]
        case .toggleProfanityFilter: return [.character("x")]
        case .cycleLanguage: return [.character("l")]
        case .cycleModel: return [.character("m")]
        case .toggleTimestamps: return [.character("t")]
        case .toggleSpeakerLabels: return [.character("w")]
        case .toggleConfidenceDimming: return [.character("c")]
        case .scrollPageUp: return [.pageUp]
        case .scrollPageDown: return [.pageDown]
        case .scrollLineUp: return [.up]
        case .scrollLineDown: return [.down]
        case .scrollTop: return [.home]
        case .scrollBottom: return [.end]
        case .help: return [.character("?"), .function(1)]
        case .redraw: return [.control("l")]
        case .quit: return [.character("q"), .control("c")]
        }
    }
}
