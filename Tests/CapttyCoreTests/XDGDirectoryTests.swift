import Foundation
import Testing
import Transcript
@testable import CapttyCore

/// Where the log, config and journals go, as the XDG Base Directory spec says: a relative
/// `XDG_*_HOME` is ignored, and an empty (or relative) `HOME` falls back to the password
/// database's home.
struct XDGDirectoryTests {
    static let passwdHome = String(cString: getpwuid(getuid())!.pointee.pw_dir)

    @Test func relativeXDGDirectoriesAreIgnored() {
        let env = ["HOME": "/home/ada", "XDG_STATE_HOME": "relstate", "XDG_CONFIG_HOME": "cfg", "XDG_DATA_HOME": "data"]
        // The log went to ./relstate/captty/captty.log, under whatever directory captty ran in.
        #expect(CapttyLogging.logPath(environment: env) == "/home/ada/.local/state/captty/captty.log")
        #expect(CapttyConfig.defaultPath(environment: env) == "/home/ada/.config/captty/config.toml")
        #expect(JournalLocation.sessionsDirectory(environment: env).path == "/home/ada/.local/share/captty/sessions")
        let absolute = ["HOME": "/home/ada", "XDG_STATE_HOME": "/var/x", "XDG_CONFIG_HOME": "/etc/y"]
        #expect(CapttyLogging.logPath(environment: absolute) == "/var/x/captty/captty.log")
        #expect(CapttyConfig.defaultPath(environment: absolute) == "/etc/y/captty/config.toml")
    }

    @Test func anEmptyHomeIsThePasswordDatabasesHome() {
        for home in ["", "relative/home"] {
            let env = ["HOME": home]
            // It created /.local/state/captty/captty.log at the root of the file system.
            #expect(CapttyLogging.logPath(environment: env) == Self.passwdHome + "/.local/state/captty/captty.log", "HOME=\(home)")
            #expect(CapttyConfig.defaultPath(environment: env) == Self.passwdHome + "/.config/captty/config.toml")
            #expect(JournalLocation.sessionsDirectory(environment: env).path == Self.passwdHome + "/.local/share/captty/sessions")
        }
    }
}

/// Plain mode's messages on a terminal whose locale is not UTF-8 use ASCII look-alikes ("…",
/// "—" showed as mojibake with LANG=C); the locale is read as the C library does.
struct PlainLocaleTests {
    @Test func theLocaleIsReadLikeTheCLibrary() {
        #expect(TerminalSafeOutput.localeIsUTF8(["LANG": "en_US.UTF-8"]))
        #expect(TerminalSafeOutput.localeIsUTF8(["LANG": "C.utf8"]))
        #expect(!TerminalSafeOutput.localeIsUTF8(["LANG": "C"]))
        #expect(!TerminalSafeOutput.localeIsUTF8([:]), "no locale is the C locale")
        #expect(!TerminalSafeOutput.localeIsUTF8(["LANG": "en_US.UTF-8", "LC_ALL": "C"]), "LC_ALL comes first")
        #expect(TerminalSafeOutput.localeIsUTF8(["LANG": "C", "LC_CTYPE": "de_DE.UTF-8"]))
        #expect(TerminalSafeOutput.localeIsUTF8(["LC_ALL": "", "LANG": "en_GB.UTF-8"]), "an empty LC_ALL is unset")
    }
}

/// The log is set aside when a session starts with it past its size (it grew by every
/// session, forever).
struct LogRotationTests {
    @Test func aLogPastItsSizeBecomesDotOneAndANewOneStarts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-logrot-\(getpid())-\(UInt32.random(in: 0 ... .max))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/captty.log"
        do { let s = LogSink(path: path, rotateBytes: 100); s.write(String(repeating: "a", count: 80)) }
        do { let s = LogSink(path: path, rotateBytes: 100); s.write("second session") }
        // 80 + 1 bytes + 15: still under the limit, so nothing was set aside yet.
        #expect(!FileManager.default.fileExists(atPath: path + ".1"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("second session\n"))
        do { let s = LogSink(path: path, rotateBytes: 50); s.write("third session") }
        let old = try String(contentsOfFile: path + ".1", encoding: .utf8)
        #expect(old.hasPrefix("aaaa") && old.hasSuffix("second session\n"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "third session\n")
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
    }
}
