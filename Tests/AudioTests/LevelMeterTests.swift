import Foundation
import Testing
import Audio

/// RMS/peak in dBFS, decaying peak-hold, clipping and silence flags on synthetic signals.
struct LevelMeterTests {
    static func chunk(_ x: [Float], encoding: SampleEncoding = .linear16, rate: Int = 16_000) -> AudioChunk {
        var bytes = [UInt8]()
        x.withUnsafeBufferPointer { SampleCodec.encode($0, as: encoding, into: &bytes) }
        return AudioChunk(format: AudioFormat(encoding: encoding, sampleRate: rate), data: bytes)
    }
    static let silence = chunk([Float](repeating: 0, count: 800))
    static let fullScale = chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05, amplitude: 32767.0 / 32768))

    @Test func fullScaleSineIsMinus3dBFS() {
        var m = LevelMeter()
        let r = m.update(Self.fullScale)
        #expect(abs(r.rmsDB - (-3.0103)) < 0.05, "\(r.rmsDB)")
        #expect(abs(r.peakDB) < 0.01)
        #expect(!r.isSilent)
        // The same through float32 and mu-law chunks (mu-law is coarser).
        let f = m.update(Self.chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05), encoding: .float32))
        #expect(abs(f.rmsDB - (-3.0103)) < 0.05)
        let u = m.update(Self.chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05), encoding: .mulaw))
        #expect(abs(u.rmsDB - (-3.0103)) < 0.2)
        let half = m.update(Self.chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05, amplitude: 0.5)))
        #expect(abs(half.rmsDB - (-9.0309)) < 0.05)
    }

    @Test func clippingIsFlagged() {
        var m = LevelMeter()
        #expect(m.update(Self.fullScale).isClipping)        // touching full scale counts
        let clipped = Self.chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05, amplitude: 1.5))
        #expect(m.update(clipped).isClipping)
        #expect(!m.update(Self.chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05, amplitude: 0.9))).isClipping)
        #expect(!m.update(Self.silence).isClipping)
    }

    @Test func silenceIsFlaggedAfterTheConfiguredDuration() {
        var m = LevelMeter(silenceThresholdDB: -50, silenceDuration: 2)
        #expect(m.update(Self.silence).rmsDB == LevelMeter.floorDB)
        for _ in 0..<38 { #expect(!m.update(Self.silence).isSilent) }   // 1.95 s
        #expect(m.update(Self.silence).isSilent)                        // 2.0 s
        // Quiet noise below the threshold still counts as silence; a word resets it.
        #expect(m.update(Self.chunk([Float](repeating: 0.001, count: 800))).isSilent)
        let r = m.update(Self.fullScale)
        #expect(!r.isSilent && r.silentFor == 0)
    }

    @Test func peakHoldHoldsThenDecays() {
        var m = LevelMeter(peakHoldTime: 1.0, peakDecayPerSecond: 20)
        m.update(Self.fullScale)
        var r = LevelReading()
        for _ in 0..<20 { r = m.update(Self.silence) }                   // 1.0 s: still held
        #expect(abs(r.peakHoldDB) < 0.01)
        for _ in 0..<10 { r = m.update(Self.silence) }                   // 0.5 s of decay
        #expect(abs(r.peakHoldDB - (-10)) < 0.1, "\(r.peakHoldDB)")
        r = m.update(Self.chunk(Signal.sine(frequency: 1000, rate: 16_000, seconds: 0.05, amplitude: 0.5)))
        #expect(abs(r.peakHoldDB - (-6.02)) < 0.1)                       // a new peak above the decayed hold
        #expect(r.peakHoldDB >= r.peakDB)
    }
}
