import CCurl

/// Collects one transfer's response as libcurl hands it over. Reached from the C callbacks through
/// an `Unmanaged` pointer; only ever touched by the one thread running the transfer.
final class ResponseSink {
    let limit: Int
    var body: [UInt8] = []
    var headers: [(String, String)] = []
    /// Set when the body passed `limit` and the write callback aborted the transfer.
    var overflowed = false

    init(limit: Int) { self.limit = limit }

    /// libcurl's `size_t (*)(char *, size_t, size_t, void *)` for body and header data.
    typealias Callback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

    /// Returning fewer bytes than given makes libcurl abort with CURLE_WRITE_ERROR; `overflowed`
    /// tells that abort apart from any other write error.
    static let writeCallback: Callback = {
        data, size, count, context in
        guard let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        guard sink.body.count + length <= sink.limit else {
            sink.overflowed = true
            return 0
        }
        if let data, length > 0 {
            sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        }
        return length
    }

    /// Called once per header line of every response, interim 1xx ones included.
    static let headerCallback: Callback = {
        data, size, count, context in
        guard let context else { return 0 }
        let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
        let length = size * count
        if let data, length > 0 {
            sink.takeHeaderLine(Array(UnsafeRawBufferPointer(start: data, count: length)))
        }
        return length
    }

    private func takeHeaderLine(_ raw: [UInt8]) {
        var line = raw[...]
        while let last = line.last, last == 0x0D || last == 0x0A { line = line.dropLast() }
        guard let first = line.first else { return }
        if line.starts(with: Array("HTTP/".utf8)) {
            // A new status line: whatever came before belonged to an interim response.
            headers.removeAll()
            return
        }
        if first == 0x20 || first == 0x09 {
            // Obsolete line folding: the line continues the previous field's value.
            guard let previous = headers.popLast() else { return }
            headers.append((previous.0, previous.1 + " " + Self.trimmed(line)))
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        let name = String(decoding: line[..<colon], as: UTF8.self)
        headers.append((name, Self.trimmed(line[line.index(after: colon)...])))
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
