import Foundation
import Testing
import TestSupport

/// Issue #8: captty does not link PulseAudio or PocketSphinx (it loads them with dlopen when a
/// session needs them), so a cloud session on a file maps neither them nor their ~25 dependencies.
@Suite struct OptionalLibrariesLoadOnDemandTests {
    /// The shared objects the binary names as NEEDED (readelf -d).
    static func needed() throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
        p.arguments = ["-d", TestPaths.capttyBinary.path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .filter { $0.contains("(NEEDED)") }
            .compactMap { line in line.firstIndex(of: "[").map { String(line[line.index(after: $0)...].dropLast()) } }
    }

    @Test func binaryDoesNotLinkPulseAudioOrPocketSphinx() throws {
        let libs = try Self.needed()
        #expect(libs.contains { $0.hasPrefix("libc.so") }, "readelf found no NEEDED entries: \(libs)")
        let linked = libs.filter { $0.contains("pulse") || $0.contains("sphinx") }
        #expect(linked.isEmpty, """
            captty links \(linked); they must be loaded on demand (PulseLibrary, SphinxLibrary). \
            After changing a module map an incremental build can keep stale autolink entries: \
            rm -rf .build/*/debug/{captty,CapttyCore,LocalSpeech,Audio}.build and rebuild
            """)
    }

    /// Full Foundation and ICU cost about 6 MB of resident memory (issue #8's RSS target); every
    /// module imports FoundationEssentials, and SystemSupport holds what only Foundation had.
    @Test func binaryDoesNotLinkFullFoundationOrICU() throws {
        let libs = try Self.needed()
        #expect(libs.contains { $0.hasPrefix("libFoundationEssentials") }, "readelf found \(libs)")
        let full = libs.filter { $0.hasPrefix("libFoundation.") || $0.hasPrefix("libFoundationInternationalization") || $0.contains("ICU") }
        #expect(full.isEmpty, """
            captty links \(full): some file imports Foundation instead of FoundationEssentials \
            (grep -rn '^import Foundation$' Sources). A stale incremental build can keep old \
            autolink entries: touch the Swift files of the module and rebuild.
            """)
    }
}
