import Identity
import Synchronization

/// Clients recently read for the token endpoint, with their secrets' hashes, so that an app
/// asking for tokens many times a second costs one database read every few seconds instead of
/// one per request: that read (a transaction of its own, its locks and the pages re-read after
/// every commit) was a sixth of a `client_credentials` grant (issue 17).
///
/// Why it cannot go stale where it matters: a token is minted for a client only inside a write
/// transaction that first checks the client's revision (`ClientRepository.isCurrent`), and every
/// change to a client raises it, whichever process makes the change. A mismatch throws
/// `GrantError.clientChanged`; the token endpoint then forgets the entry and answers from a fresh
/// read. What a stale entry can still do is refuse what a newer revision allows (a grant type
/// just added, say): for at most `lifetime` seconds, and only after a change made by another
/// process, since this one forgets a client whenever it changes it. Unknown clients are not
/// remembered, so a client registered elsewhere works at once.
final class ClientCache: Sendable {
    struct Entry: Sendable {
        let client: Client
        let secretHash: String?
        let readAt: Int
    }

    /// Seconds an entry is used before it is read again.
    let lifetime: Int
    /// At most this many clients are held; past it, the cache starts over (a deployment with
    /// more clients than this hitting the endpoint at once gains little from it anyway).
    let capacity: Int
    private let clock: Clock
    private let entries = Mutex<[String: Entry]>([:])

    init(clock: Clock, lifetime: Int = 5, capacity: Int = 1024) {
        self.clock = clock
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The entry for `clientID` if it was read less than `lifetime` seconds ago.
    func entry(_ clientID: String) -> Entry? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries[clientID] else { return nil }
            guard now >= entry.readAt && now - entry.readAt < lifetime else {
                entries[clientID] = nil
                return nil
            }
            return entry
        }
    }

    func remember(_ client: Client, secretHash: String?) {
        let entry = Entry(client: client, secretHash: secretHash, readAt: clock.now())
        entries.withLock { entries in
            if entries.count >= capacity && entries[client.clientID] == nil { entries.removeAll(keepingCapacity: true) }
            entries[client.clientID] = entry
        }
    }

    func forget(_ clientID: String) {
        _ = entries.withLock { entries in entries.removeValue(forKey: clientID) }
    }
}
