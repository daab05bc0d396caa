import Foundation
@testable import LocalSpeech
import Testing
import TestSupport

/// moonshine-cpp's libmoonshine.so is built for AVX-512 CPUs; on others (most laptops) loading
/// the model died with SIGILL and captions silently fell back to PocketSphinx ("Moonshine
/// failed while decoding: the worker process ended unexpectedly"). scripts/install-local-engine
/// replaces its AVX-512 instructions with AVX2 ones (scripts/moonshine/patch-avx2).
extension RealEngineTests {
    @Suite(.enabled(if: InstalledModels.moonshine, "Moonshine missing: run scripts/install-local-engine"))
    struct MoonshineCPUTests {
        static var patcher: String { TestPaths.packageRoot.appendingPathComponent("scripts/moonshine/patch-avx2").path }

        /// No EVEX-encoded (AVX-512) instruction and no mask register is left in the installed
        /// library, whatever CPU runs the tests (CI's may have AVX-512 and never trap).
        @Test func theInstalledLibraryHasNoAVX512Instructions() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            let r = try runProcess("/usr/bin/objdump", ["-d", "--no-addresses", files.library.path], timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count > 10_000, "objdump printed \(lines.count) lines")
            let avx512 = lines.filter { line in
                let bytes = line.split(separator: "\t").first?.trimmingCharacters(in: .whitespaces) ?? ""
                return bytes.hasPrefix("62 ") || line.contains("%k") || line.contains("%zmm")
            }
            #expect(avx512.isEmpty, "AVX-512 left: \(avx512.prefix(5))")
        }

        /// The patched library is recognised (nothing rewritten); any other file is refused
        /// untouched, with a message.
        @Test func thePatcherIsIdempotentAndRefusesOtherFiles() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            let dir = try scratchDirectory("patch-avx2")
            defer { try? FileManager.default.removeItem(at: dir) }
            let copy = dir.appendingPathComponent("libmoonshine.so")
            try FileManager.default.copyItem(at: files.library, to: copy)
            let before = try Data(contentsOf: copy)
            let again = try runProcess("/usr/bin/python3", [Self.patcher, copy.path])
            #expect(again.status == 0 && again.stdout.contains("already patched"), "\(again.stdout)\(again.stderr)")
            #expect(try Data(contentsOf: copy) == before)

            var other = before
            other[0x5505] ^= 0xFF
            try other.write(to: copy)
            let refused = try runProcess("/usr/bin/python3", [Self.patcher, copy.path])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("not moonshine-cpp 0.1.4's libmoonshine.so"), "\(refused.stderr)")
            #expect(try Data(contentsOf: copy) == other)
        }

        /// A worker that dies on an illegal instruction while loading is reported as a load
        /// failure that names the cause and the fix. (The worker here is a test double: a
        /// script that kills itself with SIGILL, since a CPU without AVX-512 cannot be chosen.)
        @Test func aWorkerKilledBySIGILLSaysTheCPULacksTheInstructions() throws {
            let files = try #require(InstalledModels.found?.moonshine)
            let dir = try scratchDirectory("sigill-worker")
            defer { try? FileManager.default.removeItem(at: dir) }
            let script = dir.appendingPathComponent("stand-in-worker")
            try "#!/bin/sh\nulimit -c 0\nkill -ILL $$\n".write(to: script, atomically: true, encoding: .utf8)
            chmod(script.path, 0o755)
            #expect {
                _ = try MoonshineProcess(files: files, memoryLimitMB: 100, workerPath: script.path)
            } throws: { e in
                let text = "\(e)"
                return text.contains("could not load the Moonshine model") && text.contains("signal 4 (SIGILL)")
                    && text.contains("this CPU lacks instructions the Moonshine library was built for (AVX-512)")
                    && text.contains("re-run scripts/install-local-engine")
            }
            // Another death says how it ended, not "unexpectedly" alone.
            try "#!/bin/sh\nexit 3\n".write(to: script, atomically: true, encoding: .utf8)
            chmod(script.path, 0o755)
            #expect {
                _ = try MoonshineProcess(files: files, memoryLimitMB: 100, workerPath: script.path)
            } throws: { e in "\(e)".contains("the worker process exited with code 3") }
        }
    }
}
