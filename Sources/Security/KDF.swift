import COpenSSL

/// PBKDF2 (RFC 8018) with HMAC-SHA256.
public enum PBKDF2 {
    /// Derives `length` bytes; nil when OpenSSL rejects the parameters.
    public static func sha256(password: some Collection<UInt8>, salt: [UInt8], iterations: Int, length: Int) -> [UInt8]? {
        guard iterations > 0, iterations <= Int(Int32.max), length > 0, length <= 1024,
              password.count <= Int(Int32.max), salt.count <= Int(Int32.max) else { return nil }
        let output = [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            let ok = withNonNullBytes(password) { pass, passCount in
                withNonNullBytes(salt) { salt, saltCount in
                    pass.withMemoryRebound(to: CChar.self, capacity: passCount + 1) { pass in
                        PKCS5_PBKDF2_HMAC(pass, Int32(passCount), salt, Int32(saltCount), Int32(iterations),
                                          Fetched.sha256, Int32(length), output.baseAddress)
                    }
                }
            }
            initialized = ok == 1 ? length : 0
        }
        guard output.count == length else {
            clearOpenSSLErrors()
            return nil
        }
        return output
    }
}

/// scrypt (RFC 7914).
public enum Scrypt {
    /// Memory scrypt needs for these parameters, as OpenSSL counts it (B and V arrays).
    public static func memoryNeeded(n: UInt64, r: UInt64, p: UInt64) -> UInt64? {
        let (block, overflow1) = r.multipliedReportingOverflow(by: 128)
        let (bArray, overflow2) = block.multipliedReportingOverflow(by: p)
        let (vArray, overflow3) = block.multipliedReportingOverflow(by: n &+ 2)
        let (total, overflow4) = bArray.addingReportingOverflow(vArray)
        guard !(overflow1 || overflow2 || overflow3 || overflow4) else { return nil }
        return total
    }

    /// Derives `length` bytes with cost `n` (a power of two > 1), block size `r` and parallelism `p`;
    /// nil when the parameters are invalid or would need more than `maxMemory` bytes.
    public static func derive(password: some Collection<UInt8>, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64,
                              length: Int, maxMemory: UInt64 = 256 << 20) -> [UInt8]? {
        guard n > 1, n & (n - 1) == 0, r > 0, p > 0, length > 0, length <= 1024,
              let memory = memoryNeeded(n: n, r: r, p: p), memory <= maxMemory else { return nil }
        let output = [UInt8](unsafeUninitializedCapacity: length) { output, initialized in
            let ok = withNonNullBytes(password) { pass, passCount in
                withNonNullBytes(salt) { salt, saltCount in
                    pass.withMemoryRebound(to: CChar.self, capacity: passCount + 1) { pass in
                        // OpenSSL's default ceiling is 32 MiB, too small for N=2^15, r=8; pass our own.
                        EVP_PBE_scrypt(pass, passCount, salt, saltCount, n, r, p, memory + 1024,
                                       output.baseAddress, length)
                    }
                }
            }
            initialized = ok == 1 ? length : 0
        }
        guard output.count == length else {
            clearOpenSSLErrors()
            return nil
        }
        return output
    }
}

/// Calls `body` with a pointer that is never null, even for empty input, and the real byte count:
/// some OpenSSL entry points treat a null pointer as "parameter missing" rather than "empty".
func withNonNullBytes<R, E: Error>(
    _ bytes: some Collection<UInt8>, _ body: (UnsafePointer<UInt8>, Int) throws(E) -> R
) throws(E) -> R {
    var copy = Array(bytes)
    let count = copy.count
    copy.append(0)
    return try copy.withUnsafeBufferPointer { (buffer) throws(E) -> R in try body(buffer.baseAddress!, count) }
}
