import FoundationEssentials
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// The Moonshine worker process: loads the model and transcribes segments sent on stdin.
///
/// libmoonshine 0.1.4 leaks about 28 MB per second of audio decoded, and freeing the model does
/// not give it back, so Moonshine runs in this child process, which `MoonshineProcess` replaces
/// when it grows too big. Protocol (little-endian): the worker first writes `MSOK`, or `MSER`
/// + UInt32 length + UTF-8 message; then for each request — UInt32 sample count + that many
/// Float32 samples (16 kHz mono) — it writes Int32 status + UInt32 length + UTF-8 text.
/// A zero sample count or end of input ends the worker.
public enum MoonshineWorker {
    /// Runs the worker loop; `arguments[1]` is the Moonshine install directory. Never returns.
    public static func run(arguments: [String]) -> Never {
        // captty's sockets and files are not this worker's to keep open.
        closeInheritedDescriptors()
        signal(SIGPIPE, SIG_IGN)
        guard arguments.count >= 2 else { fail("usage: captty-moonshine-worker MOONSHINE_DIR") }
        let files = MoonshineModelFiles(directory: URL(fileURLWithPath: arguments[1]))
        let model: MoonshineModel
        do { model = try MoonshineModel.loadUnshared(files) } catch { fail("\(error)") }
        writeAll(Array("MSOK".utf8))
        while true {
            guard let head = readExactly(4) else { exit(0) }
            let n = Int(UInt32(head[0]) | UInt32(head[1]) << 8 | UInt32(head[2]) << 16 | UInt32(head[3]) << 24)
            if n == 0 { exit(0) }
            guard let body = readExactly(n * 4) else { exit(0) }
            var samples = [Float](repeating: 0, count: n)
            samples.withUnsafeMutableBytes { dst in body.withUnsafeBytes { dst.copyMemory(from: $0) } }
            var status: Int32 = 0
            var text = ""
            do { text = try model.transcribe(samples) } catch { status = 1; text = "\(error)" }
            let bytes = Array(text.utf8)
            writeAll(le(UInt32(bitPattern: status)) + le(UInt32(bytes.count)) + bytes)
        }
    }

    static func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }

    private static func fail(_ message: String) -> Never {
        let m = Array(message.utf8)
        writeAll(Array("MSER".utf8) + le(UInt32(m.count)) + m)
        exit(1)
    }

    private static func readExactly(_ n: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out.withUnsafeMutableBytes { read(0, $0.baseAddress! + got, n - got) }
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return nil }
            got += r
        }
        return out
    }

    private static func writeAll(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let w = bytes.withUnsafeBytes { write(1, $0.baseAddress! + sent, bytes.count - sent) }
            if w < 0 && errno == EINTR { continue }
            if w <= 0 { exit(1) }
            sent += w
        }
    }
}
