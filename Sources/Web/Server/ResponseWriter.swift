/// Serializes responses onto a connection's output buffer. Kept apart from the socket code so
/// the wire format can be tested as bytes.
enum ResponseWriter {
    /// Status lines for common codes, built once.
    private static let statusLines: [Int: [UInt8]] = {
        var lines: [Int: [UInt8]] = [:]
        for code in [100, 200, 201, 202, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 408, 409,
                     413, 414, 415, 422, 429, 431, 500, 501, 502, 503, 505] {
            lines[code] = Array("HTTP/1.1 \(HTTPStatus(code))\r\n".utf8)
        }
        return lines
    }()
    private static let crlf: [UInt8] = [13, 10]
    private static let contentLength = Array("Content-Length: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)

    /// Appends the status line, the server's headers (`Date`, `Content-Length`, `Connection`),
    /// the response's headers and, unless omitted, the body. `http10` marks an HTTP/1.0 peer,
    /// which assumes the connection closes unless the response says `keep-alive`.
    static func write(_ response: Response, into out: inout [UInt8], date: [UInt8], keepAlive: Bool,
                      http10: Bool = false, omitBody: Bool) {
        let status = response.status
        out.reserveCapacity(out.count + 256 + response.body.count)
        if let line = statusLines[status.code] {
            out.append(contentsOf: line)
        } else {
            out.append(contentsOf: "HTTP/1.1 \(status)\r\n".utf8)
        }
        out.append(contentsOf: date)
        let sendsBody = !status.forbidsBody
        if sendsBody {
            out.append(contentsOf: contentLength)
            appendDecimal(response.body.count, to: &out)
            out.append(contentsOf: crlf)
        }
        if !keepAlive {
            out.append(contentsOf: connectionClose)
        } else if http10 {
            out.append(contentsOf: connectionKeepAlive)
        }
        for field in response.headers {
            // A CR or LF in a header would let data from a handler split the response: drop it.
            guard isSafe(field.name), isSafe(field.value),
                  !field.name.asciiCaseInsensitiveEquals("Content-Length"),
                  !field.name.asciiCaseInsensitiveEquals("Connection") else { continue }
            out.append(contentsOf: field.name.utf8)
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: field.value.utf8)
            out.append(contentsOf: crlf)
        }
        out.append(contentsOf: crlf)
        if sendsBody && !omitBody { out.append(contentsOf: response.body) }
    }

    private static func isSafe(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while n > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[i]) }
        }
    }
}
