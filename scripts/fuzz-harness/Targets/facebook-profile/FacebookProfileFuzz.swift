import Accounts
import Security

/// `FacebookProfile.map` on arbitrary JSON: never traps; a mapped profile has a non-empty uid
/// and never a verified email (Facebook does not vouch for it).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFacebookProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = ProviderAPI.decode(Array(UnsafeBufferPointer(start: data, count: size))),
          let profile = try? FacebookProfile.map(json) else { return 0 }
    precondition(!profile.uid.isEmpty, "empty uid")
    precondition(!profile.emailVerified, "Facebook email marked verified")
    return 0
}
