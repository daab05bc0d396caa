import FoundationEssentials
import SystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Moonshine (base, English): an accurate offline recognizer for one utterance at a time.
///
/// The library is loaded at run time with `dlopen`, so captty runs (PocketSphinx only) where it
/// is absent. Calls are serialised by a lock: one model is shared by every session of the
/// process, and each call blocks for a while, so call it from a session's own queue, never
/// from the cooperative thread pool.
final class MoonshineModel: @unchecked Sendable {
    private typealias LoadFn = @convention(c) (UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32) -> Int32
    private typealias TranscribeFn = @convention(c) (Int32, UnsafePointer<Float>?, Int, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32
    private typealias FreeTextFn = @convention(c) (UnsafeMutablePointer<CChar>?) -> Void

    private let transcribeFn: TranscribeFn
    private let freeTextFn: FreeTextFn
    private let handle: Int32
    private let lock = Lock()
    let files: MoonshineModelFiles

    /// The longest segment Moonshine is given: longer blocks make it use gigabytes and invent text.
    static let maxSeconds = 20.0

    private static let cacheLock = Lock()
    nonisolated(unsafe) private static var cache: [String: MoonshineModel] = [:]

    /// The process-wide model for `files`, loaded on first use.
    static func shared(_ files: MoonshineModelFiles) throws(LocalEngineError) -> MoonshineModel {
        cacheLock.lock(); defer { cacheLock.unlock() }
        if let m = cache[files.directory.path] { return m }
        let m = try MoonshineModel(files: files)
        cache[files.directory.path] = m
        return m
    }

    /// A model of its own (the worker process holds exactly one).
    static func loadUnshared(_ files: MoonshineModelFiles) throws(LocalEngineError) -> MoonshineModel {
        try MoonshineModel(files: files)
    }

    private init(files: MoonshineModelFiles) throws(LocalEngineError) {
        self.files = files
        func fail(_ detail: String) -> LocalEngineError {
            .modelLoadFailed(engine: "Moonshine", path: files.directory.path, detail: detail)
        }
        func dlerr() -> String { dlerror().map { String(cString: $0) } ?? "unknown dlopen error" }
        // libmoonshine.so needs libonnxruntime.so.1 and has no RPATH: load the runtime first by
        // path, so the loader resolves the dependency by its SONAME.
        guard dlopen(files.onnxRuntime.path, RTLD_NOW | RTLD_GLOBAL) != nil else { throw fail(dlerr()) }
        guard let lib = dlopen(files.library.path, RTLD_NOW | RTLD_LOCAL) else { throw fail(dlerr()) }
        guard let load = dlsym(lib, "moonshine_load_model"), let tr = dlsym(lib, "moonshine_transcribe"),
              let ft = dlsym(lib, "moonshine_free_text") else {
            throw fail("libmoonshine.so lacks moonshine_load_model/moonshine_transcribe/moonshine_free_text")
        }
        let loadFn = unsafeBitCast(load, to: LoadFn.self)
        transcribeFn = unsafeBitCast(tr, to: TranscribeFn.self)
        freeTextFn = unsafeBitCast(ft, to: FreeTextFn.self)
        let h = loadFn(files.encoder.path, files.decoder.path, files.tokenizer.path, 1 /* base */)
        guard h >= 0 else { throw fail("moonshine_load_model returned \(h)") }
        handle = h
    }

    /// Transcribes mono 16 kHz samples in [-1, 1]. Blocks; serialised with other callers.
    func transcribe(_ samples: [Float]) throws(LocalEngineError) -> String {
        guard !samples.isEmpty else { return "" }
        lock.lock(); defer { lock.unlock() }
        var out: UnsafeMutablePointer<CChar>? = nil
        let rc = samples.withUnsafeBufferPointer { transcribeFn(handle, $0.baseAddress, $0.count, &out) }
        guard rc == 0 else { throw .decodeFailed(engine: "Moonshine", detail: "moonshine_transcribe returned \(rc)") }
        guard let out else { return "" }
        let text = String(cString: out)
        freeTextFn(out)
        return text.trimmingWhitespace()
    }
}
