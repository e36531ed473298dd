import Mustache

/// Mustache templates from arbitrary text: parsing never traps (it throws ParseError), and a
/// template that parses renders against a fixed context without trapping. The context has no
/// lists, so rendering stays linear in the template's size.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMustache(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let template = try? Template(source, name: "fuzz") else { return 0 }
    _ = template.render(context)
    return 0
}

private let context = FuzzContext()

private struct FuzzContext: MustacheObject {
    func value(forKey key: String) -> MustacheValue? {
        switch key {
        case "name": MustacheValue("<b>Ada</b> & \"co\"")
        case "count": MustacheValue(3)
        case "yes": MustacheValue(true)
        case "no": MustacheValue(false)
        case "user", "a", "b": MustacheValue(FuzzContext())
        default: nil
        }
    }
}
