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
        await main(nil)
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
