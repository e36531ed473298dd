import CCurl

/// One request performed synchronously on a libcurl easy handle. Built on the caller's task, run
/// on a worker-pool thread; owns every C resource it creates and frees them on every path.
struct CurlTransfer: Sendable {
    let request: ClientRequest
    let connectTimeoutMS: Int
    let totalTimeoutMS: Int
    let maxResponseBytes: Int
    let userAgent: String

    /// `curl_global_init` must run once before any handle exists and is not itself thread-safe;
    /// a static `let` is initialised exactly once, under a lock, on first use.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Performs the transfer; failures come back as values so the worker thread never throws.
    func run() -> Result<ClientResponse, ClientError> {
        let initCode = Self.globalInit
        guard initCode == CURLE_OK else {
            return .failure(.transport("curl_global_init: \(Self.describe(initCode))"))
        }
        // Declared before the handle so their defers run after curl_easy_cleanup: the handle
        // points at all three until it is gone.
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        defer { errorBuffer.deallocate() }
        let sink = Unmanaged.passRetained(ResponseSink(limit: maxResponseBytes))
        defer { sink.release() }

        guard let handle = curl_easy_init() else { return .failure(.transport("curl_easy_init failed")) }
        defer { curl_easy_cleanup(handle) }

        do {
            try configure(handle, sink: sink.toOpaque(), errorBuffer: errorBuffer)
            headerList = try makeHeaderList()
            try set(handle, CURLOPT_HTTPHEADER, pointer: headerList)
        } catch {
            return .failure(error)
        }

        let code = curl_easy_perform(handle)
        let received = sink.takeUnretainedValue()
        if received.overflowed { return .failure(.responseTooLarge) }
        guard code == CURLE_OK else {
            let buffered = String(cString: errorBuffer)
            return .failure(ClientError(curlCode: code, detail: buffered.isEmpty ? Self.describe(code) : buffered))
        }
        var status = 0
        guard latchkey_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK else {
            return .failure(.transport("no response status"))
        }
        return .success(ClientResponse(status: status, headers: HTTPHeaders(received.headers), body: received.body))
    }

    private func configure(
        _ handle: UnsafeMutableRawPointer, sink: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>
    ) throws(ClientError) {
        try set(handle, CURLOPT_URL, string: request.url)
        try set(handle, CURLOPT_NOSIGNAL, 1)
        try set(handle, CURLOPT_PROTOCOLS_STR, string: "http,https")
        try set(handle, CURLOPT_REDIR_PROTOCOLS_STR, string: "http,https")
        try set(handle, CURLOPT_FOLLOWLOCATION, 0)
        try set(handle, CURLOPT_SSL_VERIFYPEER, 1)
        try set(handle, CURLOPT_SSL_VERIFYHOST, 2)
        try set(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMS)
        try set(handle, CURLOPT_TIMEOUT_MS, totalTimeoutMS)
        try check(latchkey_curl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxResponseBytes)))
        try set(handle, CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        try check(latchkey_curl_setopt_write(handle, ResponseSink.writeCallback))
        try set(handle, CURLOPT_WRITEDATA, pointer: sink)
        try check(latchkey_curl_setopt_header(handle, ResponseSink.headerCallback))
        try set(handle, CURLOPT_HEADERDATA, pointer: sink)
        if !request.headers.contains("User-Agent") {
            try set(handle, CURLOPT_USERAGENT, string: userAgent)
        }
        try configureMethod(handle)
    }

    /// The method and body. POSTFIELDS is what makes libcurl send a body at all, so a body on any
    /// method goes through it and CUSTOMREQUEST renames the method (GitHub's token revocation is
    /// a DELETE with a JSON body).
    private func configureMethod(_ handle: UnsafeMutableRawPointer) throws(ClientError) {
        let needsLength = ["POST", "PUT", "PATCH"].contains(request.method)
        if let body = request.body ?? (needsLength ? [] : nil) {
            try check(latchkey_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            // COPYPOSTFIELDS copies, so the array need not outlive this call.
            let code = body.isEmpty
                ? "".withCString { latchkey_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0) }
                : body.withUnsafeBytes { latchkey_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
            try check(code)
            if request.method != "POST" { try set(handle, CURLOPT_CUSTOMREQUEST, string: request.method) }
        } else if request.method == "GET" {
            try set(handle, CURLOPT_HTTPGET, 1)
        } else if request.method == "HEAD" {
            // A HEAD answer has no body; CUSTOMREQUEST alone would wait for one until the timeout.
            try set(handle, CURLOPT_NOBODY, 1)
        } else {
            try set(handle, CURLOPT_CUSTOMREQUEST, string: request.method)
        }
    }

    /// The caller's fields as libcurl header lines, plus two removals of libcurl's own defaults:
    /// `Expect: 100-continue` (a one-second stall against servers that never send 100) and, for a
    /// body without a type, the form content type libcurl would otherwise claim.
    private func makeHeaderList() throws(ClientError) -> UnsafeMutablePointer<curl_slist>? {
        var lines = request.headers.map { field in
            // "Name:" would tell libcurl to drop the field; "Name;" is its spelling for an empty value.
            field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
        }
        if !request.headers.contains("Expect") { lines.append("Expect:") }
        if request.body != nil, !request.headers.contains("Content-Type") { lines.append("Content-Type:") }

        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let next = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw .transport("curl_slist_append failed")
            }
            list = next
        }
        return list
    }

    private func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(ClientError) {
        try check(latchkey_curl_setopt_long(handle, option, value))
    }

    /// libcurl copies string options (since 7.17), so the temporary C string is enough.
    private func set(_ handle: UnsafeMutableRawPointer, _ option: CURLoption, string: String) throws(ClientError) {
        try check(string.withCString { latchkey_curl_setopt_ptr(handle, option, $0) })
    }

    private func set(
        _ handle: UnsafeMutableRawPointer, _ option: CURLoption, pointer: UnsafeMutableRawPointer?
    ) throws(ClientError) {
        try check(latchkey_curl_setopt_ptr(handle, option, pointer))
    }

    private func set<T>(
        _ handle: UnsafeMutableRawPointer, _ option: CURLoption, pointer: UnsafeMutablePointer<T>?
    ) throws(ClientError) {
        try check(latchkey_curl_setopt_ptr(handle, option, pointer))
    }

    /// Every option is checked: a security option that silently failed to apply must fail the call.
    private func check(_ code: CURLcode) throws(ClientError) {
        guard code == CURLE_OK else { throw .transport("curl option rejected: \(Self.describe(code))") }
    }

    private static func describe(_ code: CURLcode) -> String {
        String(cString: curl_easy_strerror(code))
    }
}
