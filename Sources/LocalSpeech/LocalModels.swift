import FoundationEssentials
import Glibc
import SystemSupport

/// The files of a PocketSphinx model (as in Debian's `pocketsphinx-en-us`).
public struct SphinxModel: Sendable, Equatable {
    public var directory: URL
    public var acousticModel: URL { directory.appendingPathComponent("en-us") }
    public var languageModel: URL { directory.appendingPathComponent("en-us.lm.bin") }
    public var dictionary: URL { directory.appendingPathComponent("cmudict-en-us.dict") }

    public init(directory: URL) { self.directory = directory }

    /// Whether the files PocketSphinx needs are there.
    public var isComplete: Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: acousticModel.appendingPathComponent("mdef").path)
            && fm.fileExists(atPath: languageModel.path) && fm.fileExists(atPath: dictionary.path)
    }
}

/// The files of a Moonshine install (made by `scripts/install-local-engine`).
public struct MoonshineModelFiles: Sendable, Equatable {
    public var directory: URL
    public var library: URL { directory.appendingPathComponent("libmoonshine.so") }
    public var onnxRuntime: URL { directory.appendingPathComponent("libonnxruntime.so.1") }
    public var modelDirectory: URL { directory.appendingPathComponent("models/base-en") }
    public var encoder: URL { modelDirectory.appendingPathComponent("encoder_model.ort") }
    public var decoder: URL { modelDirectory.appendingPathComponent("decoder_model_merged.ort") }
    public var tokenizer: URL { modelDirectory.appendingPathComponent("tokenizer.bin") }
    /// The installed release, from the `VERSION` file the installer writes.
    public var version: String {
        (try? String(contentsOf: directory.appendingPathComponent("VERSION"), encoding: .utf8))?
            .trimmingWhitespace() ?? "unknown"
    }

    public init(directory: URL) { self.directory = directory }

    public var isComplete: Bool {
        let fm = FileManager.default
        return [library, onnxRuntime, encoder, decoder, tokenizer].allSatisfy { fm.fileExists(atPath: $0.path) }
    }
}

/// The models the offline engine found: PocketSphinx (required), Moonshine (optional).
public struct LocalModels: Sendable, Equatable {
    public var sphinx: SphinxModel
    public var moonshine: MoonshineModelFiles?

    public init(sphinx: SphinxModel, moonshine: MoonshineModelFiles?) {
        self.sphinx = sphinx; self.moonshine = moonshine
    }

    /// Finds the models with no flags. Search order, first hit wins for each engine:
    /// `$CAPTTY_MODEL_DIR` (itself, or its `moonshine/` and `pocketsphinx/` subdirectories),
    /// `<executable dir>/../share/captty`, the project-local `vendor/` (found by walking up from
    /// the executable and from the current directory), `~/.local/share/captty/models`, and the
    /// system path `/usr/share/pocketsphinx/model/en-us`.
    public static func discover(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL? = executablePath().map { URL(fileURLWithPath: $0) },
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        home: URL = FileManager.default.homeDirectoryForCurrentUser,
        systemSphinxPaths: [URL] = [URL(fileURLWithPath: "/usr/share/pocketsphinx/model/en-us")]
    ) throws(LocalEngineError) -> LocalModels {
        let roots = searchRoots(environment: environment, executable: executable,
                                currentDirectory: currentDirectory, home: home)
        var sphinxCandidates: [URL] = []
        var moonCandidates: [URL] = []
        for r in roots {
            sphinxCandidates += [r, r.appendingPathComponent("pocketsphinx"),
                                 r.appendingPathComponent("pocketsphinx/en-us")]
            moonCandidates += [r, r.appendingPathComponent("moonshine")]
        }
        sphinxCandidates += systemSphinxPaths
        let sphinx = sphinxCandidates.lazy.map(SphinxModel.init).first { $0.isComplete }
        let moon = moonCandidates.lazy.map(MoonshineModelFiles.init).first { $0.isComplete }
        guard let sphinx else {
            throw .noModels(searched: roots.map(\.path) + systemSphinxPaths.map(\.path))
        }
        var models = LocalModels(sphinx: sphinx, moonshine: moon)
        models.modelDirProblem = modelDirProblem(environment: environment, currentDirectory: currentDirectory)
        return models
    }

    /// What is wrong with `$CAPTTY_MODEL_DIR` when it is set and gives no model: it does not
    /// exist, or holds neither engine's files (the search went on elsewhere, silently).
    public var modelDirProblem: String?

    static func modelDirProblem(environment: [String: String], currentDirectory: URL) -> String? {
        guard let env = environment["CAPTTY_MODEL_DIR"], !env.isEmpty else { return nil }
        let dir = URL(fileURLWithPath: env, relativeTo: currentDirectory).standardizedFileURL
        var st = stat()
        guard stat(dir.path, &st) == 0 else { return "CAPTTY_MODEL_DIR=\(env) does not exist" }
        guard st.st_mode & S_IFMT == S_IFDIR else { return "CAPTTY_MODEL_DIR=\(env) is not a directory" }
        let hasMoonshine = [dir, dir.appendingPathComponent("moonshine")].contains { MoonshineModelFiles(directory: $0).isComplete }
        return hasMoonshine ? nil : "CAPTTY_MODEL_DIR=\(env) holds no Moonshine model"
    }

    /// The directories searched, in order (without engine subdirectories).
    static func searchRoots(environment: [String: String], executable: URL?, currentDirectory: URL, home: URL) -> [URL] {
        var roots: [URL] = []
        if let env = environment["CAPTTY_MODEL_DIR"], !env.isEmpty {
            roots.append(URL(fileURLWithPath: env, relativeTo: currentDirectory).standardizedFileURL)
        }
        if let exe = executable?.resolvingSymlinksInPath() {
            let dir = exe.deletingLastPathComponent()
            roots.append(dir.appendingPathComponent("../share/captty").standardizedFileURL)
            roots += vendorDirs(walkingUpFrom: dir)
        }
        roots += vendorDirs(walkingUpFrom: currentDirectory)
        roots.append(home.appendingPathComponent(".local/share/captty/models"))
        return dedupeURLs(roots)
    }

    /// `<d>/vendor` for `d` and up to five of its parents (an executable in `.build/debug`
    /// finds the checkout's `vendor/`).
    private static func vendorDirs(walkingUpFrom start: URL) -> [URL] {
        var out: [URL] = []
        var d = start.standardizedFileURL
        for _ in 0..<6 {
            out.append(d.appendingPathComponent("vendor"))
            let parent = d.deletingLastPathComponent()
            if parent.path == d.path { break }
            d = parent
        }
        return out
    }

    private static func dedupeURLs(_ urls: [URL]) -> [URL] {
        var seen = Set<String>()
        return urls.filter { seen.insert($0.path).inserted }
    }
}
