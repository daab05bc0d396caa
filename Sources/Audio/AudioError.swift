#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong getting audio, worded so a person can act on it.
public enum AudioError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No PulseAudio server answered at `server` (nil: the default one).
    case noServer(server: String?, detail: String)
    /// The device name/index/substring matched nothing.
    case unknownDevice(String, available: [AudioDevice])
    /// A substring matched more than one device.
    case ambiguousDevice(String, matches: [AudioDevice])
    /// PulseAudio refused an operation (`operation` names it, `detail` is libpulse's message).
    case pulse(operation: String, detail: String)
    /// A parameter outside what captty supports.
    case invalidParameter(String)
    /// A file could not be opened or read.
    case cannotRead(path: String, detail: String)
    /// The input does not start like a WAV file.
    case notRIFFWave(path: String, found: String)
    /// The input holds no bytes at all (an empty file, or a pipe whose writer failed).
    case empty(path: String)
    /// A field of the WAV header is wrong or unsupported (`field`, then what is wrong with it).
    case invalidWAV(path: String, field: String, problem: String)
    /// A chunk claims more bytes than the file holds (all audio present was delivered first).
    case truncated(path: String, chunk: String, claimed: Int64, available: Int64)
    /// More of the file follows the audio its WAV header announces, and it is not a WAV chunk
    /// (likely audio the header does not count); only the announced audio was read.
    case unreadAfterData(path: String, announcedSeconds: Double, followingSeconds: Double)
    /// The same, read from a pipe: how much followed is not known.
    case unreadAfterPipeData(path: String, announcedSeconds: Double)
    /// Another WAV file follows the first one's audio (files joined with `cat`), in another
    /// format; only the first file's `seconds` were read.
    case appendedWAVDiffers(path: String, seconds: Double, first: PCMFormat, appended: PCMFormat)
    /// The channels of a loud input cancel out when mixed to mono (one the other inverted), so
    /// what was sent is silence.
    case channelsCancelOut(path: String, channels: Int)
    /// The input is a known kind of file captty cannot decode (MP3, FLAC, an image…).
    case unsupportedContainer(path: String, kind: KnownContainer)
    /// Raw PCM input without a declared format.
    case rawFormatRequired(path: String)
    /// A one-shot source (stdin) was asked for its chunks twice.
    case alreadyConsumed(String)

    /// What to tell the user about a file whose audio was all delivered but is not what it
    /// seems: cut short (its data chunk ends before its header said: a recording that was
    /// interrupted, a download cut off), audio past the announced length, channels that cancel
    /// out. A warning, said once the input has ended: the transcript of what is there stands.
    public var earlyEndWarning: String? {
        if case let .channelsCancelOut(path, channels) = self {
            return "\(path): its \(channels) channels cancel each other out when mixed to mono (one is the other "
                + "inverted?), so the engine heard silence. Transcribe the channels separately: "
                + "--multichannel --channels \(channels)."
        }
        if case let .appendedWAVDiffers(path, seconds, first, appended) = self {
            return "\(path): another WAV file starts after the first \(Self.seconds(seconds)) of audio (files joined with "
                + "`cat`?), in another format (\(appended), not \(first)); only the first file was captioned. Caption "
                + "each file on its own, or join them with sox, which needs one rate and channel count: "
                + "`sox second.wav -r \(first.sampleRate) -c \(first.channels) second-fixed.wav && sox first.wav "
                + "second-fixed.wav joined.wav`."
        }
        if case let .unreadAfterData(path, announced, following) = self {
            return "\(path): its WAV header announces \(Self.seconds(announced)) of audio, but \(Self.seconds(following)) more "
                + "follows that is not part of it (a recording whose header was not finished?); only the first "
                + "\(Self.seconds(announced)) were captioned. To caption it all, rewrite the header first: "
                + "`sox --ignore-length IN.wav fixed.wav`."
        }
        if case let .unreadAfterPipeData(path, announced) = self {
            return "\(path): its WAV header announces \(Self.seconds(announced)) of audio, but more follows that is not part of "
                + "it (a recording whose header was not finished?); only the first \(Self.seconds(announced)) were captioned. "
                + "To caption it all, have sox rewrite the header on the way: `… | sox --ignore-length -t wav - -t wav - | captty …`."
        }
        // A header with no audio after it is an error: there is nothing to caption.
        guard case let .truncated(path, "data", claimed, available) = self, claimed > 0, available > 0 else { return nil }
        let percent = Int((Double(available) / Double(claimed) * 100).rounded(.down))
        return "\(path) ends early: its WAV header announces \(claimed) bytes of audio but the file holds \(available) "
            + "(\(percent)%; cut short?). Everything that is there is captioned."
    }

    /// "12.3 s", "1 min 05 s".
    static func seconds(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "? s" }
        if s < 60 { return "\(Double(Int((s * 10).rounded())) / 10) s" }
        let whole = Int(s.rounded())
        let secs = whole % 60
        return "\(whole / 60) min \(secs < 10 ? "0" : "")\(secs) s"
    }

    /// The server PULSE_SERVER names, if it is set.
    static var environmentServer: String? {
        guard let v = getenv("PULSE_SERVER") else { return nil }
        let s = String(cString: v)
        return s.isEmpty ? nil : s
    }

    public var description: String {
        switch self {
        case .unreadAfterData, .unreadAfterPipeData, .channelsCancelOut, .appendedWAVDiffers:
            return earlyEndWarning ?? ""

        case let .noServer(server, detail):
            // The server libpulse tried: the one given, else PULSE_SERVER's (the message said
            // "point PULSE_SERVER at…" to someone who had, without naming it; found in QA).
            if let named = server ?? Self.environmentServer {
                return "cannot connect to the PulseAudio server at \(named) (\(detail)). Check that a server is running there; "
                    + "or start one with `pulseaudio --start` and unset PULSE_SERVER to use it; or caption a file with --file PATH."
            }
            return "cannot connect to a PulseAudio server (\(detail)). Start one with `pulseaudio --start`, "
                + "or point PULSE_SERVER at a running server (e.g. PULSE_SERVER=unix:/run/user/1000/pulse/native), "
                + "or caption a file with --file PATH."
        case let .unknownDevice(query, available):
            return "no audio device matches \"\(query)\". "
                + (available.isEmpty ? "PulseAudio lists no capture devices."
                    : "Devices: " + available.map(\.shortLabel).joined(separator: "; ") + ". Run `captty devices` for details.")
        case let .ambiguousDevice(query, matches):
            return "\"\(query)\" matches \(matches.count) devices: "
                + matches.map(\.shortLabel).joined(separator: "; ")
                + ". Use more of the name, or the index."
        case let .pulse(operation, detail):
            return "PulseAudio: \(operation) failed: \(detail)"
        case let .invalidParameter(what):
            return what
        case let .cannotRead(path, detail):
            return "cannot read \(path): \(detail)"
        case let .notRIFFWave(path, found):
            return "\(path) is not a RIFF/WAVE file (it starts with \(found)). "
                + "For raw PCM, declare its format with --raw-format (e.g. --raw-format s16le:16000:1)."
        case let .invalidWAV(path, field, problem):
            return "\(path): \(field) \(problem)"
        case let .empty(path):
            return "\(path) is empty: it holds no audio. If another program writes it (through a pipe), "
                + "look at that program's own errors."
        case let .truncated(path, "data", claimed, 0):
            return "\(path) holds no audio: its WAV header announces \(claimed) bytes of audio but the file ends right after "
                + "the header. Was a download, copy or recording interrupted? Use a complete copy."
        case let .truncated(path, chunk, claimed, available):
            return "\(path) is cut short: its \(chunk) chunk claims \(claimed) bytes but the file ends after \(available). "
                + "Was a download, copy or recording interrupted? Use a complete copy."
        case let .unsupportedContainer(path, kind) where !kind.isAudio:
            return "\(path) is \(kind.name), not audio. captty reads WAV files and raw PCM."
        case let .unsupportedContainer(path, kind):
            return "\(path) is \(kind.name), which captty cannot decode: it reads WAV (PCM, float, mu-law, A-law) "
                + "and raw PCM. Convert it first, e.g. `ffmpeg -i INPUT -ac 1 -ar 16000 out.wav`, "
                + "or decode it on the fly: `ffmpeg -i INPUT -f wav - | captty transcribe -` (or `captty --file -` to caption it live)."
        case let .rawFormatRequired(path):
            return "\(path) is not WAV (no RIFF header); declare its raw format with --raw-format, e.g. "
                + "--raw-format s16le:16000:1 (encoding s16le|s24le|s24in32le|s32le|u8|f32le|f64le|mulaw|alaw, rate, channels)."
        case let .alreadyConsumed(name):
            return "\(name) can be read only once"
        }
    }
}
