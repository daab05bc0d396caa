import Foundation
import LocalSpeech
import Testing

/// Models are found with no flags, in a documented order, or a clear error says what to run.
struct ModelDiscoveryTests {
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("captty-models-\(UUID())")

    func makeSphinx(_ dir: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("en-us"), withIntermediateDirectories: true)
        for f in ["en-us/mdef", "en-us.lm.bin", "cmudict-en-us.dict"] { _ = fm.createFile(atPath: dir.appendingPathComponent(f).path, contents: Data()) }
    }

    func makeMoonshine(_ dir: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("models/base-en"), withIntermediateDirectories: true)
        for f in ["libmoonshine.so", "libonnxruntime.so.1", "models/base-en/encoder_model.ort",
                  "models/base-en/decoder_model_merged.ort", "models/base-en/tokenizer.bin"] {
            _ = fm.createFile(atPath: dir.appendingPathComponent(f).path, contents: Data())
        }
    }

    @Test func theEnvironmentDirectoryWinsOverVendorAndSystem() throws {
        defer { try? FileManager.default.removeItem(at: tmp) }
        let env = tmp.appendingPathComponent("env"), project = tmp.appendingPathComponent("project")
        try makeSphinx(env.appendingPathComponent("pocketsphinx"))
        try makeMoonshine(env.appendingPathComponent("moonshine"))
        try makeMoonshine(project.appendingPathComponent("vendor/moonshine"))
        let m = try LocalModels.discover(environment: ["CAPTTY_MODEL_DIR": env.path], executable: nil,
                                         currentDirectory: project, home: tmp, systemSphinxPaths: [])
        #expect(m.sphinx.directory.path == env.appendingPathComponent("pocketsphinx").path)
        #expect(m.moonshine?.directory.path == env.appendingPathComponent("moonshine").path)
    }

    @Test func vendorIsFoundFromTheExecutableAndTheSystemModelServesPocketSphinx() throws {
        defer { try? FileManager.default.removeItem(at: tmp) }
        let project = tmp.appendingPathComponent("checkout"), system = tmp.appendingPathComponent("usr-share")
        try makeMoonshine(project.appendingPathComponent("vendor/moonshine"))
        try makeSphinx(system)
        let exe = project.appendingPathComponent(".build/debug/captty")
        let m = try LocalModels.discover(environment: [:], executable: exe, currentDirectory: tmp.appendingPathComponent("elsewhere"),
                                         home: tmp, systemSphinxPaths: [system])
        #expect(m.moonshine?.directory.path == project.appendingPathComponent("vendor/moonshine").path)
        #expect(m.sphinx.directory.path == system.path)
        #expect(LocalEngineConfiguration(models: m).mode == .hybrid)
    }

    @Test func withoutMoonshineTheEngineFallsBackAndSaysSo() throws {
        defer { try? FileManager.default.removeItem(at: tmp) }
        try makeSphinx(tmp.appendingPathComponent("sys"))
        let m = try LocalModels.discover(environment: [:], executable: nil, currentDirectory: tmp.appendingPathComponent("x"),
                                         home: tmp, systemSphinxPaths: [tmp.appendingPathComponent("sys")])
        #expect(m.moonshine == nil)
        let r = LocalRecognizer(configuration: LocalEngineConfiguration(models: m, mode: .hybrid))
        #expect(r.configuration.mode == .sphinxOnly)
        #expect(r.name == "local-sphinx")
        #expect(r.notice?.contains("scripts/install-local-engine") == true)
    }

    /// A CAPTTY_MODEL_DIR that points nowhere (a typo) is named in the notice: the engine fell
    /// back to PocketSphinx only, or to models found elsewhere, and said nothing on the terminal.
    @Test func aWrongModelDirectoryIsNamed() throws {
        defer { try? FileManager.default.removeItem(at: tmp) }
        try makeSphinx(tmp.appendingPathComponent("sys"))
        let missing = tmp.appendingPathComponent("typo").path
        let m = try LocalModels.discover(environment: ["CAPTTY_MODEL_DIR": missing], executable: nil,
                                         currentDirectory: tmp.appendingPathComponent("x"), home: tmp,
                                         systemSphinxPaths: [tmp.appendingPathComponent("sys")])
        #expect(m.modelDirProblem == "CAPTTY_MODEL_DIR=\(missing) does not exist")
        let notice = LocalRecognizer(configuration: LocalEngineConfiguration(models: m)).notice ?? ""
        #expect(notice.contains("Moonshine is not installed (CAPTTY_MODEL_DIR=\(missing) does not exist)"), "\(notice)")
        // Moonshine found elsewhere: still said, as a warning about the variable.
        try makeMoonshine(tmp.appendingPathComponent("x/vendor/moonshine"))
        let found = try LocalModels.discover(environment: ["CAPTTY_MODEL_DIR": missing], executable: nil,
                                             currentDirectory: tmp.appendingPathComponent("x"), home: tmp,
                                             systemSphinxPaths: [tmp.appendingPathComponent("sys")])
        #expect(LocalRecognizer(configuration: LocalEngineConfiguration(models: found)).notice
                == "offline engine: CAPTTY_MODEL_DIR=\(missing) does not exist; using the models found elsewhere")
        // Set right (or not at all): nothing to say.
        let fine = try LocalModels.discover(environment: [:], executable: nil, currentDirectory: tmp.appendingPathComponent("x"),
                                            home: tmp, systemSphinxPaths: [tmp.appendingPathComponent("sys")])
        #expect(fine.modelDirProblem == nil && LocalRecognizer(configuration: LocalEngineConfiguration(models: fine)).notice == nil)
    }

    @Test func withNothingInstalledTheErrorSaysToRunSetup() throws {
        defer { try? FileManager.default.removeItem(at: tmp) }
        #expect {
            try LocalModels.discover(environment: [:], executable: nil, currentDirectory: tmp, home: tmp, systemSphinxPaths: [])
        } throws: { e in
            let text = "\(e)"
            return text.contains("scripts/setup") && text.contains(tmp.path) && text.contains("CAPTTY_MODEL_DIR")
        }
    }
}
