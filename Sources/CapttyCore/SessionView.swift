import Audio
import CaptionUI
import Deepgram
import Transcript

/// What a running `Session` looks like at one moment: a value the UI thread reads without
/// waiting for the session (the transcript store shares its line storage, so a copy is cheap).
public struct SessionView: Sendable {
    /// The transcript so far (committed lines plus the pending interim).
    public var store = TranscriptStore()
    /// Changes whenever a committed line is added, extended or closed.
    public var revision = 0
    /// The options of the engine run now receiving audio.
    public var options = LiveOptions()
    /// The engine's short name (`deepgram`, `local`).
    public var engineName = ""
    /// The model the engine reports (from results' `model_info`), else the requested one.
    public var modelName = ""
    /// The current engine run's connection state (pause is shown separately by `paused`).
    public var connection: ConnectionState = .connecting
    /// Outages: times `connection` became `.reconnecting` (each once, however many attempts it
    /// took), so a reader that looks now and then (plain mode) can say how many it missed.
    public var outages = 0
    /// An engine has answered in this session (a connection opened, or results came): until
    /// then, a quit has nothing to wait for while the engine cannot be reached.
    public var engineReached = false
    public var paused = false
    /// Session time of the audio sent minus the end of the latest result, in ms.
    public var lagMilliseconds: Int?
    /// Whole seconds since the session started.
    public var elapsedSeconds: Double = 0
    /// The journal's state; nil without a journal.
    public var save: Transcript.SaveState?
    /// The last export written (`s` key), if any.
    public var lastExport: String?
    /// The latest level-meter reading.
    public var level = LevelReading()
    /// The input's human name, or a notice such as the demo fallback.
    public var deviceName = ""
    /// While capture is lost: why, and which device ("audio lost: …; retrying — “X”").
    public var audioOutage: String?
    /// The audio comes from a PulseAudio device (not a file or a pipe).
    public var sourceIsDevice = true
    /// The device is a monitor (`--system-audio`, or a `.monitor` source): silence is nothing
    /// playing, not a problem.
    public var sourceIsMonitor = false
    /// Files the user saved during the session (`s`), in the order first written.
    public var exports: [String] = []
    /// Nothing (or only silence) has come from the input for the silence duration.
    public var noAudio = false
    /// With `noAudio`: no audio arrived at all (a stalled pipe or file), not silent audio.
    public var noAudioArriving = false
    /// How many times audio came again after `noAudio`: a reader that looks now and then (plain
    /// mode) sees a return it missed, e.g. one the end of a pipe's audio came right after.
    public var audioReturns = 0
    /// Engine runs started (1 + restarts for option changes).
    public var runsStarted = 0
    /// The audio source ended (end of file) or failed.
    public var sourceEnded = false
    /// The engine ended with an error and no run replaces it (a refused key, undecodable
    /// audio…): audio still coming in goes nowhere until an option change starts a new run.
    public var engineStopped = false
    /// The engine has failed for good: its connection ended in an error, or it stopped.
    public var engineFailed: Bool {
        if case .error = connection { return true }
        return engineStopped
    }
    /// Why the audio source failed, if it did.
    public var sourceError: String?
    /// The session was finished (quit): nothing more will change.
    public var finished = false
    /// Finishing gave up on the engine before it finished (its last captions may be missing).
    public var finishedIncomplete = false
    /// Something the user should read once (e.g. a refused option change); changes each time.
    public var notice: String?
    /// The latest non-fatal problem the engine reported (a server Error message, a malformed
    /// frame), for plain mode's stderr; `warningCount` changes with each one.
    public var warning: String? { recentWarnings.last }
    /// The latest non-fatal problems, oldest first (at most `recentWarningLimit`).
    public var recentWarnings: [String] = []
    public static let recentWarningLimit = 10
    public var warningCount = 0

    public init() {}

    /// The status bar's contents for this view.
    public var status: StatusInfo {
        var save: CaptionUI.SaveState = .notSaving
        if let s = self.save {
            switch s {
            case .failing(_, let message, _): save = .failing(message: message)
            default: save = .journaling(path: s.path)
            }
        }
        if let lastExport, !(self.save?.isFailing ?? false) { save = .exported(path: lastExport) }
        let o = options
        let flags = [
            StatusFlag("punct", isOn: o.punctuate ?? false, toggle: .togglePunctuate),
            StatusFlag("smart", isOn: o.smartFormat ?? false, toggle: .toggleSmartFormat),
            StatusFlag("diar", isOn: o.diarize ?? false, toggle: .toggleDiarize),
            StatusFlag("num", isOn: o.numerals ?? false, toggle: .toggleNumerals),
            StatusFlag("prof", isOn: o.profanityFilter ?? false, toggle: .toggleProfanityFilter),
        ].filter { flag in
            // The offline engine has no speaker labels or profanity filter: "-diar -prof" on its
            // bar named options it cannot have (its keys say so when pressed).
            !(engineName.hasPrefix("local") && flag.toggle.flatMap { Session.offlineEngineLacks($0) } != nil)
        }
        // Paused shows over a healthy connection only: an engine that stopped with an error, or
        // one reconnecting, says so (Space hid a refused key's error behind "paused").
        let shown: ConnectionState
        switch connection {
        case .live, .connecting, .paused: shown = paused && !finished ? .paused : connection
        case .reconnecting, .error, .finished: shown = connection
        }
        var info = StatusInfo(engine: engineName, model: modelName, language: o.language?.rawValue ?? "",
                              connection: shown, lagMilliseconds: lagMilliseconds,
                              elapsedSeconds: elapsedSeconds, save: save, flags: flags)
        info.waitingForAudio = audioOutage != nil && !sourceEnded
        return info
    }

    /// The level meter's contents for this view.
    /// Channels are transcribed separately (`multichannel` with more than one channel): lines
    /// are labelled "[ch N]" on screen and in plain mode, as in the exports.
    public var isMultichannel: Bool { options.multichannel == true && (options.channels ?? 1) > 1 }

    /// Once the audio has ended the meter is empty: the last chunk's level stayed on it, as if
    /// audio were still arriving.
    public var meter: LevelMeterReading {
        // Empty once the audio has ended, and while paused (it stayed at the last level, as if
        // audio were still being captioned).
        if sourceEnded || paused {
            return LevelMeterReading(rmsDBFS: LevelMeter.floorDB, peakHoldDBFS: LevelMeter.floorDB, clipping: false,
                                     silent: false, deviceName: deviceName)
        }
        return LevelMeterReading(rmsDBFS: level.rmsDB, peakHoldDBFS: level.peakHoldDB, clipping: level.isClipping,
                                 silent: noAudio, deviceName: deviceName, outage: audioOutage,
                                 fromDevice: sourceIsDevice, fromMonitor: sourceIsMonitor, stalled: noAudio && noAudioArriving)
    }
}
