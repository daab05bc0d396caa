import FoundationEssentials
import Glibc

/// What the level meter shows after a chunk.
public struct LevelReading: Sendable, Equatable {
    /// RMS of the chunk in dBFS (a full-scale sine is −3.01; silence is `LevelMeter.floorDB`).
    public var rmsDB: Double
    /// Largest absolute sample of the chunk in dBFS.
    public var peakDB: Double
    /// The held peak: follows rises at once, holds, then decays.
    public var peakHoldDB: Double
    /// The chunk had samples at full scale.
    public var isClipping: Bool
    /// Seconds since the signal was last above the silence threshold.
    public var silentFor: Double
    /// Nothing above the threshold for the meter's silence duration ("no audio from <device>").
    public var isSilent: Bool

    public init(rmsDB: Double = LevelMeter.floorDB, peakDB: Double = LevelMeter.floorDB, peakHoldDB: Double = LevelMeter.floorDB,
                isClipping: Bool = false, silentFor: Double = 0, isSilent: Bool = false) {
        self.rmsDB = rmsDB; self.peakDB = peakDB; self.peakHoldDB = peakHoldDB
        self.isClipping = isClipping; self.silentFor = silentFor; self.isSilent = isSilent
    }
}

/// Audio level per chunk: RMS, peak, decaying peak-hold, clipping and silence detection.
///
/// A value: the consumer updates it with each chunk on its own task, never on the capture
/// thread. Cost is one pass over the samples (a multiply-add per sample).
public struct LevelMeter: Sendable {
    /// The lowest level reported, dBFS (digital silence).
    public static let floorDB: Double = -120

    /// A chunk whose peak is at or below this counts as silent, dBFS.
    public var silenceThresholdDB: Double
    /// How long the signal must stay below the threshold before `isSilent`, seconds.
    public var silenceDuration: Double
    /// How long the peak-hold stays put before decaying, seconds.
    public var peakHoldTime: Double
    /// Decay rate of the held peak after the hold time, dB per second.
    public var peakDecayPerSecond: Double
    /// Absolute sample value (0…1 of full scale) counted as clipping.
    public var clipLevel: Double

    /// The latest reading.
    public private(set) var reading = LevelReading()
    private var holdAge: Double = 0

    public init(silenceThresholdDB: Double = -60, silenceDuration: Double = 5, peakHoldTime: Double = 1.5,
                peakDecayPerSecond: Double = 20, clipLevel: Double = 32767.0 / 32768.0) {
        self.silenceThresholdDB = silenceThresholdDB; self.silenceDuration = silenceDuration
        self.peakHoldTime = peakHoldTime; self.peakDecayPerSecond = peakDecayPerSecond; self.clipLevel = clipLevel
    }

    /// Measures `chunk` and returns the new reading.
    @discardableResult
    public mutating func update(_ chunk: AudioChunk) -> LevelReading {
        var sumSquares = 0.0
        var peak = 0.0
        var count = 0
        if chunk.format.encoding == .linear16 {
            chunk.data.withUnsafeBytes { raw in
                let n = raw.count / 2
                var acc: Int64 = 0
                var maxAbs: Int32 = 0
                for i in 0..<n {
                    let v = Int32(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
                    acc += Int64(v * v)
                    let a = v < 0 ? -v : v
                    if a > maxAbs { maxAbs = a }
                }
                sumSquares = Double(acc) / (32768.0 * 32768.0)
                peak = Double(maxAbs) / 32768
                count = n
            }
        } else {
            var samples = [Float]()
            chunk.data.withUnsafeBytes { SampleCodec.decode($0, as: InputEncoding(chunk.format.encoding), into: &samples) }
            for x in samples {
                let d = Double(x)
                sumSquares += d * d
                peak = max(peak, abs(d))
            }
            count = samples.count
        }
        return update(sumSquares: sumSquares, peak: peak, count: count, duration: chunk.duration)
    }

    /// Folds in a chunk's statistics: sum of squared samples (full scale 1), peak, count, duration.
    public mutating func update(sumSquares: Double, peak: Double, count: Int, duration: Double) -> LevelReading {
        let rms = count > 0 ? (sumSquares / Double(count)).squareRoot() : 0
        let rmsDB = Self.dB(rms)
        let peakDB = Self.dB(peak)
        var held = reading.peakHoldDB
        if peakDB >= held {
            held = peakDB
            holdAge = 0
        } else {
            holdAge += duration
            if holdAge > peakHoldTime {
                let decaying = min(holdAge - peakHoldTime, duration)
                held = max(peakDB, held - peakDecayPerSecond * decaying)
            }
        }
        let silentFor = peakDB > silenceThresholdDB ? 0 : reading.silentFor + duration
        reading = LevelReading(rmsDB: rmsDB, peakDB: peakDB, peakHoldDB: held, isClipping: count > 0 && peak >= clipLevel,
                               silentFor: silentFor, isSilent: silentFor >= silenceDuration - 1e-9)
        return reading
    }

    /// Amplitude (1 = full scale) in dBFS, floored at `floorDB`.
    public static func dB(_ amplitude: Double) -> Double {
        amplitude <= 0 ? floorDB : max(floorDB, 20 * log10(amplitude))
    }
}
