import COpenSSL

/// SHA-256 (FIPS 180-4).
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Digest.compute(bytes, algorithm: Fetched.sha256, length: 32)
    }

    /// The 32-byte digest of the string's UTF-8 bytes.
    public static func hash(_ string: String) -> [UInt8] {
        hash(string.utf8)
    }
}

/// SHA-512 (FIPS 180-4).
public enum SHA512 {
    /// The 64-byte digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Digest.compute(bytes, algorithm: Fetched.sha512, length: 64)
    }

    /// The 64-byte digest of the string's UTF-8 bytes.
    public static func hash(_ string: String) -> [UInt8] {
        hash(string.utf8)
    }
}

enum Digest {
    static func compute(_ bytes: some Collection<UInt8>, algorithm: OpaquePointer, length: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            var written: UInt32 = 0
            let ok = withBytes(bytes) { input in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &written, algorithm, nil)
            }
            guard ok == 1, Int(written) == length else { fatalError("EVP_Digest failed") }
            initialized = length
        }
    }
}
