import Foundation

/// A throwaway CA and server certificates made with the openssl CLI for TLS tests.
struct TestCertificates {
    let dir: URL
    var caFile: String { dir.appendingPathComponent("ca.pem").path }
    /// Certificate (chain) and key for CN/SAN `localhost`.
    var localhostCert: String { dir.appendingPathComponent("localhost.pem").path }
    var localhostKey: String { dir.appendingPathComponent("localhost.key").path }
    /// Certificate and key for `other.example` only (signed by the same CA).
    var otherCert: String { dir.appendingPathComponent("other.pem").path }
    var otherKey: String { dir.appendingPathComponent("other.key").path }
    /// Certificate and key for `localhost` (same CA) whose validity ended before it began.
    var expiredCert: String { dir.appendingPathComponent("expired.pem").path }
    var expiredKey: String { dir.appendingPathComponent("expired.key").path }

    static func make() throws -> TestCertificates {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("captty-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let script = """
        set -e
        cd "\(dir.path)"
        K="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        openssl req -x509 $K -keyout ca.key -out ca.pem -days 2 -subj "/CN=captty test CA" \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
        for n in localhost other; do
          name=$n; [ $n = other ] && name=other.example
          openssl req $K -keyout $n.key -out $n.csr -subj "/CN=$name" 2>/dev/null
          printf "subjectAltName=DNS:$name\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n" > $n.ext
          openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $n.pem -days 2 -extfile $n.ext 2>/dev/null
        done
        openssl req $K -keyout expired.key -out expired.csr -subj "/CN=localhost" 2>/dev/null
        openssl x509 -req -in expired.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out expired.pem -days -1 -extfile localhost.ext 2>/dev/null
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw PeerError("openssl failed to make test certificates (status \(p.terminationStatus))") }
        return TestCertificates(dir: dir)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}
