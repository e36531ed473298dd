import COpenSSL

/// Compares two byte strings in time that depends only on their length (CRYPTO_memcmp).
///
/// Different lengths return false at once: lengths of MACs and tokens are public.
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return withBytes(a) { left in
        withBytes(b) { right in
            CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
        }
    }
}
