@testable import Security

/// Shared test material; RSA keys are generated once per test run because generation is slow.
enum Fixtures {
    static let signingKey: RSAPrivateKey = {
        guard let key = try? RSAPrivateKey.generate() else { fatalError("test key generation failed") }
        return key
    }()

    static let otherKey: RSAPrivateKey = {
        guard let key = try? RSAPrivateKey.generate() else { fatalError("test key generation failed") }
        return key
    }()

    static func hex(_ string: String) -> [UInt8] {
        guard let bytes = Hex.decode(string) else { fatalError("bad hex in test vector") }
        return bytes
    }

    static func bytes(_ string: String) -> [UInt8] {
        Array(string.utf8)
    }
}
