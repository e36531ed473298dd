import COpenSSL
import Foundation

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes; stops the process if the generator fails, since there is no safe fallback.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "random byte count out of range")
        guard count > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count <= RandomReserve.largestServed {
                reserve.take(into: buffer)
            } else {
                fill(buffer)
            }
            initialized = count
        }
    }

    /// A URL-safe random token of `byteCount` random bytes, base64url without padding.
    public static func token(byteCount: Int = 32) -> String {
        Base64URL.encode(bytes(byteCount))
    }

    static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        guard RAND_bytes(buffer.baseAddress, Int32(buffer.count)) == 1 else {
            fatalError("RAND_bytes failed: the system has no usable entropy source")
        }
    }

    private static let reserve = RandomReserve()
}

/// Bytes drawn from OpenSSL's DRBG a page at a time and handed out in small pieces.
///
/// Every token, session id and code takes 16 to 32 bytes, and each `RAND_bytes` call cost more
/// (locks, parameter lookups, reseed checks) than generating a page: a token grant spent a
/// twentieth of its instructions there. The bytes are OpenSSL's all the same; each is handed
/// out once and overwritten with zero as it goes, so none lingers in memory after use.
final class RandomReserve: @unchecked Sendable {
    // @unchecked: `storage` and `offset` are only touched under `lock`.
    /// Larger requests go to `RAND_bytes` directly.
    static let largestServed = 256
    private static let size = 4_096

    private let storage = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: RandomReserve.size)
    private var offset = RandomReserve.size
    private let lock = NSLock()

    init() {
        storage.initialize(repeating: 0)
    }

    deinit {
        storage.deallocate()
    }

    func take(into target: UnsafeMutableBufferPointer<UInt8>) {
        lock.lock()
        defer { lock.unlock() }
        if offset + target.count > Self.size {
            SecureRandom.fill(storage)
            offset = 0
        }
        let source = UnsafeMutableBufferPointer(rebasing: storage[offset..<offset + target.count])
        _ = target.initialize(from: source)
        source.update(repeating: 0)
        offset += target.count
    }
}
