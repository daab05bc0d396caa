import Foundation
import Testing
import TestSupport
import CapttyCore

/// Certificate and host-name verification of wss:// cannot be turned off: no flag, config key or
/// environment variable does it, and the TLS code never asks OpenSSL not to verify. The only knob
/// is `--ca-file`, which adds a CA to trust (for self-hosted servers) and keeps verification on.
/// The behaviour (untrusted CA, wrong host name, plain server on wss) is tested in
/// WebSocketTests/TLSVerificationTests against a real TLS peer.
struct TLSCannotBeDisabledTests {
    static let suspicious = ["insecure", "no-verify", "noverify", "skip-verify", "verify", "tls", "ssl", "cert", "trust", "unsafe", "allow-self"]

    @Test func noFlagOfAnyCommandTurnsVerificationOff() throws {
        for sub in [[], ["live"], ["transcribe"], ["export"], ["devices"], ["serve"]] {
            let help = try runCaptty(sub + ["--help"])
            #expect(help.status == 0)
            let flags = help.stdout.split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "=" })
                .filter { $0.hasPrefix("-") }.map { $0.lowercased() }
            for f in flags where f != "--ca-file" {
                #expect(!Self.suspicious.contains { f.contains($0) }, "\(sub): \(f)")
            }
        }
        let r = try runCaptty(["--insecure"])
        #expect(r.status == 64 && r.stderr.contains("Unknown option"))
    }

    @Test func noConfigKeyTurnsVerificationOff() {
        for key in ["insecure", "tls_verify", "verify_tls", "ssl_verify", "skip_tls_verify", "ca_file", "tls", "verify"] {
            for text in ["\(key) = false", "\(key) = true", "[deepgram]\n\(key) = false", "[tls]\nverify = false"] {
                #expect(throws: ConfigError.self, "\(text)") { try CapttyConfig.parse(text) }
            }
        }
    }

    /// Every environment variable the sources read, by name: none is about TLS. (OpenSSL itself
    /// reads SSL_CERT_FILE/SSL_CERT_DIR for the system trust store; they add trust, like --ca-file,
    /// and cannot switch verification off.)
    @Test func noEnvironmentVariableTurnsVerificationOff() throws {
        let sources = TestPaths.packageRoot.appendingPathComponent("Sources")
        var names = Set<String>()
        let e = FileManager.default.enumerator(atPath: sources.path)
        while let f = e?.nextObject() as? String {
            guard f.hasSuffix(".swift") || f.hasSuffix(".h") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(f), encoding: .utf8)
            for pattern in [#"environment\["([A-Z_]+)"\]"#, #"getenv\("([A-Z_]+)"\)"#] {
                let re = try NSRegularExpression(pattern: pattern)
                for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    names.insert((text as NSString).substring(with: m.range(at: 1)))
                }
            }
        }
        #expect(names.contains("DEEPGRAM_API_KEY"), "the scan finds what is read: \(names)")
        for n in names {
            #expect(!["TLS", "SSL", "VERIFY", "INSECURE", "CERT", "CA_"].contains { n.contains($0) }, "\(n)")
        }
    }

    @Test func theTLSClientAlwaysVerifiesPeerAndHostName() throws {
        let tls = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Sources/WebSocket/TLS.swift"), encoding: .utf8)
        #expect(tls.contains("SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER"))
        #expect(tls.contains("SSL_set1_host") && tls.contains("X509_VERIFY_PARAM_set1_ip_asc"))
        let all = try FileManager.default.subpathsOfDirectory(atPath: TestPaths.packageRoot.appendingPathComponent("Sources").path)
            .filter { $0.hasSuffix(".swift") || $0.hasSuffix(".h") }
        for f in all {
            let text = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("Sources/\(f)"), encoding: .utf8)
            #expect(!text.contains("SSL_VERIFY_NONE"), "\(f)")
            #expect(!text.contains("set_verify_callback"), "\(f): a callback could override failures")
        }
    }
}
