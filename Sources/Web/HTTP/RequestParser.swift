/// What the parser produced from the bytes received so far.
public enum ParseEvent: Sendable {
    /// The head of a request that sent `Expect: 100-continue` has arrived and its body has not: the
    /// server answers `100 Continue` (emitted at most once per request, only when body bytes are
    /// still expected).
    case expectsContinue(RequestHead)
    /// A complete request: head and its whole (de-chunked) body.
    case request(RequestHead, body: [UInt8])
}

/// An incremental HTTP/1.1 request parser: the server appends bytes as they arrive and calls
/// `next()` until it returns nil. It is strict in the RFC 9112 sense (bare LF, obs-fold, conflicting
/// lengths and unknown transfer codings are errors), because leniency here is what request
/// smuggling feeds on. Field values keep obs-text bytes, decoded as UTF-8 with invalid sequences
/// replaced by U+FFFD. After an error the parser is dead: every later `next()` rethrows it.
public struct RequestParser: Sendable {
    /// Where the parser is in the current request.
    enum Phase: Sendable, Equatable {
        /// Reading the request line and header fields.
        case head
        /// Waiting until this many body bytes are buffered (Content-Length).
        case fixedBody(Int)
        /// Reading a chunk-size line.
        case chunkSize
        /// Copying this many more bytes of the current chunk.
        case chunkData(Int)
        /// Expecting the CRLF that closes a chunk's data.
        case chunkDataEnd
        /// Reading trailer fields after the last chunk.
        case trailers
    }

    /// Longest chunk-size line (size plus extensions) we accept; real clients send a few bytes.
    static let maxChunkLineBytes = 4096
    /// Leading empty lines tolerated before a request line (RFC 9112 §2.2 allows some robustness).
    static let maxLeadingEmptyLines = 4

    let limits: HTTPLimits
    /// Received bytes; everything before `readIndex` is consumed and dropped at the next compaction.
    var buffer: [UInt8] = []
    var readIndex = 0
    var phase = Phase.head
    /// Bytes of the current, unterminated line already searched for LF, so a slow sender is not
    /// rescanned from the line start on every append.
    var lineScanned = 0
    /// Progress on the head of the current request.
    var head = HeadProgress()
    /// The head whose body is being read.
    var pendingHead: RequestHead?
    /// The de-chunked body read so far.
    var chunkedBody: [UInt8] = []
    /// Chunk-extension bytes seen in the current request, capped so extensions cannot stand in for
    /// an unbounded body.
    var extensionBytes = 0
    /// Head and trailer bytes of the current request, against `maxHeaderBytes`.
    var sectionBytes = 0
    /// Header and trailer fields of the current request, against `maxHeaderCount`.
    var fieldCount = 0
    /// The error that killed the parser.
    var failure: HTTPParseError?

    /// A parser for one connection.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Bytes received from the peer.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, !bytes.isEmpty else { return }
        makeRoom()
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received from the peer (convenience for tests).
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next event, or nil when more bytes are needed; call repeatedly for pipelined requests.
    public mutating func next() throws(HTTPParseError) -> ParseEvent? {
        if let failure { throw failure }
        // A second reference lets `step` update `self` while it reads the bytes; the buffer is
        // never modified during a step, so this costs a retain, not a copy.
        let storage = buffer
        do throws(HTTPParseError) {
            return try storage.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) -> ParseEvent? in
                try step(bytes)
            }
        } catch {
            failure = error
            throw error
        }
    }

    /// Whether bytes of an unfinished request are buffered or a request is partly consumed.
    public var isMidRequest: Bool {
        readIndex < buffer.count || phase != .head || head.requestLineDone
    }

    /// Drops consumed bytes, but only when that is cheap relative to what was consumed, so a
    /// pipelined burst is not shifted once per request.
    private mutating func makeRoom() {
        if readIndex == buffer.count {
            // A large body grew the buffer; do not keep that much memory per idle connection.
            buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
            readIndex = 0
        } else if readIndex >= 4096 && readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }

    /// Advances through phases until an event is ready or the buffered bytes run out.
    private mutating func step(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> ParseEvent? {
        while true {
            switch phase {
            case .head:
                guard let (requestHead, framing) = try readHead(bytes) else { return nil }
                if let event = try startBody(requestHead, framing, bytes) { return event }
            case .fixedBody(let length):
                guard bytes.count - readIndex >= length else { return nil }
                let body = Array(UnsafeBufferPointer(rebasing: bytes[readIndex..<readIndex + length]))
                readIndex += length
                return finishRequest(body: body)
            case .chunkSize, .chunkData, .chunkDataEnd, .trailers:
                guard try readChunked(bytes) else { return nil }
                let body = chunkedBody
                chunkedBody = []
                return finishRequest(body: body)
            }
        }
    }

    /// Picks the body phase for a just-parsed head; returns an event when one is due right away.
    private mutating func startBody(_ requestHead: RequestHead, _ framing: MessageFraming,
                                    _ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> ParseEvent? {
        pendingHead = requestHead
        if framing.hasTransferEncoding {
            phase = .chunkSize
        } else if let length = framing.contentLength, length > 0 {
            // Decided before any body byte is read (and before 100 Continue invites it).
            guard length <= limits.maxBodyBytes else { throw .payloadTooLarge }
            phase = .fixedBody(length)
        } else {
            return finishRequest(body: [])
        }
        // HTTP/1.0 clients cannot know 100 Continue (RFC 9110 §10.1.1), so they never get one.
        if framing.expectsContinue && requestHead.version.minor == 1 && readIndex == bytes.count {
            return .expectsContinue(requestHead)
        }
        return nil
    }

    /// Emits the pending request and resets per-request state for the next one.
    private mutating func finishRequest(body: [UInt8]) -> ParseEvent {
        let requestHead = pendingHead!
        pendingHead = nil
        phase = .head
        head = HeadProgress()
        lineScanned = 0
        sectionBytes = 0
        fieldCount = 0
        extensionBytes = 0
        return .request(requestHead, body: body)
    }

    /// Finds the end of the line starting at `readIndex`, which may use at most `budget` bytes
    /// including its CRLF. Returns the line length without CRLF, or nil when the line is still
    /// incomplete; throws `overBudget` once the LF can no longer arrive in time.
    mutating func scanLine(_ bytes: UnsafeBufferPointer<UInt8>, budget: Int,
                           overBudget: HTTPParseError) throws(HTTPParseError) -> Int? {
        let start = readIndex
        let end = min(bytes.count, start + max(budget, 0))
        var index = start + lineScanned
        while index < end && bytes[index] != HTTPSyntax.lf { index += 1 }
        guard index < end else {
            if bytes.count - start >= budget { throw overBudget }
            lineScanned = index - start
            return nil
        }
        guard index > start && bytes[index - 1] == HTTPSyntax.cr else { throw .badRequest("bare LF") }
        lineScanned = 0
        return index - 1 - start
    }
}
