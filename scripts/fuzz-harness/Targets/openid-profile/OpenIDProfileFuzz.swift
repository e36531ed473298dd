import Accounts
import Security

/// `OpenIDProfile.map` on arbitrary JSON `{"userinfo": …, "claims": {…}}`: never traps; a mapped
/// profile has a non-empty uid, equal to the id_token's `sub` whenever that is present.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenIDProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = ProviderAPI.decode(Array(UnsafeBufferPointer(start: data, count: size))),
          let parts = json.objectValue else { return 0 }
    let claims = parts["claims"]?.objectValue.map(Claims.init)
    guard let profile = try? OpenIDProfile.map(userinfo: parts["userinfo"], claims: claims) else { return 0 }
    precondition(!profile.uid.isEmpty, "empty uid")
    if let sub = claims?.string("sub") { precondition(profile.uid == sub, "uid differs from the id_token sub") }
    precondition(!profile.emailVerified || profile.email != nil, "verified without an email")
    return 0
}
