import Foundation
import SystemSupport
import Testing

@Suite("ChildProcess: a program with pipes, started and reaped without Foundation's Process")
struct ChildProcessTests {
    @Test func talksThroughItsPipesAndLeavesNoZombie() throws {
        let child = try ChildProcess(path: "/bin/cat", arguments: [])
        #expect(child.isRunning)
        let message = Array("hello through a pipe\n".utf8)
        #expect(Files.writeAll(child.input, message) == nil)
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 256)
        while got.count < message.count {
            let n = buf.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            got += buf[0..<n]
        }
        #expect(got == message)
        let pid = child.pid
        child.terminate()
        child.terminate()   // a second call does nothing (no double close)
        // Reaped by a helper thread: /proc/<pid> disappears (a zombie would keep it).
        var gone = false
        for _ in 0..<200 where !gone {
            gone = access("/proc/\(pid)", F_OK) != 0
            if !gone { usleep(10_000) }
        }
        #expect(gone, "process \(pid) was not reaped")
    }

    @Test func aMissingProgramIsReportedWithTheSystemsReason() {
        #expect(throws: FileReadError.self) { try ChildProcess(path: "/no/such/program", arguments: []) }
        do { _ = try ChildProcess(path: "/no/such/program", arguments: []) } catch {
            #expect(error.description == "No such file or directory")
        }
    }

    @Test func aChildThatExitsIsSeenAsNotRunning() throws {
        let child = try ChildProcess(path: "/bin/true", arguments: [])
        var running = true
        for _ in 0..<200 where running {
            running = child.isRunning
            if running { usleep(10_000) }
        }
        #expect(!running)
    }

    @Test func aFileReadFailsWithTheSystemsReason() {
        if case .failure(let e) = Files.read("/no/such/file") { #expect(e.errno == ENOENT) } else { Issue.record("read a missing file") }
        if case .failure(let e) = Files.read("/tmp") { #expect(e.errno == EISDIR) } else { Issue.record("read a directory") }
        if case .success(let b) = Files.read("/proc/self/cmdline") { #expect(!b.isEmpty) } else { Issue.record("read /proc/self/cmdline") }
    }
}
