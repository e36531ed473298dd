import CCurl
import Runtime

/// Sends mail with libcurl's SMTP client: STARTTLS required (or implicit TLS) with the
/// certificate verified, unless the server is a loopback sink without TLS. Runs on the outbound
/// pool with connect and total timeouts, like every other outbound call.
public struct CurlSMTPTransport: MailTransport {
    public let server: SMTPServer
    public let connectTimeout: Double
    public let totalTimeout: Double
    let pool: WorkerPool

    /// A transport to `server`.
    public init(server: SMTPServer, connectTimeout: Double = 10, totalTimeout: Double = 30, pool: WorkerPool = .outbound) {
        self.server = server
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.pool = pool
    }

    public func send(_ envelope: MailEnvelope) async throws(MailError) {
        let job = SMTPTransfer(server: server, envelope: envelope, connectTimeoutMS: Int(connectTimeout * 1000),
                               totalTimeoutMS: Int(totalTimeout * 1000))
        let outcome: Result<Void, MailError>
        do {
            outcome = try await pool.run { job.run() }
        } catch {
            throw MailError("worker pool: \(error)")
        }
        try outcome.get()
    }
}

/// One SMTP conversation on a libcurl easy handle; frees every C resource on every path.
struct SMTPTransfer: Sendable {
    let server: SMTPServer
    let envelope: MailEnvelope
    let connectTimeoutMS: Int
    let totalTimeoutMS: Int

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// The bytes libcurl reads as the message body.
    final class Upload {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        static let readCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
            buffer, size, count, context in
            guard let buffer, let context else { return 0 }
            let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
            let length = min(size * count, upload.bytes.count - upload.offset)
            guard length > 0 else { return 0 }
            upload.bytes.withUnsafeBytes { raw in
                UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + upload.offset, byteCount: length)
            }
            upload.offset += length
            return length
        }
    }

    func run() -> Result<Void, MailError> {
        guard Self.globalInit == CURLE_OK else { return .failure(MailError("curl_global_init failed")) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(recipients) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        let upload = Unmanaged.passRetained(Upload(envelope.data))
        defer { upload.release() }
        guard let handle = curl_easy_init() else { return .failure(MailError("curl_easy_init failed")) }
        defer { curl_easy_cleanup(handle) }

        func long(_ option: CURLoption, _ value: Int) -> Bool { latchkey_curl_setopt_long(handle, option, value) == CURLE_OK }
        func text(_ option: CURLoption, _ value: String) -> Bool {
            value.withCString { latchkey_curl_setopt_ptr(handle, option, $0) } == CURLE_OK
        }
        for recipient in envelope.recipients {
            guard let next = curl_slist_append(recipients, "<\(recipient)>") else { return .failure(MailError("curl_slist_append failed")) }
            recipients = next
        }
        let scheme = server.security == .implicitTLS ? "smtps" : "smtp"
        let host = server.host.contains(":") && !server.host.hasPrefix("[") ? "[\(server.host)]" : server.host
        var ok = text(CURLOPT_URL, "\(scheme)://\(host):\(server.port)/latchkey")
            && text(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
            && long(CURLOPT_NOSIGNAL, 1)
            && long(CURLOPT_USE_SSL, server.security == .startTLS ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_NONE.rawValue))
            && long(CURLOPT_SSL_VERIFYPEER, 1) && long(CURLOPT_SSL_VERIFYHOST, 2)
            && long(CURLOPT_CONNECTTIMEOUT_MS, max(1, connectTimeoutMS)) && long(CURLOPT_TIMEOUT_MS, max(1, totalTimeoutMS))
            && text(CURLOPT_MAIL_FROM, "<\(envelope.from)>")
            && latchkey_curl_setopt_ptr(handle, CURLOPT_MAIL_RCPT, recipients) == CURLE_OK
            && latchkey_curl_setopt_read(handle, Upload.readCallback) == CURLE_OK
            && latchkey_curl_setopt_ptr(handle, CURLOPT_READDATA, upload.toOpaque()) == CURLE_OK
            && long(CURLOPT_UPLOAD, 1)
            && latchkey_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer) == CURLE_OK
        if let caFile = server.caFile { ok = ok && text(CURLOPT_CAINFO, caFile) }
        if let username = server.username { ok = ok && text(CURLOPT_USERNAME, username) }
        if let password = server.password { ok = ok && text(CURLOPT_PASSWORD, password) }
        guard ok else { return .failure(MailError("a libcurl SMTP option was refused")) }

        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return .success(()) }
        var reply = 0
        _ = latchkey_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: errorBuffer)
        let reason = "SMTP \(reply > 0 ? "\(reply) " : "")\(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)"
        // A 5xx answer to the envelope or the message refuses this message for good; a
        // connection, TLS or authentication problem is the server's or ours, worth retrying.
        return .failure(MailError(reason, permanent: (500...599).contains(reply) && code != CURLE_LOGIN_DENIED, kind: Self.kind(of: code)))
    }

    /// The kind of failure a libcurl code stands for. CURLE_USE_SSL_FAILED is CURLUSESSL_ALL at
    /// work: no STARTTLS in the EHLO reply, or a refusal of it, and curl stops before AUTH.
    static func kind(of code: CURLcode) -> MailError.Kind {
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: .certificate
        case CURLE_USE_SSL_FAILED: .tlsUnavailable
        default: .other
        }
    }
}
