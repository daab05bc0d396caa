import FoundationEssentials
import Glibc

/// PocketSphinx (and the sphinxbase calls it needs), loaded with `dlopen` the first time the
/// offline engine starts rather than linked into captty: linking maps libpocketsphinx,
/// libsphinxbase and their BLAS, LAPACK, gfortran and quadmath into every cloud session too,
/// about a megabyte of resident memory (issue #8). The signatures are those declared in
/// Sources/CSphinx/shim.h (from /usr/include/pocketsphinx and sphinxbase); handles stay opaque.
struct SphinxLibrary: @unchecked Sendable {
    typealias Handle = OpaquePointer
    let errSetLogfp: @convention(c) (UnsafeMutablePointer<FILE>?) -> Void
    let cmdLnParse: @convention(c) (Handle?, Handle?, Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> Handle?
    let cmdLnFree: @convention(c) (Handle?) -> Int32
    let logmathExp: @convention(c) (Handle?, Int32) -> Double
    let psArgs: @convention(c) () -> Handle?
    let psInit: @convention(c) (Handle?) -> Handle?
    let psFree: @convention(c) (Handle?) -> Int32
    let psGetLogmath: @convention(c) (Handle?) -> Handle?
    let psStartUtt: @convention(c) (Handle?) -> Int32
    let psProcessRaw: @convention(c) (Handle?, UnsafePointer<Int16>?, Int, Int32, Int32) -> Int32
    let psEndUtt: @convention(c) (Handle?) -> Int32
    let psGetHyp: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> UnsafePointer<CChar>?
    let psSegIter: @convention(c) (Handle?) -> Handle?
    let psSegNext: @convention(c) (Handle?) -> Handle?
    let psSegWord: @convention(c) (Handle?) -> UnsafePointer<CChar>?
    let psSegFrames: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Void
    let psSegProb: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Int32

    /// The shared object's name (Debian package libpocketsphinx3; it pulls in libsphinxbase3).
    static let soname = "libpocketsphinx.so.3"

    /// The library, loaded once; the error says what is missing and how to install it.
    static let shared: Result<SphinxLibrary, LocalEngineError> = Result { () throws(LocalEngineError) in try load() }

    private static func load() throws(LocalEngineError) -> SphinxLibrary {
        guard let lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "not found"
            throw .modelLoadFailed(engine: "PocketSphinx", path: soname,
                                   detail: "the PocketSphinx library cannot be loaded (\(why)); install it with `apt-get install libpocketsphinx3 libsphinxbase3`")
        }
        func sym<T>(_ name: String, _: T.Type) throws(LocalEngineError) -> T {
            guard let p = dlsym(lib, name) else {
                throw .modelLoadFailed(engine: "PocketSphinx", path: soname,
                                       detail: "the library has no symbol \(name): captty needs PocketSphinx 5prealpha (libpocketsphinx3)")
            }
            return unsafeBitCast(p, to: T.self)
        }
        return SphinxLibrary(
            errSetLogfp: try sym("err_set_logfp", (@convention(c) (UnsafeMutablePointer<FILE>?) -> Void).self),
            cmdLnParse: try sym("cmd_ln_parse_r", (@convention(c) (Handle?, Handle?, Int32, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> Handle?).self),
            cmdLnFree: try sym("cmd_ln_free_r", (@convention(c) (Handle?) -> Int32).self),
            logmathExp: try sym("logmath_exp", (@convention(c) (Handle?, Int32) -> Double).self),
            psArgs: try sym("ps_args", (@convention(c) () -> Handle?).self),
            psInit: try sym("ps_init", (@convention(c) (Handle?) -> Handle?).self),
            psFree: try sym("ps_free", (@convention(c) (Handle?) -> Int32).self),
            psGetLogmath: try sym("ps_get_logmath", (@convention(c) (Handle?) -> Handle?).self),
            psStartUtt: try sym("ps_start_utt", (@convention(c) (Handle?) -> Int32).self),
            psProcessRaw: try sym("ps_process_raw", (@convention(c) (Handle?, UnsafePointer<Int16>?, Int, Int32, Int32) -> Int32).self),
            psEndUtt: try sym("ps_end_utt", (@convention(c) (Handle?) -> Int32).self),
            psGetHyp: try sym("ps_get_hyp", (@convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> UnsafePointer<CChar>?).self),
            psSegIter: try sym("ps_seg_iter", (@convention(c) (Handle?) -> Handle?).self),
            psSegNext: try sym("ps_seg_next", (@convention(c) (Handle?) -> Handle?).self),
            psSegWord: try sym("ps_seg_word", (@convention(c) (Handle?) -> UnsafePointer<CChar>?).self),
            psSegFrames: try sym("ps_seg_frames", (@convention(c) (Handle?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Void).self),
            psSegProb: try sym("ps_seg_prob", (@convention(c) (Handle?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Int32).self))
    }

    /// Silences sphinxbase's logging (it writes to stderr by default, which would scribble on the
    /// caption screen), parses `argv` against the decoder's argument table and creates a decoder.
    /// nil on a bad argument or a missing model file.
    func createDecoder(_ argv: [String]) -> Handle? {
        errSetLogfp(nil)
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        defer { for p in cargs { free(p) } }
        let config = cargs.withUnsafeMutableBufferPointer { cmdLnParse(nil, psArgs(), Int32(argv.count), $0.baseAddress, 1) }
        guard let config else { return nil }
        let ps = psInit(config)
        _ = cmdLnFree(config) // ps_init retains it
        return ps
    }
}
