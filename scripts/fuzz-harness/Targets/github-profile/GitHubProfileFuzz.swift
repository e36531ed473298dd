import Accounts
import Security

/// `GitHubProfile.map` on arbitrary JSON: `[user, emails]` or just `user`. Never traps; a
/// mapped profile has a non-empty uid and only claims a verified email it actually has.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGitHubProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = ProviderAPI.decode(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    let (user, emails): (JSONValue, JSONValue?) = if case .array(let parts) = json, parts.count == 2 {
        (parts[0], parts[1])
    } else {
        (json, nil)
    }
    guard let profile = try? GitHubProfile.map(user: user, emails: emails) else { return 0 }
    precondition(!profile.uid.isEmpty, "empty uid")
    precondition(!profile.emailVerified || profile.email != nil, "verified without an email")
    return 0
}
