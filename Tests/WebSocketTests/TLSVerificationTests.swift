import Foundation
import Testing
@testable import WebSocket

/// wss against a local TLS server with a certificate from a throwaway CA: rejected under the
/// system trust store, accepted with the CA file, rejected for the wrong name; messages say why.
@Suite(.timeLimit(.minutes(3))) struct TLSVerificationTests {
    /// A throwaway CA and a TLS echo server presenting its certificate for localhost; the
    /// caller stops the server and removes the certificates.
    static func localhostTLSServer() async throws -> (TestCertificates, PeerProcess, Int) {
        let certs = try TestCertificates.make()
        do {
            let (server, port) = try await Peers.echoServer(["--tls", certs.localhostCert, certs.localhostKey])
            return (certs, server, port)
        } catch {
            certs.remove()
            throw error
        }
    }

    /// wss to the server on localhost, trusting the throwaway CA.
    static func connectTrusting(_ certs: TestCertificates, port: Int) async throws -> WebSocket {
        try await WebSocket.connect(to: Peers.url(port, host: "localhost", scheme: "wss"),
                                    configuration: Peers.config { $0.caFile = certs.caFile })
    }

    /// A TLS server that completes its handshake and then never answers the upgrade has
    /// answered (its handshake): the timeout must not say nothing came back, or a client would
    /// give it up as a wrong address.
    @Test("a TLS server silent after its handshake is not a server that sent nothing")
    func silentAfterTheHandshake() async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let (server, port) = try await Peers.echoServer(["--tls", certs.localhostCert, certs.localhostKey, "--hang-upgrade"])
        defer { server.stop() }
        do {
            _ = try await WebSocket.connect(to: Peers.url(port, host: "localhost", scheme: "wss"),
                                            configuration: Peers.config { $0.caFile = certs.caFile; $0.connectTimeout = .seconds(2) })
            Issue.record("connected")
        } catch let e as WebSocketError {
            guard case .timeout(let what) = e else { Issue.record("\(e)"); return }
            #expect(what.contains("upgrade response") && !e.isUnanswered && !what.contains(WebSocketError.sentNothing), "\(what)")
        }
    }

    /// A server that asks for a client certificate (mutual TLS) and refuses the connection
    /// without one was "closed during the TLS handshake" (TLS 1.2) or "nothing answered at this
    /// address" (TLS 1.3, where the refusal comes after the client's handshake), and retried
    /// (found in QA). It is a TLS failure that says so, over either version.
    @Test("a server that requires a client certificate is named as such", arguments: [nil, "1.2"])
    func clientCertificateRequired(tlsMax: String?) async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        var args = ["--tls", certs.localhostCert, certs.localhostKey, "--require-client-cert", certs.caFile]
        if let tlsMax { args += ["--tls-max", tlsMax] }
        let (server, port) = try await Peers.echoServer(args)
        defer { server.stop() }
        try await withTimeout(60) {
            do {
                _ = try await Self.connectTrusting(certs, port: port)
                Issue.record("connected without a client certificate")
            } catch let e as WebSocketError {
                guard case .tls(let why) = e else { Issue.record("TLS \(tlsMax ?? "1.3"): \(e)"); return }
                #expect(why.contains("asked for a client certificate (mutual TLS)"), "\(why)")
            }
        }
    }

    /// A server that takes only TLS 1.0/1.1 closes at captty's hello: the message names old TLS
    /// versions as a cause, not only a plain (non-TLS) port.
    @Test("a server with only TLS versions older than 1.2 is said to maybe be one")
    func oldTLSVersionsOnly() async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let (server, port) = try await Peers.echoServer(["--tls", certs.localhostCert, certs.localhostKey, "--tls-max", "1.1"])
        defer { server.stop() }
        try await withTimeout(60) {
            do {
                _ = try await Self.connectTrusting(certs, port: port)
                Issue.record("connected over TLS 1.1")
            } catch let e as WebSocketError {
                #expect("\(e)".contains("older than 1.2"), "\(e)")
            }
        }
    }

    @Test("the system trust store rejects a private CA, and the error says to pass --ca-file")
    func untrustedCA() async throws {
        let (certs, server, port) = try await Self.localhostTLSServer()
        defer { server.stop(); certs.remove() }
        try await withTimeout(60) {
            do {
                _ = try await WebSocket.connect(to: Peers.url(port, host: "localhost", scheme: "wss"), configuration: Peers.config())
                Issue.record("connected without trusting the CA")
            } catch WebSocketError.tls(let why) {
                #expect(why.contains("certificate verify failed"), "\(why)")
                #expect(why.contains("--ca-file"), "\(why)")
            }
        }
    }

    @Test("with the CA file the connection verifies and echoes")
    func caFileAccepted() async throws {
        let (certs, server, port) = try await Self.localhostTLSServer()
        defer { server.stop(); certs.remove() }
        try await withTimeout(60) {
            let ws = try await Self.connectTrusting(certs, port: port)
            let big = (0..<300_000).map { UInt8($0 % 251) }
            #expect(try await ws.echo(.binary(big)) == .binary(big))
            #expect(try await ws.echo(.text("over TLS")) == .text("over TLS"))
            await ws.close()
            #expect(await ws.closeCode == 1000)
        }
    }

    @Test("a TLS peer that drops the connection while we write ends the stream with 1006 (no SIGPIPE)")
    func abortWhileWriting() async throws {
        let (certs, server, port) = try await Self.localhostTLSServer()
        defer { server.stop(); certs.remove() }
        try await withTimeout(60) {
            let ws = try await Self.connectTrusting(certs, port: port)
            try await ws.send(text: "cmd:abort")
            let chunk = [UInt8](repeating: 1, count: 256 * 1024)
            var sendFailed = false
            for _ in 0..<400 {
                do { try await ws.send(binary: chunk) } catch { sendFailed = true; break }
            }
            let (_, error) = await drain(ws)
            guard case WebSocketError.closed(let code, _)? = error else { Issue.record("ended with \(String(describing: error))"); return }
            #expect(code == 1006)
            #expect(sendFailed || ws.isClosed)
        }
    }

    @Test("a certificate for another name is a hostname mismatch, by IP and by name")
    func hostnameMismatch() async throws {
        let (certs, server, port) = try await Self.localhostTLSServer()
        defer { server.stop(); certs.remove() }
        let (other, otherPort) = try await Peers.echoServer(["--tls", certs.otherCert, certs.otherKey])
        defer { other.stop() }
        try await withTimeout(60) {
            for url in [Peers.url(port, host: "127.0.0.1", scheme: "wss"), Peers.url(otherPort, host: "localhost", scheme: "wss")] {
                do {
                    _ = try await WebSocket.connect(to: url, configuration: Peers.config { $0.caFile = certs.caFile })
                    Issue.record("connected to \(url) despite the wrong name")
                } catch WebSocketError.tls(let why) {
                    #expect(why.contains("hostname mismatch"), "\(why)")
                    #expect(why.contains("names: localhost") || why.contains("names: other.example"), "the message should list the certificate's names: \(why)")
                }
            }
        }
    }

    @Test("an expired certificate is refused even with its CA trusted, and the error says to renew it (not to pass a CA)")
    func expiredCertificate() async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        let (server, port) = try await Peers.echoServer(["--tls", certs.expiredCert, certs.expiredKey])
        defer { server.stop() }
        try await withTimeout(60) {
            do {
                _ = try await Self.connectTrusting(certs, port: port)
                Issue.record("connected despite an expired certificate")
            } catch WebSocketError.tls(let why) {
                #expect(why.contains("expired") && why.contains("renewed"), "\(why)")
                #expect(!why.contains("--ca-file"), "\(why)")
            }
        }
    }

    @Test("a missing or invalid CA file is reported before connecting")
    func badCAFile() async throws {
        let certs = try TestCertificates.make()
        defer { certs.remove() }
        for (path, expected) in [("/nonexistent/ca.pem", "cannot read CA file"), (certs.localhostKey, "cannot load CA file")] {
            do {
                _ = try await WebSocket.connect(to: URL(string: "wss://localhost:1/")!, configuration: Peers.config { $0.caFile = path })
                Issue.record("connected")
            } catch WebSocketError.tls(let why) {
                #expect(why.contains(expected), "\(why)")
            }
        }
    }

    /// The plain server closes on the ClientHello: that reads as a peer closing during the TLS
    /// handshake (which clients retry, as a restarting server looks the same), and the message
    /// says what to check.
    @Test("a plain server on a wss URL fails at once, saying to try ws://, not a hang")
    func plainServerOnWSS() async throws {
        let (server, port) = try await Peers.echoServer()
        defer { server.stop() }
        try await withTimeout(60) {
            do {
                _ = try await WebSocket.connect(to: Peers.url(port, scheme: "wss"), configuration: Peers.config { $0.connectTimeout = .seconds(5) })
                Issue.record("connected")
            } catch WebSocketError.closedDuringHandshake(let why) {
                #expect(why.contains("closed during the TLS handshake") && why.contains("try ws://"), "\(why)")
            }
        }
    }
}
