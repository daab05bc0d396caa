import Foundation
import Testing
import TestSupport

/// Plain mode whose standard output is held up (a slow reader) while the connection drops and
/// comes back: the outages that came and went meanwhile are said as a count once output moves
/// again. Plain mode looks at the connection state when it can, so 3 reconnects gave 1 line
/// (found in QA). The Deepgram TEST DOUBLE drops each of its first 3 connections after 4 s of
/// audio.
@Suite(.serialized) struct BlockedOutputReconnectTests {
    /// A pipe for the child's standard output that is full before the child starts (its buffer
    /// shrunk to a page and filled), so the first caption written blocks until `drain()`.
    final class FullPipe: @unchecked Sendable {
        let readEnd: Int32, writeEnd: Int32
        let filled: Int

        init() throws {
            var fds: [Int32] = [0, 0]
            try #require(pipe(&fds) == 0)
            let (readEnd, writeEnd) = (fds[0], fds[1])
            _ = fcntl(writeEnd, 1031, 4096)   // F_SETPIPE_SZ (Linux; Glibc does not export it)
            // Filled without blocking; the flag is cleared again before the child shares the
            // pipe (it belongs to the open file, not to this descriptor).
            let flags = fcntl(writeEnd, F_GETFL)
            _ = fcntl(writeEnd, F_SETFL, flags | O_NONBLOCK)
            var total = 0
            let page = [UInt8](repeating: UInt8(ascii: "#"), count: 512)
            while true {
                let n = page.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                total += n
            }
            _ = fcntl(writeEnd, F_SETFL, flags)
            (self.readEnd, self.writeEnd, filled) = (readEnd, writeEnd, total)
        }

        /// Reads everything until the child closes its end; returns what came after the filler.
        func drain() -> String {
            close(writeEnd)
            var data = Data()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                data.append(contentsOf: buffer[0..<n])
            }
            close(readEnd)
            return String(decoding: data.dropFirst(filled), as: UTF8.self)
        }
    }

    @Test(.timeLimit(.minutes(2))) func outagesWhileOutputIsHeldUpAreCounted() async throws {
        let dir = try scratchDirectory("blocked-output")
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try TestAudio.tone(seconds: 20, in: dir)
        // 4 s a connection: the first final (at 2 s) is written, and held up, before the first drop.
        let double = try await DeepgramDoubleProcess.launch(["--kill-after-bytes", "128000", "--kill-times", "3"])
        defer { double.stop() }
        let out = try FullPipe()
        #expect(out.filled > 0 && out.filled <= 65_536, "the pipe took \(out.filled) bytes")
        let process = Process()
        process.executableURL = TestPaths.capttyBinary
        process.arguments = ["--plain", "--file", wav, "--engine", "deepgram", "--url", double.baseURL, "--no-journal"]
        var env = ProcessInfo.processInfo.environment
        env["DEEPGRAM_API_KEY"] = "test-key"
        env["HOME"] = dir.path
        process.environment = env
        process.standardOutput = FileHandle(fileDescriptor: out.writeEnd, closeOnDealloc: false)
        let err = Pipe()
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let stderrReader = Task.detached { String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }

        // Held up until the double has seen all 4 connections (3 dropped), or 40 s.
        let deadline = ContinuousClock.now + .seconds(40)
        while ContinuousClock.now < deadline, ((try? double.stats().connections.count) ?? 0) < 4 {
            try await Task.sleep(for: .milliseconds(200))
        }
        let captions = await Task.detached { out.drain() }.value
        process.waitUntilExit()
        let stderr = await stderrReader.value
        let stats = try double.stats()
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stats.connections.count == 4, "\(stats.connections.map(\.bytes))")
        #expect(captions.contains("b"), "no captions: \(captions)")

        // Every outage is accounted for: each said as it happened, or in the count.
        let lines = stderr.split(separator: "\n").map(String.init)
        // (The double is back at once: each outage takes one attempt.)
        let said = lines.filter { $0.hasPrefix("captty: reconnecting in ") }.count
        let counted = lines.compactMap { line -> Int? in
            let prefix = "captty: the connection dropped and came back ", suffix = " meanwhile (see the log)"
            guard line.hasPrefix(prefix), line.hasSuffix(suffix) else { return nil }
            let n = line.dropFirst(prefix.count).dropLast(suffix.count)
            return n == "once" ? 1 : n.hasSuffix(" times") ? Int(n.dropLast(" times".count)) : nil
        }.reduce(0, +)
        print("blocked output: \(said) outages said as they came, \(counted) counted afterwards; stderr:\n\(stderr)")
        #expect(said + counted == 3, "\(stderr)")
        // Output was held up for all of them but the first, which may have come before the
        // first caption was written.
        #expect(counted >= 2, "\(stderr)")
    }
}
