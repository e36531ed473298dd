import Foundation
import CLinux
import Glibc
import Synchronization

/// One thread running epoll: it accepts connections from its own listening socket, reads and
/// parses requests, and writes responses.
///
/// It is also a `TaskExecutor`: request handlers run as tasks that prefer this loop, so a handler
/// that never blocks runs start to finish on the loop's thread, with no hop to another thread
/// and back. Work that would block goes to the worker pool (`blocking { }`); when it finishes,
/// the task resumes here.
///
/// Everything but the cross-thread inbox is touched only on the loop's own thread.
final class EventLoop: TaskExecutor, @unchecked Sendable {
    let index: Int
    let server: Server
    private let epoll: Int32
    private let wakeFD: Int32
    private var listenFD: Int32 = -1
    /// The loops new connections are dealt to, round-robin (set on the accepting loop only).
    /// One acceptor dealing in turn keeps the loops evenly loaded; per-loop SO_REUSEPORT
    /// sockets hash connections instead, and an unlucky hash shows up as tail latency.
    var peers: [EventLoop] = []
    private var nextPeer = 0
    /// The loop thread's id, published once the thread starts (0 before).
    private let threadID = Atomic<UInt>(0)

    // Cross-thread inbox: jobs and closures queued from other threads.
    private let inbox = Mutex<[Inbound]>([])
    private let wakeScheduled = Atomic<Bool>(false)
    // Handed over to the loop thread, never shared: the closure runs there and only there.
    private enum Inbound: @unchecked Sendable { case job(UnownedJob), closure(() -> Void) }

    // Loop-confined state.
    private var localJobs: [UnownedJob] = []
    private var connections: [Connection?] = []
    private(set) var connectionCount = 0
    private(set) var draining = false
    private var stopped = false
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    /// `Date: …\r\n`, refreshed once a second.
    private(set) var dateHeader: [UInt8] = []
    private var dateSecond = 0
    private var lastSweep = 0.0
    private var requestCounter = 0
    /// While accepting is paused (descriptors exhausted, or `maxConnections` reached), the
    /// listener is out of epoll until this time; a level-triggered listener left in would wake
    /// the loop for the same pending connection forever.
    private var acceptPausedUntil: Double?
    private var acceptBackoff = 0.05
    /// `accept` failures since the last log line: logged at most once a second, with a count.
    private var acceptFailures = 0
    private var lastAcceptLog = 0.0
    var onStop: (@Sendable () -> Void)?

    init(index: Int, server: Server) {
        self.index = index
        self.server = server
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        precondition(epoll >= 0 && wakeFD >= 0, "epoll/eventfd unavailable")
        register(wakeFD, events: EPOLLIN.rawValue)
        refreshDate()
    }

    deinit {
        readBuffer.deallocate()
        close(epoll)
        close(wakeFD)
    }

    /// Starts the loop's thread; the accepting loop is given the listening socket.
    func start(listening fd: Int32?) {
        if let fd {
            listenFD = fd
            register(fd, events: EPOLLIN.rawValue)
        }
        let thread = Thread { [self] in self.run() }
        thread.name = "event-loop-\(index)"
        thread.stackSize = 4 << 20
        thread.start()
    }

    var inEventLoop: Bool { threadID.load(ordering: .relaxed) == pthread_self() }

    /// Runs `body` on the loop's thread.
    func execute(_ body: @escaping () -> Void) {
        if inEventLoop { body() } else { post(.closure(body)) }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if inEventLoop { localJobs.append(job) } else { post(.job(job)) }
    }

    private func post(_ item: Inbound) {
        inbox.withLock { $0.append(item) }
        // One eventfd write per batch: the flag stays set until the loop drains the inbox.
        if !wakeScheduled.exchange(true, ordering: .acquiringAndReleasing) {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    // MARK: - The loop

    private func run() {
        threadID.store(pthread_self(), ordering: .sequentiallyConsistent)
        let maxEvents = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: maxEvents)
        defer { events.deallocate() }
        while !stopped {
            let timeout: Int32 = localJobs.isEmpty ? 250 : 0
            let count = epoll_wait(epoll, events, Int32(maxEvents), timeout)
            if count < 0 && errno != EINTR { break }
            for i in 0..<max(0, Int(count)) {
                let fd = events[i].data.fd
                let flags = events[i].events
                if fd == wakeFD {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                } else if fd == listenFD {
                    acceptAll()
                } else if fd >= 0, Int(fd) < connections.count, let connection = connections[Int(fd)] {
                    connection.handle(events: flags)
                }
            }
            drainInbox()
            runJobs()
            tick()
        }
        onStop?()
    }

    private func drainInbox() {
        wakeScheduled.store(false, ordering: .sequentiallyConsistent)
        let items = inbox.withLock { items -> [Inbound] in
            defer { items.removeAll(keepingCapacity: true) }
            return items
        }
        for item in items {
            switch item {
            case .job(let job): localJobs.append(job)
            case .closure(let body): body()
            }
        }
    }

    private func runJobs() {
        // Jobs may queue more jobs; run until quiet, but yield to epoll now and then so one busy
        // chain of continuations cannot starve the sockets.
        var budget = 4096
        while !localJobs.isEmpty && budget > 0 {
            let batch = localJobs
            localJobs.removeAll(keepingCapacity: true)
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            budget -= batch.count
        }
    }

    // MARK: - Connections

    private func acceptAll() {
        while true {
            if server.openConnections.load(ordering: .relaxed) >= server.configuration.maxConnections {
                pauseAccepting(reason: "max_connections")
                return
            }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    latchkey_accept4(listenFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                switch errno {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM: pauseAccepting(reason: errno == ENFILE ? "ENFILE" : errno == EMFILE ? "EMFILE" : "ENOMEM")
                default: break
                }
                return
            }
            acceptBackoff = 0.05
            if draining {
                close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let remote = Socket.address(&address)
            let target = peers.isEmpty ? self : peers[nextPeer % peers.count]
            nextPeer &+= 1
            server.openConnections.add(1, ordering: .relaxed)
            if target === self {
                adopt(fd, remoteAddress: remote)
            } else {
                target.execute { target.adopt(fd, remoteAddress: remote) }
            }
        }
    }

    /// Takes the listener out of epoll for a while (backing off up to a second while the cause
    /// lasts), logging at most once a second how many times it happened.
    private func pauseAccepting(reason: String) {
        let now = Self.now()
        acceptFailures += 1
        if now - lastAcceptLog >= 1 {
            server.logger.error("accept_paused", ["reason": reason, "count": acceptFailures, "connections": server.connectionCount,
                                                  "retry_ms": Int(acceptBackoff * 1000)])
            acceptFailures = 0
            lastAcceptLog = now
        }
        if acceptPausedUntil == nil, listenFD >= 0 { epoll_ctl(epoll, EPOLL_CTL_DEL, listenFD, nil) }
        acceptPausedUntil = now + acceptBackoff
        acceptBackoff = min(acceptBackoff * 2, 1)
    }

    /// Puts the listener back once the pause is over (the next `acceptAll` decides whether to pause again).
    private func resumeAcceptingIfDue(now: Double) {
        guard let until = acceptPausedUntil, now >= until, listenFD >= 0, !draining else { return }
        acceptPausedUntil = nil
        register(listenFD, events: EPOLLIN.rawValue)
    }

    /// Takes charge of an accepted socket: from now on only this loop touches it.
    private func adopt(_ fd: Int32, remoteAddress: String) {
        if draining {
            close(fd)
            server.openConnections.subtract(1, ordering: .relaxed)
            return
        }
        let connection = Connection(fd: fd, loop: self, remoteAddress: remoteAddress, now: Self.now())
        if Int(fd) >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: Int(fd) - connections.count + 1024))
        }
        connections[Int(fd)] = connection
        connectionCount += 1
        register(fd, events: EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue)
    }

    /// Forgets a connection whose socket was just closed.
    func remove(_ connection: Connection) {
        if connections.indices.contains(Int(connection.fd)), connections[Int(connection.fd)] === connection {
            connections[Int(connection.fd)] = nil
            connectionCount -= 1
            server.openConnections.subtract(1, ordering: .relaxed)
        }
        if draining && connectionCount == 0 { stopped = true }
    }

    private func register(_ fd: Int32, events: UInt32) {
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }

    /// A new request id: process prefix, loop index and a counter.
    func nextRequestID() -> String {
        requestCounter &+= 1
        return "\(server.idPrefix)-\(index)-\(requestCounter)"
    }

    // MARK: - Time

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private func refreshDate() {
        let second = time(nil)
        guard second != dateSecond else { return }
        dateSecond = second
        dateHeader = Array("Date: \(HTTPDate.format(epochSeconds: second))\r\n".utf8)
    }

    private func tick() {
        refreshDate()
        let now = Self.now()
        resumeAcceptingIfDue(now: now)
        guard now - lastSweep >= 0.25 else { return }
        lastSweep = now
        for case let connection? in connections { connection.checkTimeouts(now: now) }
    }

    // MARK: - Shutdown

    /// Stops accepting, closes idle connections, and lets in-flight requests finish; the loop
    /// stops when its last connection closes.
    func beginDraining() {
        execute { [self] in
            draining = true
            if listenFD >= 0 {
                if acceptPausedUntil == nil { epoll_ctl(epoll, EPOLL_CTL_DEL, listenFD, nil) }
                close(listenFD)
                listenFD = -1
            }
            for case let connection? in connections { connection.closeIfIdle() }
            if connectionCount == 0 { stopped = true }
        }
    }

    /// Stops the loop at once, closing every connection (the end of the grace period).
    func forceStop() {
        execute { [self] in
            for case let connection? in connections { connection.close() }
            stopped = true
        }
    }
}
