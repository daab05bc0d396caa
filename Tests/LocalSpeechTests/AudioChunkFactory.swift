import Audio

/// Builds audio chunks for tests.
enum AudioChunkFactory {
    typealias Chunk = AudioChunk
    static func silence(format: AudioFormat, seconds: Double) -> AudioChunk {
        AudioChunk(format: format, data: [UInt8](repeating: 0, count: Int(seconds * Double(format.sampleRate)) * format.bytesPerFrame))
    }
}
