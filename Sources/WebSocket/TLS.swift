#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenSSL

/// Certificate and key of a `wss` server (PEM files).
public struct TLSServerConfiguration: Sendable {
    /// PEM file with the server certificate, followed by any intermediates.
    public var certificateChainFile: String
    /// PEM file with the private key.
    public var privateKeyFile: String

    public init(certificateChainFile: String, privateKeyFile: String) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }
}

/// An OpenSSL `SSL_CTX` (client: system trust store + optional CA file; server: cert + key), TLS ≥ 1.2.
final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    let caFile: String?

    private init(ctx: OpaquePointer, caFile: String?) {
        self.ctx = ctx
        self.caFile = caFile
    }

    deinit { SSL_CTX_free(ctx) }

    static func client(caFile: String?) throws(WebSocketError) -> TLSContext {
        OpenSSLRuntime.prepare()
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw .tls("cannot create a TLS context: \(TLS.errorQueueString())") }
        let c = TLSContext(ctx: ctx, caFile: caFile)
        guard captty_SSL_CTX_set_min_proto_version(ctx, captty_TLS1_2_VERSION()) == 1 else {
            throw .tls("cannot require TLS 1.2 or later: \(TLS.errorQueueString())")
        }
        _ = captty_SSL_CTX_set_mode(ctx, captty_SSL_MODE_ENABLE_PARTIAL_WRITE() | captty_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER())
        captty_SSL_CTX_note_client_cert_requests(ctx)
        if SSL_CTX_set_default_verify_paths(ctx) != 1 {
            throw .tls("cannot load the system trust store: \(TLS.errorQueueString())")
        }
        if let caFile {
            guard access(caFile, R_OK) == 0 else {
                throw .tls("cannot read CA file '\(caFile)': \(TCPSocket.errnoString())")
            }
            guard SSL_CTX_load_verify_locations(ctx, caFile, nil) == 1 else {
                throw .tls("cannot load CA file '\(caFile)' (expected PEM certificates): \(TLS.errorQueueString())")
            }
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
        return c
    }

    static func server(_ config: TLSServerConfiguration) throws(WebSocketError) -> TLSContext {
        OpenSSLRuntime.prepare()
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else { throw .tls("cannot create a TLS context: \(TLS.errorQueueString())") }
        let c = TLSContext(ctx: ctx, caFile: nil)
        guard captty_SSL_CTX_set_min_proto_version(ctx, captty_TLS1_2_VERSION()) == 1 else {
            throw .tls("cannot require TLS 1.2 or later: \(TLS.errorQueueString())")
        }
        _ = captty_SSL_CTX_set_mode(ctx, captty_SSL_MODE_ENABLE_PARTIAL_WRITE() | captty_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER())
        guard SSL_CTX_use_certificate_chain_file(ctx, config.certificateChainFile) == 1 else {
            throw .tls("cannot load certificate chain '\(config.certificateChainFile)': \(TLS.errorQueueString())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, config.privateKeyFile, SSL_FILETYPE_PEM) == 1 else {
            throw .tls("cannot load private key '\(config.privateKeyFile)': \(TLS.errorQueueString())")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw .tls("private key '\(config.privateKeyFile)' does not match the certificate: \(TLS.errorQueueString())")
        }
        return c
    }
}

/// TLS handshakes over a connected non-blocking socket, with errors that say why.
enum TLS {
    /// The OpenSSL error queue of this thread as text (and clears it).
    static func errorQueueString() -> String {
        var parts: [String] = []
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            var buf = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(e, &buf, buf.count)
            let s = String(cBuffer: buf)
            // "error:0A000086:SSL routines::certificate verify failed" → keep the reason part.
            let reason = s.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? s
            parts.append(reason.isEmpty ? s : reason)
        }
        return parts.isEmpty ? "unknown error" : parts.joined(separator: "; ")
    }

    /// Client handshake: SNI (names only), hostname/IP verification, deadline. Returns the `SSL*`.
    static func connect(fd: Int32, context: TLSContext, host: String, port: Int, deadline: Int64, cancel: CancelFlag?) throws(WebSocketError) -> OpaquePointer {
        ERR_clear_error()
        guard let ssl = SSL_new(context.ctx) else { throw .tls("cannot create a TLS session: \(errorQueueString())") }
        var ok = false
        defer { if !ok { SSL_free(ssl) } }
        SSL_set_fd(ssl, fd)
        if TCPSocket.isIPLiteral(host) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw .tls("cannot set the IP address to verify: \(errorQueueString())")
            }
        } else {
            _ = captty_SSL_set_tlsext_host_name(ssl, host)
            guard SSL_set1_host(ssl, host) == 1 else { throw .tls("cannot set the host name to verify: \(errorQueueString())") }
        }
        var heardBack = false
        while true {
            ERR_clear_error()
            let r = SSL_connect(ssl)
            if r == 1 { break }
            let e = SSL_get_error(ssl, r)
            switch e {
            case SSL_ERROR_WANT_READ:
                do throws(WebSocketError) {
                    try TCPSocket.wait(fd, events: Int16(POLLIN), deadline: deadline, cancel: cancel, what: "TLS handshake with \(HostPort.text(host, port))")
                } catch {
                    throw heardBack ? error : error.sayingNothingCameBack()
                }
                heardBack = true
            case SSL_ERROR_WANT_WRITE:
                try TCPSocket.wait(fd, events: Int16(POLLOUT), deadline: deadline, cancel: cancel, what: "TLS handshake with \(HostPort.text(host, port))")
            default:
                throw failure(ssl: ssl, code: e, host: host, port: port, caFile: context.caFile)
            }
        }
        ok = true
        return ssl
    }

    /// Server handshake with a deadline. Returns the `SSL*`.
    static func accept(fd: Int32, context: TLSContext, deadline: Int64, cancel: CancelFlag? = nil) throws(WebSocketError) -> OpaquePointer {
        ERR_clear_error()
        guard let ssl = SSL_new(context.ctx) else { throw .tls("cannot create a TLS session: \(errorQueueString())") }
        var ok = false
        defer { if !ok { SSL_free(ssl) } }
        SSL_set_fd(ssl, fd)
        while true {
            ERR_clear_error()
            let r = SSL_accept(ssl)
            if r == 1 { break }
            let e = SSL_get_error(ssl, r)
            switch e {
            case SSL_ERROR_WANT_READ: try TCPSocket.wait(fd, events: Int16(POLLIN), deadline: deadline, cancel: cancel, what: "TLS handshake with a client")
            case SSL_ERROR_WANT_WRITE: try TCPSocket.wait(fd, events: Int16(POLLOUT), deadline: deadline, cancel: cancel, what: "TLS handshake with a client")
            case SSL_ERROR_SYSCALL: throw .tls("client closed the connection during the TLS handshake")
            default: throw .tls("TLS handshake with a client failed: \(errorQueueString())")
            }
        }
        ok = true
        return ssl
    }

    /// Explains a failed client handshake: which verification failed and what to do.
    private static func failure(ssl: OpaquePointer, code: Int32, host: String, port: Int, caFile: String?) -> WebSocketError {
        let peerClosed = code == SSL_ERROR_SYSCALL || captty_ERR_is_unexpected_eof(ERR_peek_error()) != 0
        let queue = errorQueueString()
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            let why = String(cString: X509_verify_cert_error_string(verify))
            let subject = peerSubject(ssl).map { " (server certificate \($0))" } ?? ""
            switch Int32(verify) {
            case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
                return .tls("hostname mismatch: the certificate of \(HostPort.text(host, port)) is not valid for '\(host)'\(subject); connect using a name the certificate lists")
            case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
                 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
                let hint = caFile == nil
                    ? "pass --ca-file <PEM> with the CA that signed the server certificate (self-hosted server)"
                    : "the CA file '\(caFile!)' does not contain the CA that signed it"
                return .tls("certificate verify failed: \(why)\(subject); \(hint)")
            case X509_V_ERR_CERT_HAS_EXPIRED, X509_V_ERR_CERT_NOT_YET_VALID:
                return .tls("certificate verify failed: \(why)\(subject); the server's certificate must be renewed, or this machine's clock is wrong")
            default:
                return .tls("certificate verify failed: \(why)\(subject)")
            }
        }
        if captty_SSL_client_cert_was_asked(ssl) != 0 { return .tls(clientCertificateAsked(host: host, port: port)) }
        if peerClosed {
            return .closedDuringHandshake("the connection to \(HostPort.text(host, port)) \(WebSocketError.closedInTLSHandshake)")
        }
        return .tls("TLS handshake with \(HostPort.text(host, port)) failed: \(queue)")
    }

    /// The server asked for a client certificate (mutual TLS) and then refused the connection
    /// without one: it was "closed during the TLS handshake" or "nothing answered at this
    /// address; check that the server is running" and retried (found in QA).
    static func clientCertificateAsked(host: String? = nil, port: Int = 0) -> String {
        "the server\(host.map { " at " + HostPort.text($0, port) } ?? "") asked for a client certificate (mutual TLS) and refused the connection without one; "
            + "captty has no client certificate to present: connect to a server (or a proxy in front of it) that does not require one"
    }

    /// The server certificate's subject and DNS/IP names, for messages ("CN=localhost, names: localhost").
    private static func peerSubject(_ ssl: OpaquePointer) -> String? {
        // After a failed verification only the received chain is kept; its first entry is the leaf.
        var leaf: OpaquePointer? = SSL_get1_peer_certificate(ssl)
        var owned = leaf != nil
        if leaf == nil, let chain = SSL_get_peer_cert_chain(ssl), OPENSSL_sk_num(chain) > 0,
           let raw = OPENSSL_sk_value(chain, 0) {
            leaf = OpaquePointer(raw)
            owned = false
        }
        guard let cert = leaf else { return nil }
        defer { if owned { X509_free(cert) } }
        var parts: [String] = []
        if let name = X509_get_subject_name(cert) {
            var buf = [CChar](repeating: 0, count: 256)
            X509_NAME_oneline(name, &buf, Int32(buf.count))
            parts.append(String(String(cBuffer: buf).trimmingPrefix("/")))
        }
        if let hosts = peerNames(cert), !hosts.isEmpty { parts.append("names: " + hosts.joined(separator: ", ")) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// An IP address of a certificate as written: `127.0.0.1`, `::1` (its 16 bytes were shown
    /// as "0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:1"; found in QA).
    static func ipAddressText(_ bytes: [UInt8]) -> String {
        guard bytes.count == 4 || bytes.count == 16 else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) != nil
        }
        return ok ? String(cBuffer: text) : bytes.map(String.init).joined(separator: ".")
    }

    /// DNS names and IP addresses of the subjectAltName extension.
    private static func peerNames(_ cert: OpaquePointer) -> [String]? {
        guard let ext = X509_get_ext_d2i(cert, NID_subject_alt_name, nil, nil) else { return nil }
        let names = OpaquePointer(ext)
        defer { GENERAL_NAMES_free(names) }
        var out: [String] = []
        for i in 0..<OPENSSL_sk_num(names) {
            guard let raw = OPENSSL_sk_value(names, i) else { continue }
            let gn = raw.assumingMemoryBound(to: GENERAL_NAME.self)
            switch gn.pointee.type {
            case GEN_DNS:
                if let s = gn.pointee.d.dNSName, let data = ASN1_STRING_get0_data(s) {
                    out.append(String(decoding: UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(s))), as: UTF8.self))
                }
            case GEN_IPADD:
                if let s = gn.pointee.d.iPAddress, let data = ASN1_STRING_get0_data(s) {
                    let bytes = Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(s))))
                    out.append(ipAddressText(bytes))
                }
            default:
                continue
            }
        }
        return out
    }
}
