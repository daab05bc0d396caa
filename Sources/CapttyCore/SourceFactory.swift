import Audio
import CaptionUI
import FoundationEssentials
import Glibc

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
                            rawFormat: PCMFormat? = nil, keepChannels: Bool = false) async throws -> any AudioSource {
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
            return try await FileAudioSource(path: path, options: fileOptions)
        case .stdin:
            // Audio typed at a terminal: nothing would ever come (captty waited silently).
            if isatty(0) == 1 {
                throw CapttyError.usage("standard input is a terminal, not audio: pipe audio in (e.g. `sox talk.mp3 -t wav - | captty --file -`, "
                                        + "or raw PCM with --raw-format s16le:16000:1) or name a file with --file PATH")
            }
            // A pipe whose writer has not started yet: said after a while, or captty looked hung
            // (nothing at all, not even "connecting…", until the first bytes).
            let notice = Task {
                try await Task.sleep(for: .seconds(2))
                PlainRunner.standardError("captty: waiting for audio on standard input: nothing has come yet (Ctrl-C stops)")
            }
            defer { notice.cancel() }
            return try await FileAudioSource(fileDescriptor: 0, name: "standard input", options: fileOptions)
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

extension SourceFactory.Pacing {
    var fileSourcePacing: FileSourceOptions.Pacing {
        switch self {
        case .realTime: .realTime
        case .asFastAsPossible: .asFastAsPossible
        case .faster(let f): f == 1 ? .realTime : .faster(f)
        }
    }
}
