import Accounts
import Web

/// `OAuthFlow.parseTokenResponse` on an arbitrary body (JSON or form-encoded) with a status the
/// first byte picks: never traps; an accepted reply has an access token and expiry times that
/// are not in the past.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let statuses = [200, 201, 400, 401, 403, 500, 502, 302]
    let response = ClientResponse(status: statuses[Int(data[0]) % statuses.count],
                                  body: Array(UnsafeBufferPointer(start: data + 1, count: size - 1)))
    let now = 1_700_000_000
    guard let tokens = try? OAuthFlow.parseTokenResponse(response, now: now) else { return 0 }
    precondition(!tokens.accessToken.isEmpty, "empty access token accepted")
    if let expiresAt = tokens.expiresAt { precondition(expiresAt > now, "expiry in the past") }
    if let expiresAt = tokens.refreshExpiresAt { precondition(expiresAt > now, "refresh expiry in the past") }
    return 0
}
