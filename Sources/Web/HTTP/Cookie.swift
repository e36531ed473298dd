import Foundation

/// A cookie to send with `Set-Cookie` (RFC 6265 §4.1).
public struct Cookie: Sendable, Equatable {
    /// `SameSite` attribute values.
    public enum SameSite: String, Sendable { case strict = "Strict", lax = "Lax", none = "None" }

    public var name: String
    public var value: String
    /// Seconds until expiry; 0 or negative deletes the cookie.
    public var maxAge: Int?
    /// An absolute expiry, for old clients that ignore Max-Age.
    public var expires: Date?
    public var path: String?
    public var domain: String?
    public var secure: Bool
    public var httpOnly: Bool
    public var sameSite: SameSite?

    /// A cookie with our safe defaults: `Path=/; HttpOnly; SameSite=Lax`.
    public init(name: String, value: String, maxAge: Int? = nil, expires: Date? = nil, path: String? = "/",
                domain: String? = nil, secure: Bool = false, httpOnly: Bool = true, sameSite: SameSite? = .lax) {
        self.name = name
        self.value = value
        self.maxAge = maxAge
        self.expires = expires
        self.path = path
        self.domain = domain
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    /// A cookie that tells the browser to forget `name` at `path`.
    public static func expired(_ name: String, path: String = "/", secure: Bool = false) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, expires: Date(timeIntervalSince1970: 0), path: path, secure: secure)
    }

    /// Why a cookie cannot be serialized.
    public enum InvalidCookie: Error, Equatable, Sendable {
        case name(String), value(String), attribute(String)
    }

    /// The `Set-Cookie` value, after checking every part against RFC 6265's grammar.
    public func serialized() throws(InvalidCookie) -> String {
        guard !name.isEmpty, name.utf8.allSatisfy(Cookie.isTokenByte) else { throw .name(name) }
        guard Cookie.isValidValue(value) else { throw .value(value) }
        var out = name + "=" + value
        if let maxAge { out += "; Max-Age=\(maxAge)" }
        if let expires { out += "; Expires=" + HTTPDate.format(expires) }
        if let domain {
            guard domain.utf8.allSatisfy(Cookie.isAttributeByte) else { throw .attribute(domain) }
            out += "; Domain=" + domain
        }
        if let path {
            guard path.utf8.allSatisfy(Cookie.isAttributeByte) else { throw .attribute(path) }
            out += "; Path=" + path
        }
        if secure || sameSite == SameSite.none { out += "; Secure" }
        if httpOnly { out += "; HttpOnly" }
        if let sameSite { out += "; SameSite=" + sameSite.rawValue }
        return out
    }

    /// The header value; cookies built by our code are always valid, so an invalid one is a
    /// programming error and traps rather than sending a header that splits the response.
    var headerValue: String {
        do { return try serialized() } catch { preconditionFailure("invalid cookie: \(error)") }
    }

    /// cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E, optionally in double quotes.
    static func isValidValue(_ value: String) -> Bool { isValidValue(Substring(value).utf8) }

    static func isValidValue(_ value: Substring.UTF8View) -> Bool {
        var bytes = value
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            bytes = bytes.dropFirst().dropLast()
        }
        return bytes.allSatisfy(isValueByte)
    }

    static func isValidValue(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        var bytes = value[...]
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") {
            bytes = bytes.dropFirst().dropLast()
        }
        return bytes.allSatisfy(isValueByte)
    }

    static func isValueByte(_ b: UInt8) -> Bool {
        b == 0x21 || (0x23...0x2B).contains(b) || (0x2D...0x3A).contains(b) || (0x3C...0x5B).contains(b) || (0x5D...0x7E).contains(b)
    }

    /// RFC 9110 token characters.
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(b)
        }
    }

    /// Attribute values: any CHAR except CTLs and `;`.
    static func isAttributeByte(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x7F && b != UInt8(ascii: ";") }
}

/// The cookies sent by a client in its `Cookie` header.
public struct Cookies: Sendable {
    /// Name/value pairs in the order sent, junk skipped.
    public private(set) var pairs: [(name: String, value: String)] = []

    /// Parses a `Cookie` header leniently: pairs without `=`, with an invalid name or value, or
    /// with control characters are skipped rather than failing the whole header. Spaces and tabs
    /// around names and values are dropped (the whitespace of RFC 6265 §5.2).
    ///
    /// Byte by byte, with no Foundation: every page a returning visitor loads parses this header,
    /// and `trimmingCharacters(in:)` (an `NSString` round trip per piece) was 45% of the
    /// instructions of such a page.
    public init(header: String?) {
        guard let header else { return }
        Self.scan(header) { name, value in
            pairs.append((name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
            return false
        }
    }

    /// The first value sent for `name` in a `Cookie` header, read the same lenient way as
    /// ``init(header:)`` without building the other pairs (a middleware that wants one cookie).
    public static func value(named name: String, inHeader header: String?) -> String? {
        guard let header else { return nil }
        var found: String?
        var wanted = name
        wanted.withUTF8 { wantedBytes in
            scan(header) { candidate, value in
                guard candidate.elementsEqual(wantedBytes) else { return false }
                found = String(decoding: value, as: UTF8.self)
                return true
            }
        }
        return found
    }

    /// Calls `body` with each well-formed pair's bytes, in order, until it returns `true`.
    ///
    /// Byte by byte over the header's storage, with no Foundation and no intermediate arrays:
    /// every page a returning visitor loads reads this header (`trimmingCharacters(in:)`, an
    /// `NSString` round trip per piece, was once 45% of such a page).
    private static func scan(
        _ header: String, _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
    ) {
        var text = header
        text.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: ";") { end += 1 }
                if let (name, value) = pair(in: UnsafeBufferPointer(rebasing: bytes[start..<end])), body(name, value) { return }
                start = end + 1
            }
        }
    }

    /// The trimmed name and value of one `name=value` piece, or nil when it is junk.
    private static func pair(in piece: UnsafeBufferPointer<UInt8>) -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)? {
        guard let eq = piece.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let name = trimmed(UnsafeBufferPointer(rebasing: piece[..<eq]))
        var value = trimmed(UnsafeBufferPointer(rebasing: piece[(eq + 1)...]))
        guard !name.isEmpty, name.allSatisfy(Cookie.isTokenByte), Cookie.isValidValue(value) else { return nil }
        let quote = UInt8(ascii: "\"")
        if value.count >= 2, value.first == quote, value.last == quote { value = UnsafeBufferPointer(rebasing: value[1..<(value.count - 1)]) }
        return (name, value)
    }

    /// Without the spaces and tabs at either end (RFC 6265 §5.2's whitespace).
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0, upper = bytes.count
        while lower < upper && (bytes[lower] == HTTPSyntax.space || bytes[lower] == HTTPSyntax.htab) { lower += 1 }
        while upper > lower && (bytes[upper - 1] == HTTPSyntax.space || bytes[upper - 1] == HTTPSyntax.htab) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[lower..<upper])
    }

    /// The first value sent for `name`.
    public subscript(name: String) -> String? {
        for pair in pairs where pair.name == name { return pair.value }
        return nil
    }
}
