import Web

/// `FormData(urlEncoded:)` (query strings and form bodies) on arbitrary text: never traps, and
/// whatever it decodes survives an encode/decode round trip unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzForm(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let form = FormData(urlEncoded: Substring(text)) else { return 0 }
    guard let again = FormData(urlEncoded: Substring(form.encoded)) else {
        fatalError("encoded form does not decode: \(form.encoded.debugDescription)")
    }
    let before = form.pairs.map { "\($0.name)=\($0.value)" }
    let after = again.pairs.map { "\($0.name)=\($0.value)" }
    // Pairs with an empty name and value encode to "=", which decodes back as one such pair.
    precondition(before == after, "round trip changed \(before) into \(after)")
    return 0
}
