import Foundation
import Testing
import TestSupport

/// `captty transcribe` stops on Ctrl-C or SIGTERM even while its input has nothing to give: a
/// FIFO no one writes to (the signal was ignored until the writer came), or a pipe that
/// stalled in the middle of speech (the first Ctrl-C waited 20 s for audio that was not
/// coming, then kept the engine's unconfirmed guess and said the whole input was transcribed).
struct TranscribeInterruptTests {
    /// Runs `script` with sh; returns the result and how long it took.
    static func sh(_ script: String, timeout: Double = 90) throws -> (ProcessResult, Double) {
        let started = ContinuousClock.now
        let r = try runProcess("/bin/sh", ["-c", script], environment: ["CAPTTY": TestPaths.capttyBinary.path], timeout: timeout)
        let d = started.duration(to: .now)
        return (r, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    @Test(.timeLimit(.minutes(2))) func aSignalStopsTheWaitForAFIFOWriter() throws {
        let dir = try scratchDirectory("transcribe-fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, took) = try Self.sh("""
            cd \(dir.path) && mkfifo f && timeout --preserve-status -s TERM 2 "$CAPTTY" transcribe f --engine local; echo "rc=$?" >&2
            """)
        #expect(r.stderr.contains("rc=130"), "\(r.stderr)")
        #expect(r.stderr.contains("interrupted before any audio came: nothing was transcribed"), "\(r.stderr)")
        #expect(took < 15, "took \(took) s after a signal at 2 s")
    }

    @Test(.timeLimit(.minutes(3))) func aSignalAtAStalledPipeFinishesWhatWasReadAtOnce() throws {
        let dir = try scratchDirectory("transcribe-stall")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 7 s of the preamble (22.05 kHz mono s16 after a 44-byte header), then nothing for 60 s.
        let bytes = 44 + 7 * 22_050 * 2
        let (r, took) = try Self.sh("""
            cd \(dir.path) && mkfifo p
            (head -c \(bytes) '\(TestAudio.preamble)'; exec sleep 60) > p &
            W=$!
            timeout --preserve-status -s INT 12 "$CAPTTY" transcribe p --engine local -q; echo "rc=$?" >&2
            kill $W
            """, timeout: 120)
        #expect(r.stderr.contains("rc=130"), "\(r.stderr)")
        #expect(r.stdout.contains("people of the United States"), "\(r.stdout)")
        #expect(r.stderr.contains("the rest of p was not read"), "\(r.stderr)")
        #expect(!r.stderr.contains("had been transcribed"), "\(r.stderr)")
        #expect(took < 30, "took \(took) s after a signal at 12 s")
    }
}
