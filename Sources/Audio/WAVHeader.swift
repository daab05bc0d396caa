import FoundationEssentials

/// The parsed header of a RIFF/WAVE stream: the sample format and where the samples are.
///
/// Unknown chunks (LIST, fact, JUNK, bext…) are skipped, odd-sized chunks are padded, and a
/// data size that a streaming writer leaves as a placeholder (`streamingDataSizes`) means
/// "until end of input". The byte-rate field is redundant and not checked (many writers get it wrong).
public struct WAVHeader: Sendable, Equatable {
    /// The sample format of the data chunk.
    public var format: PCMFormat
    /// The effective format tag: 1 PCM, 3 IEEE float, 6 A-law, 7 mu-law (extensible resolved).
    public var formatTag: UInt16
    /// True for WAVE_FORMAT_EXTENSIBLE (0xFFFE).
    public var isExtensible: Bool
    /// Offset of the first sample byte.
    public var dataOffset: Int
    /// Bytes of samples, or nil for "until end of input".
    public var dataLength: Int64?
    /// WAVE_FORMAT_EXTENSIBLE's speaker positions (`dwChannelMask`), nil without one.
    public var channelMask: UInt32?

    public init(format: PCMFormat, formatTag: UInt16, isExtensible: Bool, dataOffset: Int, dataLength: Int64?,
                channelMask: UInt32? = nil) {
        self.format = format; self.formatTag = formatTag; self.isExtensible = isExtensible
        self.dataOffset = dataOffset; self.dataLength = dataLength; self.channelMask = channelMask
    }

    /// The data length a 32-bit size field could not hold: a WAV of more than 4 GiB written by a
    /// tool that wraps the size (sox) announces the true length less a multiple of 4 GiB, and
    /// minutes of a three-hour file were read (and "sox --ignore-length" wrote the same again;
    /// found in QA). When the file holds that multiple of 4 GiB more after the announced data
    /// (give or take 1 MiB of chunks after it), the multiple is added back. `fileSize`: the
    /// size of the (regular) file. Nil when the announced length stands.
    public static func unwrappedDataLength(announced: Int64?, dataOffset: Int, fileSize: Int64) -> Int64? {
        guard let announced, announced > 0, announced < 1 << 32 else { return nil }
        let after = fileSize - Int64(dataOffset) - announced
        let wraps = after >> 32
        guard wraps > 0, after - wraps << 32 < 1 << 20 else { return nil }
        return announced + wraps << 32
    }

    /// How the channels mix down to one, when the header says which speaker each feeds and one
    /// of them is the low-frequency effects channel (5.1, 7.1): the centre, where films and
    /// broadcasts put dialogue, at full weight, front left and right at 0.71 (−3 dB), the rest
    /// at 0.5, and the LFE channel (rumble, never speech) left out; scaled to sum to 1. Nil
    /// otherwise: channels without speaker positions (a multitrack recorder's microphones) are
    /// averaged, none left out. An average put the dialogue of a 5.1 film at a sixth of its
    /// level, under the effects channel's rumble.
    public var downmixWeights: [Float]? {
        guard let mask = channelMask, mask & 0x8 != 0, mask.nonzeroBitCount == format.channels, format.channels > 2 else { return nil }
        var weights: [Float] = []
        for bit in 0..<32 where mask & (1 << UInt32(bit)) != 0 {
            switch bit {
            case 2: weights.append(1)              // front centre
            case 0, 1: weights.append(0.7071)      // front left, right
            case 3: weights.append(0)              // low-frequency effects
            case 6, 7: weights.append(0.85)        // front left / right of centre
            default: weights.append(0.5)           // back, side, top
            }
        }
        let sum = weights.reduce(0, +)
        return sum > 0 ? weights.map { $0 / sum } : nil
    }

    /// Parses the start of a WAV stream.
    ///
    /// Returns nil when `bytes` ends before the data chunk starts and more input may come
    /// (`atEOF` false). Throws a typed error naming the wrong field otherwise.
    public static func parse(_ bytes: [UInt8], path: String, atEOF: Bool) throws(AudioError) -> WAVHeader? {
        let isRF64 = bytes.starts(with: Array("RF64".utf8)) || bytes.starts(with: Array("BW64".utf8))
        if bytes.count >= 4 && !bytes.starts(with: Array("RIFF".utf8)) && !isRF64 {
            let id = describe(bytes.prefix(4))
            if bytes.starts(with: Array("RIFX".utf8)) {
                throw .invalidWAV(path: path, field: "RIFF id", problem: "is RIFX (big-endian WAV), which is not supported; convert it, e.g. `sox in.wav -e signed -b 16 out.wav`")
            }
            if let kind = KnownContainer.identify(bytes) { throw .unsupportedContainer(path: path, kind: kind) }
            throw .notRIFFWave(path: path, found: id)
        }
        if bytes.count < 12 {
            if !atEOF { return nil }
            if bytes.isEmpty { throw .empty(path: path) }
            if bytes.count < 4 { throw .notRIFFWave(path: path, found: describe(bytes[...]) + " and ends after \(bytes.count) bytes") }
            throw .truncated(path: path, chunk: "RIFF header", claimed: 12, available: Int64(bytes.count))
        }
        guard bytes[8..<12].elementsEqual("WAVE".utf8) else {
            if let kind = KnownContainer.identify(bytes) { throw .unsupportedContainer(path: path, kind: kind) }
            throw .notRIFFWave(path: path, found: "a RIFF form of type \(describe(bytes[8..<12])), not WAVE")
        }
        var pos = 12
        var fmt: (PCMFormat, UInt16, Bool, UInt32?)?
        var ds64: DS64?
        while true {
            guard pos + 8 <= bytes.count else {
                if !atEOF { return nil }
                let missing = fmt == nil ? "fmt" : "data"
                throw .invalidWAV(path: path, field: "\(missing) chunk", problem: "is missing (the file ends after \(bytes.count) bytes)")
            }
            let id = String(decoding: bytes[pos..<pos + 4], as: UTF8.self)
            var size = Int64(u32(bytes, pos + 4))
            if isRF64 && size == 0xFFFF_FFFF {
                // RF64/BW64: a 32-bit size of 0xFFFFFFFF defers to the 64-bit size in the ds64 chunk.
                guard let ds64 else {
                    throw .invalidWAV(path: path, field: "ds64 chunk", problem: "is missing before the '\(id)' chunk, so the RF64 file's sizes are unknown; convert it, e.g. `ffmpeg -i in.wav -c:a pcm_s16le out.wav`")
                }
                if id == "data" {
                    size = ds64.dataSize ?? 0
                } else {
                    guard let s = ds64.table[id] else {
                        throw .invalidWAV(path: path, field: "ds64 chunk", problem: "gives no size for the '\(id)' chunk")
                    }
                    size = s
                }
            }
            if id == "data" {
                guard let (format, tag, ext, mask) = fmt else {
                    throw .invalidWAV(path: path, field: "data chunk", problem: "comes before any fmt chunk (the fmt chunk is missing, or after the audio), so the sample format is unknown; convert the file with a tool that knows its format, e.g. `ffmpeg -i in.wav out.wav`")
                }
                var length: Int64? = size <= 0xFFFF_FFFF && streamingDataSizes.contains(UInt32(size)) ? nil : size
                if size == 0 {
                    // 0 is both a streaming writer's placeholder and what a finished file with no
                    // audio says. A known chunk right after the header (LIST, id3 …) tells them
                    // apart: its bytes are not audio (they were decoded as a burst of noise).
                    let after = pos + 8
                    if after + 8 > bytes.count {
                        if !atEOF { return nil }
                    } else if isKnownChunkID(bytes, after) && !bytes[after..<after + 4].elementsEqual("data".utf8) {
                        length = 0
                    }
                }
                return WAVHeader(format: format, formatTag: tag, isExtensible: ext, dataOffset: pos + 8, dataLength: length, channelMask: mask)
            }
            // Compared before adding: an RF64 size can be near Int64.max (a hostile file).
            let available = Int64(bytes.count - pos - 8)
            guard size <= available else {
                if !atEOF { return nil }
                throw .truncated(path: path, chunk: "'\(id)'", claimed: size, available: available)
            }
            let bodyEnd = pos + 8 + Int(size)
            if id == "fmt " {
                guard fmt == nil else { throw .invalidWAV(path: path, field: "fmt chunk", problem: "appears twice") }
                fmt = try parseFmt(Array(bytes[pos + 8..<bodyEnd]), path: path)
            } else if id == "ds64" && isRF64 {
                ds64 = try DS64(Array(bytes[pos + 8..<bodyEnd]), path: path)
            }
            pos = bodyEnd
            if size & 1 == 1 {
                // Odd chunks are padded to an even size, but some writers leave out the pad byte:
                // skip it unless a chunk id follows the chunk itself and none (or an unknown one,
                // when both look like ids) follows the pad.
                if pos + 5 > bytes.count && !atEOF { return nil }
                if !(pos + 5 <= bytes.count && isChunkID(bytes, pos)
                     && (!isChunkID(bytes, pos + 1) || (isKnownChunkID(bytes, pos) && !isKnownChunkID(bytes, pos + 1)))) {
                    pos += 1
                }
            }
        }
    }

    /// Data sizes that writers which cannot seek back (writing to a pipe, or still recording)
    /// leave in the header: 0, 0xFFFFFFFF (ffmpeg), 0x7FFFF000 (sox), 0x80000000 (arecord),
    /// 0x7FFFFF00 (older arecord), 0x7FFF0000 (GStreamer). Each means "until end of input".
    public static let streamingDataSizes: Set<UInt32> = [0, 0xFFFF_FFFF, 0x7FFF_F000, 0x8000_0000, 0x7FFF_FF00, 0x7FFF_0000]

    static func parseFmt(_ b: [UInt8], path: String) throws(AudioError) -> (PCMFormat, UInt16, Bool, UInt32?) {
        guard b.count >= 16 else {
            throw .invalidWAV(path: path, field: "fmt chunk size", problem: "is \(b.count); at least 16 bytes are needed")
        }
        var tag = u16(b, 0)
        let channels = Int(u16(b, 2))
        let rate = Int(u32(b, 4))
        let blockAlign = Int(u16(b, 12))
        let bits = Int(u16(b, 14))
        var extensible = false
        var mask: UInt32?
        if tag == 0xFFFE {
            extensible = true
            guard b.count >= 40 else {
                throw .invalidWAV(path: path, field: "fmt chunk size", problem: "is \(b.count); WAVE_FORMAT_EXTENSIBLE needs 40 bytes")
            }
            let guidTail: [UInt8] = [0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]
            guard b[26..<40].elementsEqual(guidTail) else {
                throw .invalidWAV(path: path, field: "extensible sub-format GUID", problem: "is not a standard KSDATAFORMAT_SUBTYPE (only PCM, IEEE float, A-law, mu-law are supported)")
            }
            tag = u16(b, 24)
            mask = u32(b, 20)
        }
        guard channels > 0 else { throw .invalidWAV(path: path, field: "channels", problem: "0 is not valid (the header is damaged: if you know the audio's format, skip the header and read the rest as raw, e.g. `tail -c +45 in.wav | captty --file - --raw-format s16le:16000:1`)") }
        guard channels <= 64 else { throw .invalidWAV(path: path, field: "channels", problem: "\(channels) is more than the 64 supported") }
        guard rate > 0 else { throw .invalidWAV(path: path, field: "sample rate", problem: "0 Hz is not valid (the header is damaged: if you know the audio's format, skip the header and read the rest as raw, e.g. `tail -c +45 in.wav | captty --file - --raw-format s16le:16000:1`)") }
        // Below 1000 Hz there is no speech to caption, and converting to 16 kHz would multiply
        // the data by thousands (a 1 Hz header made a 300-byte file take seconds: fuzzing).
        guard rate >= 1_000 else { throw .invalidWAV(path: path, field: "sample rate", problem: "\(rate) Hz is below the 1000 Hz supported (speech needs at least 8000 Hz)") }
        guard rate <= 1_000_000 else { throw .invalidWAV(path: path, field: "sample rate", problem: "\(rate) Hz is above the 1000000 Hz supported") }
        let enc: InputEncoding
        switch (tag, bits) {
        // Bits that are not a whole number of bytes sit left-justified in the next whole size
        // (12-bit in 16, 20-bit in 24), so they decode as that size.
        case (1, 8): enc = .u8
        case (1, 9...16): enc = .s16le
        // `arecord -f S24_LE` writes 24 bits with a block align of 4 bytes a channel.
        case (1, 17...24): enc = blockAlign == channels * 4 ? .s24in32le : .s24le
        case (1, 25...32): enc = .s32le
        case (1, _): throw .invalidWAV(path: path, field: "bits per sample", problem: "\(bits) is not supported (PCM: 8 to 32)")
        case (3, 32): enc = .f32le
        case (3, 64): enc = .f64le
        case (3, _): throw .invalidWAV(path: path, field: "bits per sample", problem: "\(bits) is not supported for IEEE float (32 or 64)")
        case (6, 8): enc = .alaw
        case (7, 8): enc = .mulaw
        case (6, _), (7, _): throw .invalidWAV(path: path, field: "bits per sample", problem: "\(bits) is not valid for G.711 \(tag == 6 ? "A-law" : "mu-law") (8)")
        default:
            throw .invalidWAV(path: path, field: "format tag", problem: "0x" + hex(UInt64(tag), width: 4) + " (\(tagName(tag))) is not supported; supported: PCM (1), IEEE float (3), A-law (6), mu-law (7), extensible (0xFFFE). Convert it, e.g. `sox in.wav -e signed -b 16 out.wav`")
        }
        let need = channels * enc.bytesPerSample
        // Writers that leave the block align 0, or give one channel's size for all channels, are
        // common and harmless (sox and libsndfile ignore the field): bits and channels decide.
        guard blockAlign == need || blockAlign == 0 || (channels > 1 && blockAlign == enc.bytesPerSample) else {
            throw .invalidWAV(path: path, field: "block align", problem: "is \(blockAlign) but \(channels) channel(s) of \(bits)-bit samples need \(need); "
                              + "the header contradicts itself. If its bits per sample and channel count are right, sox can rewrite it: `sox in.wav -b 16 out.wav`")
        }
        return (PCMFormat(encoding: enc, sampleRate: rate, channels: channels), tag, extensible, mask)
    }

    /// The 64-bit sizes of an RF64/BW64 file (EBU Tech 3306): the data chunk's, and any other
    /// chunk's whose 32-bit size is 0xFFFFFFFF.
    struct DS64 {
        /// nil when the writer left it open (0, or more than Int64 holds).
        var dataSize: Int64?
        var table: [String: Int64] = [:]

        init(_ b: [UInt8], path: String) throws(AudioError) {
            guard b.count >= 20 else {
                throw .invalidWAV(path: path, field: "ds64 chunk size", problem: "is \(b.count); at least 20 bytes are needed")
            }
            let data = u64(b, 8)
            dataSize = data == 0 || data > UInt64(Int64.max) ? nil : Int64(data)
            guard b.count >= 28 else { return }
            var p = 28
            // The table's count is the file's word; the chunk holds at most this many entries.
            for _ in 0..<min(Int(u32(b, 24)), (b.count - 28) / 12) {
                let size = u64(b, p + 4)
                if size <= UInt64(Int64.max) { table[String(decoding: b[p..<p + 4], as: UTF8.self)] = Int64(size) }
                p += 12
            }
        }
    }

    static func tagName(_ tag: UInt16) -> String {
        switch tag {
        case 0: return "unknown"
        case 2: return "Microsoft ADPCM"
        case 0x11: return "IMA ADPCM"
        case 0x31: return "GSM 6.10"
        case 0x50: return "MPEG"
        case 0x55: return "MP3"
        case 0xFFFE: return "extensible"
        default: return "unrecognised"
        }
    }

    /// Upper-case hex zero-padded to `width` (`%0<width>X` without `String(format:)`).
    static func hex(_ v: UInt64, width: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func describe(_ b: ArraySlice<UInt8>) -> String {
        if !b.isEmpty && b.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return "'" + String(decoding: b, as: UTF8.self) + "'" }
        return "bytes " + b.map { hex(UInt64($0), width: 2) }.joined(separator: " ")
    }

    static func u16(_ b: [UInt8], _ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    /// Four printable ASCII characters, as every chunk id is.
    static func isChunkID(_ b: [UInt8], _ i: Int) -> Bool { b[i..<i + 4].allSatisfy { (0x20...0x7E).contains($0) } }

    static let knownChunkIDs: Set<String> = ["data", "fmt ", "LIST", "fact", "JUNK", "junk", "bext", "iXML", "cue ", "ds64",
                                             "PEAK", "smpl", "inst", "id3 ", "ID3 ", "axml", "plst", "acid", "cart", "FLLR", "_PMX"]
    /// Whether the 4 bytes at `i` are the ID of a chunk WAV files carry (LIST, id3, JUNK, fact …).
    public static func isKnownChunkID(_ b: [UInt8], _ i: Int) -> Bool { knownChunkIDs.contains(String(decoding: b[i..<i + 4], as: UTF8.self)) }

    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }

    /// True when `bytes` start like a WAV file of any byte order: RIFF, RF64, BW64 or RIFX
    /// (the header then decides, even over a declared raw format).
    public static func startsLikeWAV(_ bytes: [UInt8]) -> Bool {
        ["RIFF", "RF64", "BW64", "RIFX"].contains { bytes.starts(with: Array($0.utf8)) }
    }
}
