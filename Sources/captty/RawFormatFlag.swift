import ArgumentParser
import Audio

/// `--raw-format ENCODING[:RATE[:CHANNELS]]`: how to read a file or stdin that has no WAV header.
struct RawFormatFlag: ParsableArguments {
    @Option(name: .customLong("raw-format"),
            help: ArgumentHelp("Read the input as headerless PCM in this format: ENCODING[:RATE[:CHANNELS]], e.g. s16le:16000:1 "
                               + "(encodings s16le s24le s24in32le s32le u8 f32le f64le mulaw alaw, or Deepgram's, ALSA's and ffmpeg's names "
                               + "for them such as linear16, S16_LE, pcm_s16le; rate 16000 and 1 channel unless given). "
                               + "An input that starts with a WAV header is read by its header instead.",
                               valueName: "format"))
    var rawFormat: String?

    func validate() throws {
        _ = try parsed()
    }

    /// The declared format; nil when none was given.
    func parsed() throws -> PCMFormat? {
        guard let rawFormat else { return nil }
        do { return try PCMFormat(spec: rawFormat) } catch { throw ValidationError("\(error)") }
    }
}
