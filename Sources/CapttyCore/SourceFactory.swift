import Audio
import CaptionUI
import FoundationEssentials
import Glibc
import SystemSupport

/// Builds the audio source the user asked for.
public enum SourceFactory {
    /// How a file or stdin is delivered.
    public enum Pacing: Sendable, Equatable {
        case realTime, asFastAsPossible
        /// Real-time pacing `factor` times faster (`captty live --speed`).
        case faster(Double)
    }

    /// A source for `input` producing `format` (16 kHz mono linear16 by default), in chunks of
    /// `chunkDuration` seconds. Files are paced per `pacing`; devices are always live.
    /// `keepChannels`: a file keeps its own channels (`multichannel` with no `channels` given).
    public static func make(_ input: AudioInput, format: AudioFormat = .speech16k, chunkDuration: Double = 0.05,
                            pacing: Pacing = .realTime, passThrough: Set<SampleEncoding> = [],
                            rawFormat: PCMFormat? = nil, keepChannels: Bool = false, transcribing: Bool = false) async throws -> any AudioSource {
        let fileOptions = FileSourceOptions(output: format, keepChannels: keepChannels, passThrough: passThrough,
                                            pacing: pacing.fileSourcePacing,
                                            chunkDuration: chunkDuration, rawFormat: rawFormat)
        switch input {
        case .file(let path):
            // Opening a FIFO waits for a writer: said, or captty looked hung (a blank screen).
            var st = stat()
            if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO {
                PlainRunner.standardError("captty: waiting for audio: \(DisplayWidth.sanitizedForTerminal(path)) is a named pipe (FIFO), and nothing comes until a program writes to it (Ctrl-C stops)")
            }
            return lowRateNoted(try await FileAudioSource(path: path, options: fileOptions))
        case .stdin:
            // Audio typed at a terminal: nothing would ever come (captty waited silently).
            if isatty(0) == 1 {
                // In the words of the command given (`captty transcribe` has no --file).
                throw CapttyError.usage(transcribing
                    ? "standard input is a terminal, not audio: pipe audio in (e.g. `sox talk.mp3 -t wav - | captty transcribe -`, "
                        + "or raw PCM with --raw-format s16le:16000:1) or name a file: captty transcribe FILE"
                    : "standard input is a terminal, not audio: pipe audio in (e.g. `sox talk.mp3 -t wav - | captty --file -`, "
                        + "or raw PCM with --raw-format s16le:16000:1) or name a file with --file PATH")
            }
            // A pipe whose writer has not started yet: said after a while, or captty looked hung
            // (nothing at all, not even "connecting…", until the first bytes).
            let notice = Task {
                try await Task.sleep(for: .seconds(2))
                PlainRunner.standardError("captty: waiting for audio on standard input: nothing has come yet (Ctrl-C stops)")
            }
            defer { notice.cancel() }
            return lowRateNoted(try await FileAudioSource(fileDescriptor: 0, name: "standard input", options: fileOptions))
        case .defaultDevice, .device, .systemAudio:
            let selector: AudioDeviceSelector
            switch input {
            case .device(let d): selector = .named(d)
            case .systemAudio: selector = .systemAudio
            default: selector = .defaultSource
            }
            return try PulseCapture(options: PulseCaptureOptions(
                device: selector, sampleRate: format.sampleRate, channels: format.channels, chunkDuration: chunkDuration))
        }
    }
}

extension SourceFactory {
    /// Audio sampled below what speech needs (8000 Hz; files down to 1000 Hz are read) is said:
    /// it was captioned without a word, with made-up text ("He then moved into Egypt" for a
    /// 1000 Hz recording; found in QA).
    static func lowRateNoted(_ source: FileAudioSource) -> FileAudioSource {
        if let note = lowRateNote(source.inputFormat.sampleRate, name: source.displayName) { PlainRunner.standardError("captty: \(note)") }
        return source
    }

    static func lowRateNote(_ rate: Int, name: String) -> String? {
        guard rate < 8_000 else { return nil }
        return "note: \(DisplayWidth.sanitizedForTerminal(name)) is sampled at \(rate) Hz, below the 8000 Hz that speech needs: "
            + "the captions may be poor or wrong"
    }
}

extension SourceFactory.Pacing {
    var fileSourcePacing: FileSourceOptions.Pacing {
        switch self {
        case .realTime: .realTime
        case .asFastAsPossible: .asFastAsPossible
        case .faster(let f): f == 1 ? .realTime : .faster(f)
        }
    }
}
