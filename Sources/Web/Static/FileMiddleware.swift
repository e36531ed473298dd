import Foundation

/// Serves the files under a directory (`Public/`) at the site's root, with content types by
/// extension, `ETag`/`If-None-Match`, `Last-Modified`/`If-Modified-Since` and `Cache-Control`.
///
/// The set of servable files is listed once, at start-up: a request can only ever name one of
/// those, so no spelling of `../` can reach outside the directory. Suspicious paths (dot
/// segments, backslashes, NUL, encoded slashes) are refused outright anyway, so they show up in
/// logs as 400s rather than as 404s. Requests that match no file fall through to the router.
public struct FileMiddleware: Middleware {
    private let files: [String: StaticFile]
    private let cacheControl: String

    /// Indexes every regular file under `directory` (hidden files excepted).
    public init(directory: String, cacheControl: String = "public, max-age=300") {
        self.cacheControl = cacheControl
        var files: [String: StaticFile] = [:]
        let root = URL(fileURLWithPath: directory).standardizedFileURL.resolvingSymlinksInPath()
        let keys: [URLResourceKey] = [.isRegularFileKey, .contentModificationDateKey, .fileSizeKey]
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) {
            for case let url as URL in walker {
                let resolved = url.resolvingSymlinksInPath()
                guard resolved.path.hasPrefix(root.path + "/"),
                      let values = try? url.resourceValues(forKeys: Set(keys)), values.isRegularFile == true,
                      let data = FileManager.default.contents(atPath: resolved.path) else { continue }
                let relative = String(resolved.path.dropFirst(root.path.count))
                let modified = Int(values.contentModificationDate?.timeIntervalSince1970 ?? 0)
                files[relative] = StaticFile(bytes: Array(data), contentType: MediaType.forPath(relative), modified: modified)
            }
        }
        self.files = files
    }

    /// The URL paths this middleware serves, e.g. `/css/site.css`.
    public var paths: [String] { files.keys.sorted() }

    public func handle(_ request: Request, context: RequestContext, next: any Responder) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next.respond(to: request, context: context) }
        guard let path = percentDecodePath(request.head.path) else { return try await next.respond(to: request, context: context) }
        if Self.isHostile(path) { throw HTTPError(.badRequest, "Malformed path.") }
        guard let file = files[path] else { return try await next.respond(to: request, context: context) }
        var headers: HTTPHeaders = [
            "ETag": file.etag,
            "Last-Modified": file.lastModified,
            "Cache-Control": cacheControl,
        ]
        if isNotModified(request, file) { return Response(status: .notModified, headers: headers) }
        headers.add("Content-Type", file.contentType)
        return Response(status: .ok, headers: headers, body: file.bytes)
    }

    private func isNotModified(_ request: Request, _ file: StaticFile) -> Bool {
        if let tags = request.headers["If-None-Match"] {
            return tags.split(separator: ",").contains { tag in
                let tag = tag.trimmingCharacters(in: .whitespaces)
                return tag == "*" || tag == file.etag || tag == "W/" + file.etag
            }
        }
        if let since = request.headers["If-Modified-Since"].flatMap(HTTPDate.parse) { return file.modified <= since }
        return false
    }

    /// A decoded path with a dot segment, a backslash or a NUL: never a file request, always an
    /// attempt to escape (`../`, `%2e%2e/`, `..%2f`, `..\`, `%00`).
    static func isHostile(_ decodedPath: String) -> Bool {
        if decodedPath.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0 }) { return true }
        return decodedPath.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." }
    }
}

/// A file held in memory with its validators.
struct StaticFile: Sendable {
    let bytes: [UInt8]
    let contentType: String
    let modified: Int
    let etag: String
    let lastModified: String

    init(bytes: [UInt8], contentType: String, modified: Int) {
        self.bytes = bytes
        self.contentType = contentType
        self.modified = modified
        etag = "\"\(String(modified, radix: 16))-\(String(bytes.count, radix: 16))\""
        lastModified = HTTPDate.format(epochSeconds: modified)
    }
}
