import Security

/// `JWT.parse` on arbitrary text: it never traps and anything it accepts has three parts, an
/// `alg` and a signing input that is a prefix of the token.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let compact = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let token = try? JWT.parse(compact) else { return 0 }
    precondition(token.algorithm != nil, "accepted a token without alg")
    precondition(compact.split(separator: ".", omittingEmptySubsequences: false).count == 3)
    _ = (token.keyID, token.claims.string("sub"), token.claims.int("exp"), token.claims.bool("email_verified"))
    return 0
}
