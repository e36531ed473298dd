import CLinux
import Glibc

/// One client connection: its parser, its pending output, and the request (at most one) being
/// answered. Pipelined requests wait in the parser's buffer and are answered strictly in order.
///
/// A connection is only touched on its event loop's thread: by the loop itself, and by the task
/// serving its current request, which runs with that loop as its executor. That confinement is
/// why it can be marked Sendable.
final class Connection: @unchecked Sendable {
    let fd: Int32
    unowned let loop: EventLoop
    let remoteAddress: String
    private var parser: RequestParser
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var inFlight = false
    private var closeAfterWrite = false
    private var peerClosedRead = false
    private(set) var closed = false
    private var requestsServed = 0
    private var lastActivity: Double
    private var requestStarted: Double?
    private var lastWriteProgress: Double

    init(fd: Int32, loop: EventLoop, remoteAddress: String, now: Double) {
        self.fd = fd
        self.loop = loop
        self.remoteAddress = remoteAddress
        self.parser = RequestParser(limits: loop.server.configuration.limits)
        self.lastActivity = now
        self.lastWriteProgress = now
    }

    /// Reacts to an epoll readiness report (edge-triggered: read and write until EAGAIN).
    func handle(events: UInt32) {
        if events & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 && events & EPOLLIN.rawValue == 0 {
            close()
            return
        }
        if events & EPOLLOUT.rawValue != 0 && outputOffset < output.count {
            flush()
            // Serving paused while this output was pending; the socket has room again.
            if outputOffset >= output.count { readAndServe() }
        }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0 { readAndServe() }
    }

    // MARK: - Reading

    /// Serves whatever requests are buffered, reading more from the socket as needed, until a
    /// request is in flight, the socket has nothing more to give, or the last response is still
    /// waiting for the peer to read it: a client that pipelines without reading must not make us
    /// queue response after response in memory.
    private func readAndServe() {
        while !closed && !inFlight && !closeAfterWrite && outputOffset >= output.count {
            if serveNextEvent() { continue }
            // A protocol error may have just answered and closed the connection; its descriptor
            // number can already belong to another thread's new socket, so never read it again.
            if closed || closeAfterWrite { return }
            if peerClosedRead {
                // Half-closed peer: what it sent is answered and written (the loop only gets here
                // with no output pending), and nothing more can follow.
                close()
                return
            }
            let count = read(fd, loop.readBuffer.baseAddress, loop.readBuffer.count)
            if count > 0 {
                if requestStarted == nil { requestStarted = EventLoop.now() }
                parser.append(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<count]))
            } else if count == 0 {
                peerClosedRead = true
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return
            } else if errno != EINTR {
                close()
                return
            }
        }
    }

    /// Takes one event from the parser and acts on it; false when the parser needs more bytes.
    private func serveNextEvent() -> Bool {
        let event: ParseEvent?
        do {
            event = try parser.next()
        } catch {
            fail(status: HTTPStatus(error.status), reason: "\(error)")
            return false
        }
        switch event {
        case nil:
            if !parser.isMidRequest {
                requestStarted = nil
            } else if requestStarted == nil {
                // Bytes of the next request arrived with the previous one: its clock starts now,
                // not at a later read that may never come (which left it to the idle timeout).
                requestStarted = EventLoop.now()
            }
            return false
        case .expectsContinue:
            enqueue(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            flush()
            return true
        case .request(let head, let body):
            dispatch(Request(head: head, body: body, remoteAddress: remoteAddress))
            return true
        }
    }

    /// Runs the application for one request as a task on this loop.
    private func dispatch(_ request: Request) {
        inFlight = true
        requestStarted = nil
        let keepAlive = request.head.keepAlive
        let isHTTP10 = request.head.version.minor == 0
        let isHead = request.method == .head
        let server = loop.server
        let requestID = loop.nextRequestID()
        Task(executorPreference: loop) {
            let response = await server.respond(to: request, requestID: requestID)
            if self.loop.inEventLoop {
                self.complete(response, keepAlive: keepAlive, isHTTP10: isHTTP10, isHead: isHead)
            } else {
                self.loop.execute { self.complete(response, keepAlive: keepAlive, isHTTP10: isHTTP10, isHead: isHead) }
            }
        }
    }

    private func complete(_ response: Response, keepAlive: Bool, isHTTP10: Bool, isHead: Bool) {
        inFlight = false
        guard !closed else { return }
        requestsServed += 1
        lastActivity = EventLoop.now()
        let keepOpen = keepAlive && !loop.draining && !peerClosedRead
        write(response, keepAlive: keepOpen, http10: isHTTP10, omitBody: isHead)
        if !keepOpen { closeAfterWrite = true }
        flush()
        if !closed && !closeAfterWrite { readAndServe() }
    }

    // MARK: - Writing

    private func write(_ response: Response, keepAlive: Bool, http10: Bool = false, omitBody: Bool) {
        ResponseWriter.write(response, into: &output, date: loop.dateHeader, keepAlive: keepAlive, http10: http10, omitBody: omitBody)
    }

    private func enqueue(_ bytes: [UInt8]) { output.append(contentsOf: bytes) }

    /// Answers a protocol error with a short plain-text response and closes.
    private func fail(status: HTTPStatus, reason: String) {
        loop.server.logger.info("request_rejected", ["status": status.code, "bytes": 0, "remote": remoteAddress, "error": reason])
        let body = Array("\(status.reasonPhrase)\n".utf8)
        let response = Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: body)
        write(response, keepAlive: false, omitBody: false)
        closeAfterWrite = true
        flush()
    }

    /// Writes pending output until done or the socket is full (then EPOLLOUT resumes us).
    private func flush() {
        while outputOffset < output.count {
            let count = output.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outputOffset, raw.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                outputOffset += count
                lastWriteProgress = EventLoop.now()
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                close()
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        if closeAfterWrite {
            close()
        } else if loop.draining {
            // A keep-alive response still being written when the drain began: the connection
            // turns idle only now, and would otherwise hold the drain until the idle timeout.
            closeIfIdle()
        }
    }

    // MARK: - Lifetime

    /// Enforces the request, idle and write timeouts; called a few times a second by the loop.
    func checkTimeouts(now: Double) {
        guard !closed else { return }
        let config = loop.server.configuration
        if outputOffset < output.count {
            if now - lastWriteProgress > config.writeTimeout { close() }
        } else if inFlight {
            return
        } else if let started = requestStarted, parser.isMidRequest {
            if now - started > config.requestTimeout { fail(status: .requestTimeout, reason: "request not received in time") }
        } else {
            let limit = requestsServed == 0 ? config.requestTimeout : config.idleTimeout
            if now - lastActivity > limit { close() }
        }
    }

    /// Closes the connection if it is between requests (used when draining).
    func closeIfIdle() {
        if !inFlight && !parser.isMidRequest && outputOffset >= output.count { close() }
    }

    /// Closes the socket now; a request still in flight finds the connection closed and drops
    /// its response.
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
        loop.remove(self)
    }
}
