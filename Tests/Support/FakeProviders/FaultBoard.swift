import Synchronization

/// Faults waiting to be shown, per endpoint, first in first out. Each request to an endpoint
/// takes at most one fault; a fault injected `times: n` is shown to the next n requests.
final class FaultBoard: Sendable {
    private struct Pending {
        let fault: FakeFault
        var remaining: Int
    }

    private let queues = Mutex<[FakeEndpoint: [Pending]]>([:])

    /// Queues `fault` for the next `times` requests to `endpoint`.
    func inject(_ fault: FakeFault, on endpoint: FakeEndpoint, times: Int) {
        guard times > 0 else { return }
        queues.withLock { $0[endpoint, default: []].append(Pending(fault: fault, remaining: times)) }
    }

    /// The fault due for one request to `endpoint`, consuming one use of it.
    func take(for endpoint: FakeEndpoint) -> FakeFault? {
        queues.withLock { queues in
            guard var queue = queues[endpoint], !queue.isEmpty else { return nil }
            let fault = queue[0].fault
            queue[0].remaining -= 1
            if queue[0].remaining == 0 { queue.removeFirst() }
            queues[endpoint] = queue
            return fault
        }
    }

    /// Drops every pending fault.
    func clear() { queues.withLock { $0.removeAll() } }
}
