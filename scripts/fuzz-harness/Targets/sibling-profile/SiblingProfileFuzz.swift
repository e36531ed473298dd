import Accounts
import Security

/// `SiblingProfile.map` on arbitrary JSON: never traps; a mapped profile has a non-empty uid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSiblingProfile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let json = ProviderAPI.decode(Array(UnsafeBufferPointer(start: data, count: size))),
          let profile = try? SiblingProfile.map(json) else { return 0 }
    precondition(!profile.uid.isEmpty, "empty uid")
    return 0
}
