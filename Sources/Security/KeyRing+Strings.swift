/// Sealing text, for the common case of tokens and secrets that are strings.
extension KeyRing {
    /// Seals the UTF-8 bytes of `plaintext`.
    public func seal(_ plaintext: String, purpose: String, associatedData: [UInt8] = []) -> String {
        seal(Array(plaintext.utf8), purpose: purpose, associatedData: associatedData)
    }

    /// Opens a token sealed from a string; invalid UTF-8 counts as `.malformed`.
    public func openString(_ token: String, purpose: String, associatedData: [UInt8] = []) throws(CryptoError) -> String {
        let bytes = try open(token, purpose: purpose, associatedData: associatedData)
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .malformed }
        return string
    }
}
