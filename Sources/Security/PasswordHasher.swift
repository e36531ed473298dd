/// The outcome of checking a password against a stored hash.
public enum PasswordVerification: Sendable, Equatable {
    /// Wrong password, or a stored string we cannot read.
    case invalid
    /// Right password, stored with the current algorithm and parameters.
    case valid
    /// Right password, but stored with older parameters or the other algorithm: store a fresh hash.
    case validButNeedsRehash
}

/// Hashes passwords with scrypt into a versioned string and verifies scrypt or PBKDF2-SHA256 hashes.
///
/// Hashes look like `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (PHC string format, standard base64
/// without padding); `$pbkdf2-sha256$i=600000$<salt>$<key>` is accepted for verification only.
/// Hashing costs tens of milliseconds and 32 MiB by default: call it off the event loop.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's cost parameter N.
    public let logN: Int
    /// scrypt's block size parameter r.
    public let blockSize: Int
    /// scrypt's parallelism parameter p.
    public let parallelism: Int

    /// Bytes of random salt in every new hash.
    public static let saltLength = 16
    /// Bytes of derived key in every new hash.
    public static let keyLength = 32

    /// Production parameters: N = 2^15, r = 8, p = 1 (32 MiB per hash).
    public static let standard = PasswordHasher()
    /// Cheap parameters (N = 2^10) so test suites that create users stay fast.
    public static let fastForTests = PasswordHasher(logN: 10)

    /// A hasher producing scrypt hashes with the given parameters; they must fit `StoredPasswordHash`'s bounds.
    public init(logN: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
        precondition(StoredPasswordHash.scryptBoundsAllow(logN: logN, r: blockSize, p: parallelism),
                     "scrypt parameters out of range")
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// A new versioned hash of `password` with a fresh random salt.
    public func hash(_ password: String) -> String {
        let salt = SecureRandom.bytes(Self.saltLength)
        let key = derive(password, salt: salt)
        return StoredPasswordHash.scrypt(logN: logN, r: blockSize, p: parallelism, salt: salt, key: key).encoded
    }

    /// Checks `password` against `stored`; malformed or out-of-bounds strings are `.invalid`.
    public func verify(_ password: String, against stored: String) -> PasswordVerification {
        guard let parsed = StoredPasswordHash(parsing: stored) else { return .invalid }
        let candidate: [UInt8]?
        let current: Bool
        switch parsed {
        case let .scrypt(logN, r, p, salt, key):
            candidate = Scrypt.derive(password: password.utf8, salt: salt, n: 1 << UInt64(logN),
                                      r: UInt64(r), p: UInt64(p), length: key.count)
            current = logN == self.logN && r == blockSize && p == parallelism
                && salt.count >= Self.saltLength && key.count == Self.keyLength
        case let .pbkdf2(iterations, salt, key):
            candidate = PBKDF2.sha256(password: password.utf8, salt: salt, iterations: iterations, length: key.count)
            current = false
        }
        guard let candidate, constantTimeEquals(candidate, parsed.key) else { return .invalid }
        return current ? .valid : .validButNeedsRehash
    }

    /// Spends as long as a real `verify` does, so a login for an unknown user takes no less time.
    public func verifyDummy(_ password: String) {
        _ = derive(password, salt: [UInt8](repeating: 0, count: Self.saltLength))
    }

    private func derive(_ password: String, salt: [UInt8]) -> [UInt8] {
        guard let key = Scrypt.derive(password: password.utf8, salt: salt, n: 1 << UInt64(logN),
                                      r: UInt64(blockSize), p: UInt64(parallelism), length: Self.keyLength) else {
            fatalError("scrypt failed with parameters that passed validation")
        }
        return key
    }
}
