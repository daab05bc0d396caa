import Foundation
import Testing
@testable import Deepgram

/// Credentials: header forms, redaction, loading from the environment and from files.
@Suite struct LiveClientCredentialTests {
    let key = "dg_secret_0123456789abcdef"

    @Test func headersUseTokenForKeysAndBearerForTokens() {
        #expect(Credential.apiKey(key).authorizationHeader == "Token \(key)")
        #expect(Credential.bearer("jwt.x.y").authorizationHeader == "Bearer jwt.x.y")
    }

    @Test func noTextFormShowsTheSecret() {
        let c = Credential.apiKey(key)
        var dumped = ""
        dump(c, to: &dumped)
        for text in ["\(c)", String(describing: c), String(reflecting: c), dumped, "\([c])"] {
            #expect(!text.contains(key), "leaked in: \(text)")
        }
        #expect(c.redact("bad key \(key)!") == "bad key [redacted]!")
    }

    @Test func environmentKeyIsTrimmedAndAMissingOneSaysWhatToSet() throws {
        #expect(try Credential.fromEnvironment(["DEEPGRAM_API_KEY": "  \(key)\n"]) == .apiKey(key))
        #expect(throws: CredentialError.missingEnvironment("DEEPGRAM_API_KEY")) { try Credential.fromEnvironment([:]) }
        #expect(throws: CredentialError.empty(source: "$DEEPGRAM_API_KEY")) { try Credential.fromEnvironment(["DEEPGRAM_API_KEY": " "]) }
        #expect(CredentialError.missingEnvironment("DEEPGRAM_API_KEY").description.contains("set DEEPGRAM_API_KEY"))
    }

    /// A variable set from an env file keeps what the file held: `docker --env-file` keeps the
    /// quotes, a copied line its name. Sent as it was, the key came back as HTTP 401; a key file
    /// was unwrapped, the variable was not.
    @Test func anEnvironmentValueHoldingQuotesOrItsOwnNameIsUnwrapped() throws {
        for raw in ["\"\(key)\"", "'\(key)'", "DEEPGRAM_API_KEY=\(key)", "export DEEPGRAM_API_KEY=\"\(key)\"", " \"\(key)\"\n"] {
            #expect(try Credential.fromEnvironment(["DEEPGRAM_API_KEY": raw]) == .apiKey(key), "\(raw)")
        }
        #expect(try Credential.fromEnvironment(["DEEPGRAM_ACCESS_TOKEN": "\"t0k\""]) == .bearer("t0k"))
        #expect(throws: CredentialError.empty(source: "$DEEPGRAM_API_KEY")) { try Credential.fromEnvironment(["DEEPGRAM_API_KEY": "\"\""]) }
        // Only a whole quoted value: a quote inside is left as it is.
        #expect(try Credential.fromEnvironment(["DEEPGRAM_API_KEY": "ab\"c"]) == .apiKey("ab\"c"))
    }

    /// A short-lived token (a JWT from Deepgram's token endpoint) is sent as `Bearer`, from
    /// `DEEPGRAM_ACCESS_TOKEN` (first, as the official SDKs read it), from `DEEPGRAM_API_KEY` or
    /// from a key file: sent as `Token` it got HTTP 401.
    @Test func aTokenIsSentAsBearerWhereverItComesFrom() throws {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLV9f"
        #expect(Credential.looksLikeToken(jwt))
        #expect(!Credential.looksLikeToken(key) && !Credential.looksLikeToken("0123456789abcdef0123456789abcdef01234567"))
        #expect(!Credential.looksLikeToken("eyJ.a") && !Credential.looksLikeToken("eyJa..b") && !Credential.looksLikeToken("eyJa.b c.d"))
        #expect(try Credential.fromEnvironment(["DEEPGRAM_API_KEY": jwt]) == .bearer(jwt))
        #expect(try Credential.fromEnvironment(["DEEPGRAM_ACCESS_TOKEN": " t0k \n", "DEEPGRAM_API_KEY": key]) == .bearer("t0k"))
        #expect(try Credential.fromEnvironment(["DEEPGRAM_ACCESS_TOKEN": " ", "DEEPGRAM_API_KEY": key]) == .apiKey(key), "a blank token is unset")
        #expect(try Credential.fromEnvironment(["DEEPGRAM_ACCESS_TOKEN": jwt]) == .bearer(jwt))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("token").path
        try "\(jwt)\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        #expect(try Credential.fromFile(file) == .bearer(jwt))
    }

    @Test func keyFileMustBePrivateAndIsTrimmed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-cred-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("key").path
        try "\(key)\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        do {
            _ = try Credential.fromFile(file)
            Issue.record("a world-readable key file was accepted")
        } catch {
            #expect(error == .fileTooOpen(path: file, mode: 0o644))
            #expect(error.description.contains("chmod 600"))
            #expect(!error.description.contains(key))
        }
        chmod(file, 0o600)
        #expect(try Credential.fromFile(file) == .apiKey(key))
        #expect(try Credential.fromFile(file, bearer: true) == .bearer(key))
        #expect(throws: CredentialError.self) { try Credential.fromFile(dir.appendingPathComponent("none").path) }
        // An env file's line is read for its value (the whole line went out, and got a 401).
        for line in ["DEEPGRAM_API_KEY=\(key)", "export DEEPGRAM_API_KEY=\"\(key)\"", "DEEPGRAM_API_KEY='\(key)'"] {
            try "\(line)\n".write(toFile: file, atomically: true, encoding: .utf8)
            chmod(file, 0o600)
            #expect(try Credential.fromFile(file) == .apiKey(key), "\(line)")
        }
        // A file far bigger than any key is the wrong file, said before it is read and sent as
        // a header (a 50 MB one came back as HTTP 431 after taking 400 MB).
        let big = dir.appendingPathComponent("big").path
        try String(repeating: "k", count: 1 << 20).write(toFile: big, atomically: true, encoding: .utf8)
        chmod(big, 0o600)
        do {
            _ = try Credential.fromFile(big)
            Issue.record("a 1 MiB key file was accepted")
        } catch {
            #expect(error.description.contains("holds the API key alone"), "\(error)")
            #expect(!error.description.contains("kkkk"))
        }
    }
}
