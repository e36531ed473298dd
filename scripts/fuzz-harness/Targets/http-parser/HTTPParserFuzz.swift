import Web

/// The request parser on arbitrary bytes: it must never trap, and feeding the same bytes whole
/// or in small pieces must give the same requests and the same error (a parser whose verdict
/// depends on how TCP split the stream is a smuggling vector). The first byte picks the piece
/// size, the second small or default limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let piece = 1 + Int(data[0] % 16)
    let limits = data[1] & 1 == 0
        ? HTTPLimits()
        : HTTPLimits(maxHeaderBytes: 256, maxURIBytes: 64, maxBodyBytes: 128, maxHeaderCount: 8)
    let bytes = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let whole = outcome(of: bytes, piece: max(bytes.count, 1), limits: limits)
    let split = outcome(of: bytes, piece: piece, limits: limits)
    if whole != split {
        fatalError("split changes the verdict:\nwhole: \(whole)\nsplit(\(piece)): \(split)")
    }
    return 0
}

/// Requests (without interim 100-continue events, which depend on timing by design) and the
/// final error, as comparable text.
private struct Outcome: Equatable, CustomStringConvertible {
    var requests: [String] = []
    var error: HTTPParseError?
    var description: String { "\(requests) error=\(String(describing: error))" }
}

private func outcome(of bytes: [UInt8], piece: Int, limits: HTTPLimits) -> Outcome {
    var parser = RequestParser(limits: limits)
    var result = Outcome()
    var start = 0
    repeat {
        let end = min(start + piece, bytes.count)
        parser.append(Array(bytes[start..<end]))
        start = end
        do {
            while let event = try parser.next() {
                if case .request(let head, let body) = event {
                    let fields = head.headers.map { "\($0.name): \($0.value)" }.joined(separator: "|")
                    result.requests.append("\(head.method.rawValue) \(head.target) \(head.version) \(fields) \(head.keepAlive) \(body)")
                }
            }
        } catch {
            result.error = error
            _ = parser.isMidRequest
            return result
        }
    } while start < bytes.count
    return result
}
