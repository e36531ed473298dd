import CTestTLS
import Foundation
import Glibc
import Synchronization

/// A throwaway certificate authority made at run time with OpenSSL, the certificate it signed for
/// 127.0.0.1 and localhost, and a TLS server context presenting that certificate.
///
/// Nothing here is committed: a private key in the repository would be one anyone could use, and
/// a committed certificate would expire one day and break the suite. An EC P-256 key and two
/// signatures take milliseconds, but each authority is still made once per process.
final class TestCertificateAuthority: @unchecked Sendable {
    /// The authority every TLS sink's certificate chains to.
    static let shared = Result { try TestCertificateAuthority(name: "Latchkey test CA") }
    /// An authority that signed nothing a sink presents, for clients that must refuse the sink.
    static let unrelated = Result { try TestCertificateAuthority(name: "Latchkey unrelated test CA") }

    /// A PEM file holding the authority's certificate (public, nothing secret), removed at exit.
    let caFile: String
    /// The SSL_CTX servers use: the server certificate and its key. OpenSSL allows SSL_new on one
    /// context from many threads, which is what makes the unchecked Sendable safe; it is never
    /// changed after init and lives as long as the process.
    let serverContext: OpaquePointer

    private init(name: String) throws(SMTPSinkError) {
        let caKey = try Self.generateKey()
        defer { EVP_PKEY_free(caKey) }
        let caCertificate = try Self.certificate(
            commonName: name, key: caKey, issuer: nil,
            extensions: [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
                         (NID_subject_key_identifier, "hash")])
        defer { X509_free(caCertificate) }
        let serverKey = try Self.generateKey()
        defer { EVP_PKEY_free(serverKey) }
        // curl checks the name it connected to against the subjectAltName: the IP address for
        // 127.0.0.1 (a DNS entry "127.0.0.1" would not do), the DNS name for localhost.
        let serverCertificate = try Self.certificate(
            commonName: "sink.test", key: serverKey, issuer: (caCertificate, caKey),
            extensions: [(NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                         (NID_ext_key_usage, "serverAuth"), (NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"),
                         (NID_subject_key_identifier, "hash"), (NID_authority_key_identifier, "keyid:always")])
        defer { X509_free(serverCertificate) }

        guard let context = SSL_CTX_new(TLS_server_method()) else { throw Self.failure("SSL_CTX_new") }
        // The context takes its own references to the certificate and the key.
        guard latchkey_test_ssl_ctx_set_min_tls12(context) == 1,
              SSL_CTX_use_certificate(context, serverCertificate) == 1,
              SSL_CTX_use_PrivateKey(context, serverKey) == 1,
              SSL_CTX_check_private_key(context) == 1 else {
            SSL_CTX_free(context)
            throw Self.failure("SSL_CTX_use_certificate")
        }
        do {
            caFile = try Self.writePEM(caCertificate)
        } catch {
            SSL_CTX_free(context)
            throw error
        }
        serverContext = context
    }

    /// A fresh EC P-256 key pair (EVP_PKEY*); the caller frees it.
    private static func generateKey() throws(SMTPSinkError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, CNames.ec, nil) else { throw failure("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &key) == 1, let key else { throw failure("EVP_PKEY_generate") }
        return key
    }

    /// A v3 certificate (X509*) for `key`, signed by `issuer` or, without one, by `key` itself;
    /// valid from an hour ago (clock skew) for a week. The caller frees it.
    private static func certificate(commonName: String, key: OpaquePointer, issuer: (certificate: OpaquePointer, key: OpaquePointer)?,
                                    extensions: [(nid: Int32, value: String)]) throws(SMTPSinkError) -> OpaquePointer {
        guard let certificate = X509_new() else { throw failure("X509_new") }
        var done = false
        defer { if !done { X509_free(certificate) } }
        // A random serial: two runs' certificates never share issuer and serial, which some
        // clients cache by.
        let serial = Int.random(in: 1...Int(Int32.max))
        let name = Array(commonName.utf8)
        guard X509_set_version(certificate, 2) == 1,
              ASN1_INTEGER_set(X509_get_serialNumber(certificate), serial) == 1,
              X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
              X509_gmtime_adj(X509_getm_notAfter(certificate), 7 * 86_400) != nil,
              let subject = X509_get_subject_name(certificate),
              X509_NAME_add_entry_by_txt(subject, "CN", latchkey_test_mbstring_asc, name, Int32(name.count), -1, 0) == 1,
              X509_set_issuer_name(certificate, issuer.map { X509_get_subject_name($0.certificate) } ?? subject) == 1,
              X509_set_pubkey(certificate, key) == 1 else { throw failure("X509_set_pubkey") }
        // The public key is in place first: subjectKeyIdentifier=hash is computed from it.
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.certificate ?? certificate, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            guard let extensionValue = X509V3_EXT_nconf_nid(nil, &context, nid, value) else { throw failure("X509V3_EXT_nconf_nid(\(value))") }
            defer { X509_EXTENSION_free(extensionValue) }
            guard X509_add_ext(certificate, extensionValue, -1) == 1 else { throw failure("X509_add_ext") }
        }
        guard X509_sign(certificate, issuer?.key ?? key, EVP_sha256()) > 0 else { throw failure("X509_sign") }
        done = true
        return certificate
    }

    /// Writes `certificate` as PEM to a new file in the temporary directory; the file goes at exit.
    private static func writePEM(_ certificate: OpaquePointer) throws(SMTPSinkError) -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("latchkey-test-ca-\(getpid())-\(UUID().uuidString.prefix(8)).pem").path
        guard let file = fopen(path, "w") else { throw SMTPSinkError(call: "fopen", code: errno) }
        let written = PEM_write_X509(file, certificate) == 1
        guard fclose(file) == 0, written else {
            unlink(path)
            throw failure("PEM_write_X509")
        }
        Files.remove(atExit: path)
        return path
    }

    /// An error naming the OpenSSL call that failed, with the reason code OpenSSL left behind.
    private static func failure(_ call: String) -> SMTPSinkError {
        let reason = ERR_GET_REASON(ERR_peek_last_error())
        ERR_clear_error()
        return SMTPSinkError(call: call, code: reason)
    }

    /// C strings that must outlive the call: EVP_PKEY_CTX_new_from_name keeps the pointer.
    private enum CNames {
        nonisolated(unsafe) static let ec: UnsafePointer<CChar> = UnsafePointer(strdup("EC")!)
    }

    /// The CA files written, for one atexit handler to delete (a C handler cannot capture).
    private enum Files {
        static let paths = Mutex<[String]>([])

        static func remove(atExit path: String) {
            let first = paths.withLock { paths in
                paths.append(path)
                return paths.count == 1
            }
            if first {
                atexit { for path in Files.paths.withLock({ $0 }) { unlink(path) } }
            }
        }
    }
}
