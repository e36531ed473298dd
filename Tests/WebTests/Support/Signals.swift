import Dispatch
import Synchronization

/// A one-way signal from a handler to the test: the test awaits `next()` until the handler has
/// reached a known point (say, "request in flight"), so live tests assert order, never timing.
struct Beacon: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    /// Signals one event.
    func fire() { continuation.yield() }

    /// Waits for the next event (events fired earlier are buffered, not lost).
    func next() async {
        var iterator = stream.makeAsyncIterator()
        _ = await iterator.next()
    }
}

/// A gate a handler blocks a worker thread on until the test opens it. The wait is capped so a
/// failing test cannot hang the suite.
final class Latch: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let cap: Double

    /// A closed gate that gives up on its own after `cap` seconds.
    init(cap: Double = 2) { self.cap = cap }

    /// Lets one waiter through.
    func open() { semaphore.signal() }

    /// Blocks the calling thread until `open()` (or the cap runs out).
    func wait() { _ = semaphore.wait(timeout: .now() + cap) }
}

/// A boolean set from any thread.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    init() {}

    /// Sets the flag.
    func set() { value.store(true, ordering: .sequentiallyConsistent) }

    /// Whether the flag has been set.
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// An ordered record of events from middleware and handlers.
final class Trace: Sendable {
    private let entries = Mutex<[String]>([])

    init() {}

    /// Records one event.
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }

    /// Everything recorded so far, in order.
    var all: [String] { entries.withLock { $0 } }
}

/// A counter bumped from any thread.
final class Counter: Sendable {
    private let count = Atomic<Int>(0)

    init() {}

    /// Adds one.
    func increment() { count.add(1, ordering: .sequentiallyConsistent) }

    /// The current count.
    var value: Int { count.load(ordering: .sequentiallyConsistent) }
}
