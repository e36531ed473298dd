/// Time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), with the parameters every
/// authenticator app supports: HMAC-SHA1, 6 digits, 30-second steps. Pure: the time comes in,
/// and what was last used comes in; storing it is the caller's part (Identity.TOTPDevices).
public struct TOTP: Sendable {
    /// Length of a new secret: 160 bits, as RFC 4226 recommends for HMAC-SHA1.
    public static let secretLength = 20
    /// Steps either side of now that are still accepted, for clocks that drift and people who type slowly.
    public static let allowedDrift = 1

    /// The shared secret.
    public let secret: [UInt8]
    /// Digits per code.
    public let digits: Int
    /// Seconds per step.
    public let period: Int

    /// A generator for `secret`.
    public init(secret: [UInt8], digits: Int = 6, period: Int = 30) {
        precondition((6...8).contains(digits) && period > 0, "TOTP parameters out of range")
        self.secret = secret
        self.digits = digits
        self.period = period
    }

    /// A new random secret.
    public static func generateSecret() -> [UInt8] {
        SecureRandom.bytes(secretLength)
    }

    /// The time step (RFC 6238 T) that `time` (Unix seconds) falls in.
    public func step(at time: Int) -> Int64 {
        Int64(time.floorDivided(by: period))
    }

    /// The code for `step`, zero-padded.
    public func code(step: Int64) -> String {
        Self.hotp(secret: secret, counter: UInt64(bitPattern: step), digits: digits)
    }

    /// The code at `time`.
    public func code(at time: Int) -> String {
        code(step: step(at: time))
    }

    /// What a typed code is.
    public enum Match: Sendable, Equatable {
        /// The code of `step`, which is after the last used one: store `step` as the last used.
        case valid(step: Int64)
        /// The code of a step at or before the last used one: it was (or could have been) used.
        case alreadyUsed
        /// Not the code of any step within `allowedDrift` of now.
        case invalid
    }

    /// Checks `typed` against the steps within `allowedDrift` of `time`, refusing any step at or
    /// before `lastUsedStep`, so the same code (or an older one) cannot be used twice. Spaces
    /// are ignored.
    public func match(_ typed: String, at time: Int, lastUsedStep: Int64?) -> Match {
        let cleaned = Array(typed.utf8.filter { $0 != UInt8(ascii: " ") })
        guard cleaned.count == digits, cleaned.allSatisfy({ (0x30...0x39).contains($0) }) else { return .invalid }
        let now = step(at: time)
        var fresh: Int64?, stale = false
        // Every candidate is compared, in constant time, so timing does not say which step matched.
        for candidate in (now - Int64(Self.allowedDrift))...(now + Int64(Self.allowedDrift)) {
            guard constantTimeEquals(Array(code(step: candidate).utf8), cleaned) else { continue }
            if let lastUsedStep, candidate <= lastUsedStep {
                stale = true
            } else if fresh == nil {
                fresh = candidate
            }
        }
        if let fresh { return .valid(step: fresh) }
        return stale ? .alreadyUsed : .invalid
    }

    /// The `otpauth://` URI authenticator apps import (the Key URI Format every app follows):
    /// `otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30`.
    public func provisioningURI(issuer: String, account: String) -> String {
        let label = Self.percentEncode(issuer) + ":" + Self.percentEncode(account)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(Self.percentEncode(issuer))"
            + "&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }

    /// HOTP (RFC 4226 §5.3): HMAC-SHA1 of the big-endian counter, dynamically truncated.
    static func hotp(secret: [UInt8], counter: UInt64, digits: Int) -> String {
        let message = (0..<8).reversed().map { UInt8(truncatingIfNeeded: counter >> ($0 * 8)) }
        let mac = HMAC.sha1(key: secret, message: message)
        let offset = Int(mac[19] & 0x0F)
        let binary = (UInt32(mac[offset]) & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let number = String(binary % modulus)
        return String(repeating: "0", count: digits - number.count) + number
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so a `:` or `&` in an
    /// issuer or account name cannot change the URI's structure.
    static func percentEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return output
    }
}

private extension Int {
    /// Division rounding toward negative infinity, so times before 1970 still get a step.
    func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
