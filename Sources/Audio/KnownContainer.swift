/// A common kind of file captty cannot decode (compressed audio, another container, an image),
/// recognised by its first bytes so that an error can say what the input is and how to convert
/// it, rather than call it "not WAV" and suggest declaring it raw PCM.
public struct KnownContainer: Sendable, Equatable {
    /// What the file is, with its article: "an MP3 file", "a PNG image".
    public var name: String
    /// False for files that hold no audio at all (images, documents, programs).
    public var isAudio: Bool

    /// What `bytes` (the start of an input) are, or nil when unrecognised.
    ///
    /// With `strongOnly`, only long signatures count: raw PCM whose format was declared may start
    /// with anything, and two bytes of quiet audio can look like an MP3 frame header.
    public static func identify(_ bytes: [UInt8], strongOnly: Bool = false) -> KnownContainer? {
        describe(bytes, strongOnly: strongOnly).map { name in
            name.hasSuffix(", not audio")
                ? KnownContainer(name: String(name.dropLast(", not audio".count)), isAudio: false)
                : KnownContainer(name: name, isAudio: true)
        }
    }

    private static func describe(_ bytes: [UInt8], strongOnly: Bool) -> String? {
        func at(_ offset: Int, _ s: String) -> Bool {
            let sig = Array(s.utf8)
            return bytes.count >= offset + sig.count && bytes[offset..<offset + sig.count].elementsEqual(sig)
        }
        if at(0, "fLaC") { return "a FLAC file" }
        if at(0, "OggS") { return "an Ogg file (Vorbis, Opus or FLAC)" }
        if at(0, "FORM") && (at(8, "AIFF") || at(8, "AIFC")) { return "an AIFF file" }
        if at(0, "caff") { return "a Core Audio (CAF) file" }
        if at(4, "ftyp") { return "an MP4/M4A file (AAC or ALAC)" }
        if at(0, "riff") && bytes.count >= 6 && bytes[4] == 0x2E && bytes[5] == 0x91 { return "a Sony Wave64 (.w64) file" }
        if at(0, ".snd") { return "a Sun/NeXT .au file" }
        if bytes.starts(with: [0x1A, 0x45, 0xDF, 0xA3]) { return "a Matroska/WebM file" }
        if at(0, "#!AMR") { return "an AMR file" }
        if at(0, "MAC ") { return "a Monkey's Audio (APE) file" }
        if at(0, "wvpk") { return "a WavPack file" }
        if at(0, "RIFF") && at(8, "AVI ") { return "an AVI video" }
        if at(0, "RIFF") && at(8, "WEBP") { return "a WebP image" }
        if bytes.starts(with: [0x30, 0x26, 0xB2, 0x75]) { return "a Windows Media (WMA/ASF) file" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "a PNG image, not audio" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) && !strongOnly { return "a JPEG image, not audio" }
        if at(0, "%PDF") { return "a PDF document, not audio" }
        if at(0, "PK") && bytes.count >= 4 && bytes[2] == 3 && bytes[3] == 4 { return "a ZIP archive, not audio" }
        if bytes.starts(with: [0x7F, 0x45, 0x4C, 0x46]) { return "a program (ELF), not audio" }
        if at(0, "ID3") && bytes.count >= 5 && (2...4).contains(bytes[3]) && bytes[4] == 0 { return "an MP3 file (ID3 tag)" }
        if !strongOnly && bytes.count >= 4 && isMPEGAudioFrame(bytes) { return "an MP3 or AAC file (MPEG audio frames)" }
        return nil
    }

    /// An MPEG audio or ADTS frame header: 12 sync bits (11 for MPEG 2.5), then valid fields.
    static func isMPEGAudioFrame(_ b: [UInt8]) -> Bool {
        guard b[0] == 0xFF, b[1] & 0xE0 == 0xE0 else { return false }
        let layer = (b[1] >> 1) & 3
        if layer == 0 { return b[1] & 0xF6 == 0xF0 }                          // ADTS (AAC): layer 00, sync 12 bits
        let bitrate = b[2] >> 4, rate = (b[2] >> 2) & 3, version = (b[1] >> 3) & 3
        // Bitrate 0 ("free format") is left out: a quiet sample of -1 (FF FF) then 00 is raw
        // PCM far more often than a free-format MP3.
        return version != 1 && bitrate != 0xF && bitrate != 0 && rate != 3
    }
}
