import COpenSSL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Algorithm handles fetched once per process; OpenSSL 3 makes implicit fetches (EVP_sha256() and
/// friends) pay a provider lookup on every use, which shows up on per-request paths.
enum Fetched {
    nonisolated(unsafe) static let sha256: OpaquePointer = fetchDigest("SHA256")
    nonisolated(unsafe) static let sha512: OpaquePointer = fetchDigest("SHA512")
    nonisolated(unsafe) static let aes256GCM: OpaquePointer = {
        guard let cipher = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil) else {
            fatalError("libcrypto lacks AES-256-GCM")
        }
        return cipher
    }()
    nonisolated(unsafe) static let hmac: OpaquePointer = {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else { fatalError("libcrypto lacks HMAC") }
        return mac
    }()
    nonisolated(unsafe) static let hkdf: OpaquePointer = {
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else { fatalError("libcrypto lacks HKDF") }
        return kdf
    }()

    /// `digest=SHA256` for EVP_MAC_init, built once and kept for the life of the process.
    nonisolated(unsafe) static let sha256DigestParams: UnsafePointer<OSSL_PARAM> = digestParams("SHA256")
    /// `digest=SHA1`, for HOTP and TOTP (RFC 4226 and 6238 use HMAC-SHA1, which authenticator apps expect).
    nonisolated(unsafe) static let sha1DigestParams: UnsafePointer<OSSL_PARAM> = digestParams("SHA1")

    private static func digestParams(_ name: String) -> UnsafePointer<OSSL_PARAM> {
        let params = UnsafeMutablePointer<OSSL_PARAM>.allocate(capacity: 2)
        params[0] = OSSL_PARAM_construct_utf8_string(strdup("digest"), strdup(name), 0)
        params[1] = OSSL_PARAM_construct_end()
        return UnsafePointer(params)
    }

    private static func fetchDigest(_ name: String) -> OpaquePointer {
        guard let md = EVP_MD_fetch(nil, name, nil) else { fatalError("libcrypto lacks \(name)") }
        return md
    }
}

/// C strings that live for the whole process, for OpenSSL calls that keep the pointer rather than
/// copying it (OSSL_PARAM_BLD_push_*, EVP_PKEY_CTX_new_from_name): a bridged Swift string would dangle.
enum CName {
    nonisolated(unsafe) static let rsa: UnsafePointer<CChar> = persistent("RSA")
    nonisolated(unsafe) static let n: UnsafePointer<CChar> = persistent("n")
    nonisolated(unsafe) static let e: UnsafePointer<CChar> = persistent("e")
    nonisolated(unsafe) static let ec: UnsafePointer<CChar> = persistent("EC")
    nonisolated(unsafe) static let ed25519: UnsafePointer<CChar> = persistent("ED25519")

    private static func persistent(_ string: String) -> UnsafePointer<CChar> {
        guard let copy = strdup(string) else { fatalError("out of memory") }
        return UnsafePointer(copy)
    }
}

/// An OSSL_PARAM array whose keys and values live exactly as long as the builder.
///
/// OSSL_PARAM stores raw pointers, so Swift's temporary string bridging is not enough.
final class ParamList {
    private var allocations: [UnsafeMutableRawPointer] = []
    private var params: [OSSL_PARAM] = []

    deinit {
        for pointer in allocations { free(pointer) }
    }

    func utf8(_ key: String, _ value: String) {
        let valueCopy = cString(value)
        params.append(OSSL_PARAM_construct_utf8_string(cString(key), valueCopy, 0))
    }

    /// An octet string; never passes a null pointer, since OpenSSL treats that as "absent".
    func octets(_ key: String, _ value: some Collection<UInt8>) {
        let count = value.count
        guard let raw = malloc(max(count, 1)) else { fatalError("out of memory") }
        allocations.append(raw)
        let buffer = raw.bindMemory(to: UInt8.self, capacity: max(count, 1))
        _ = UnsafeMutableBufferPointer(start: buffer, count: count).initialize(from: value)
        params.append(OSSL_PARAM_construct_octet_string(cString(key), buffer, count))
    }

    func withParams<R>(_ body: (UnsafePointer<OSSL_PARAM>) -> R) -> R {
        var all = params
        all.append(OSSL_PARAM_construct_end())
        return all.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        guard let copy = strdup(string) else { fatalError("out of memory") }
        allocations.append(UnsafeMutableRawPointer(copy))
        return copy
    }
}

/// Runs `body` with a pointer to the collection's bytes, copying only when it is not contiguous.
@inline(__always)
func withBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = bytes.withContiguousStorageIfAvailable(body) { return result }
    return Array(bytes).withUnsafeBufferPointer(body)
}

/// Drops whatever OpenSSL queued on this thread's error stack so it cannot leak into a later call.
@inline(__always)
func clearOpenSSLErrors() {
    ERR_clear_error()
}
