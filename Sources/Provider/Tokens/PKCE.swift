import Security

/// Proof Key for Code Exchange (RFC 7636), S256 only: `plain` would let anyone who sees the
/// authorization request redeem the code.
enum PKCE {
    /// Whether `value` is a well-formed verifier or S256 challenge: 43 to 128 characters of
    /// `[A-Za-z0-9-._~]` (RFC 7636 §4.1; an S256 challenge is always 43).
    static func isWellFormed(_ value: String) -> Bool {
        (43...128).contains(value.utf8.count) && value.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                || b == 0x2D || b == 0x2E || b == 0x5F || b == 0x7E
        }
    }

    /// The S256 challenge for `verifier`: BASE64URL(SHA256(ASCII(verifier))).
    static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256.hash(verifier))
    }

    /// Whether `verifier` answers `challenge`, compared in constant time.
    static func verify(_ verifier: String, against challenge: String) -> Bool {
        isWellFormed(verifier) && constantTimeEquals(Array(Self.challenge(for: verifier).utf8), Array(challenge.utf8))
    }
}
