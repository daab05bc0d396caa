import Foundation
import Testing
import TestSupport

/// OpenSSL's `atexit` cleanup freed every thread's OpenSSL state while a WebSocket I/O thread
/// that was still closing freed its own: `captty transcribe` died with "double free or
/// corruption (fasttop)" at exit, about once in a thousand runs (seen in CI). captty sets
/// OpenSSL up without that handler. The race is too rare to wait for: an LD_PRELOAD probe (a
/// small C library built here) reports every `atexit` handler libcrypto registers, and there
/// must be none. The probe is shown to see one in the `openssl` program, which keeps it.
@Suite(.serialized) struct OpenSSLExitTests {
    static let probeSource = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <string.h>
        #include <unistd.h>
        int __cxa_atexit(void (*f)(void *), void *arg, void *dso) {
            static int (*real)(void (*)(void *), void *, void *);
            if (!real) real = dlsym(RTLD_NEXT, "__cxa_atexit");
            Dl_info i;
            if (dladdr((void *)f, &i) && i.dli_fname && strstr(i.dli_fname, "libcrypto")) {
                static const char m[] = "PROBE: libcrypto registered an atexit handler\\n";
                write(2, m, sizeof m - 1);
            }
            return real(f, arg, dso);
        }
        """

    static func buildProbe(in dir: URL) throws -> String {
        let source = dir.appendingPathComponent("atexit-probe.c"), library = dir.appendingPathComponent("atexit-probe.so")
        try probeSource.write(to: source, atomically: true, encoding: .utf8)
        let cc = FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") ? "/usr/bin/cc" : "/opt/swift/usr/bin/clang"
        let r = try runProcess(cc, ["-shared", "-fPIC", "-o", library.path, source.path, "-ldl"], timeout: 60)
        try #require(r.status == 0, "cc: \(r.stderr)")
        return library.path
    }

    @Test(.timeLimit(.minutes(2))) func openSSLHasNoExitCleanupToRaceAClosingThread() async throws {
        let dir = try scratchDirectory("openssl-atexit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let probe = try Self.buildProbe(in: dir)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") {
            // The probe sees the handler where OpenSSL keeps it.
            let control = try runProcess("/usr/bin/openssl", ["sha256", "/dev/null"], environment: ["LD_PRELOAD": probe], timeout: 30)
            #expect(control.stderr.contains("PROBE: libcrypto registered"), "the probe saw nothing: \(control.stderr)")
        }
        try await withDeepgramDouble { double in
            // ws:// uses libcrypto for the handshake's SHA-1, on the I/O thread.
            let wav = TestPaths.packageRoot.appendingPathComponent("Assets/demo-preamble.wav").path
            let r = try runCaptty(["transcribe", "--engine", "deepgram", "--url", double.baseURL, "--no-journal", wav],
                                  environment: ["LD_PRELOAD": probe, "DEEPGRAM_API_KEY": "test-key"], timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("PROBE"), "\(r.stderr)")
            #expect(!r.stdout.isEmpty, "a transcript came back")
        }
    }
}
