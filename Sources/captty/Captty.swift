import ArgumentParser
import CapttyCore
import FoundationEssentials
import Glibc
import SystemSupport
import WebSocket

/// `captty`: live captions in a terminal.
@main
struct Captty: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "captty",
        abstract: "Live captions in your terminal, from a microphone, system audio or a file.",
        discussion: """
            With DEEPGRAM_API_KEY set, captions come from Deepgram's live API (with --url, from a \
            self-hosted Deepgram server, which needs no key); otherwise from the built-in offline engine. Keys toggle options while captioning; press ? for help.
            """,
        version: CapttyVersion.string,
        subcommands: [Live.self, Transcribe.self, Export.self, Devices.self, Serve.self],
        defaultSubcommand: Live.self
    )

    static func main() async {
        // Before any file is opened: a closed standard stream's number must not go to one.
        StandardStreams.holdClosedOnes()
        // Before any thread uses OpenSSL: without its atexit cleanup, which raced a closing
        // WebSocket thread at exit (a double free; see OpenSSLRuntime).
        OpenSSLRuntime.prepare()
        CapttyLogging.bootstrap()
        if let word = CommandLine.arguments.dropFirst().first, let near = misspeltSubcommand(word) {
            // A typo read as an argument of live captions: "Unexpected argument 'transcibe'"
            // under live's usage (found in QA).
            printError("captty: '\(word)' is not a command; did you mean '\(near)'? (captty --help lists them)")
            Glibc.exit(64)
        }
        if let word = CommandLine.arguments.dropFirst().first, let hint = fileGivenAsCommand(word) {
            // "Unexpected argument 'talk.wav'" did not say how to caption it (found in QA).
            printError("captty: \(hint)")
            Glibc.exit(64)
        }
        await main(nil)
    }

    /// What to say when the first argument is an audio file, not a command (`captty talk.wav`).
    static func fileGivenAsCommand(_ word: String) -> String? {
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !word.hasPrefix("-"), !names.contains(word) else { return nil }
        let audio = [".wav", ".raw", ".pcm", ".mp3", ".flac", ".ogg", ".m4a"].contains { word.lowercased().hasSuffix($0) }
        guard audio || FileManager.default.fileExists(atPath: word) else { return nil }
        let quoted = word.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'\(word.replacingAll("'", with: "'\\''"))'" : word
        return "'\(word)' is not a command: caption it as it plays with `captty --file \(quoted)`, "
            + "or get its transcript as fast as it goes with `captty transcribe \(quoted)`"
    }

    /// The subcommand `word` is a near miss of (one or two letters off), when it is not one.
    static func misspeltSubcommand(_ word: String) -> String? {
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        guard !word.hasPrefix("-"), !names.contains(word), word.count >= 3, !word.contains("/"), !word.contains(".") else { return nil }
        return names.first { CapttyConfig.editDistance(word.lowercased(), $0) <= ($0.count > 5 ? 2 : 1) }
    }
}

/// Writes a line to standard error (status and warnings never go to standard output).
/// Control characters are replaced: messages can quote a server (`dg-error`, close reasons).
@Sendable func printError(_ line: String) {
    let safe = TerminalSafeOutput.errorText(line)
    Files.writeAll(2, (safe.hasSuffix("\n") ? safe : safe + "\n").utf8)
}

/// Runs `body`, turning captty's own errors into a message on stderr and an exit status.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as CapttyError {
        printError("captty: \(e)")
        throw ExitCode(e.exitCode)
    } catch let e as ConfigError {
        printError("captty: \(e)")
        throw ExitCode(78)
    } catch let e as ValidationError {
        // Found once the config is read (flags that contradict the defaults or the config):
        // said like a usage error, without the top-level usage text.
        printError("captty: \(e.message)")
        throw ExitCode(64)
    }
}
