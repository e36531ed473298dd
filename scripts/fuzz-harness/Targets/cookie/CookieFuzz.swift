import Web

/// `Cookies(header:)` on arbitrary text: never traps, and every pair it keeps has a non-empty
/// name and no separator or control character that would let it bleed into another cookie.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCookie(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let header = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let cookies = Cookies(header: header)
    for pair in cookies.pairs {
        precondition(!pair.name.isEmpty, "empty cookie name kept")
        precondition(!pair.name.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "=") },
                     "cookie name with a separator: \(pair.name.debugDescription)")
        precondition(!pair.value.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: ";") || $0 == 0x7F },
                     "cookie value with a separator: \(pair.value.debugDescription)")
        precondition(cookies[pair.name] != nil)
    }
    return 0
}
