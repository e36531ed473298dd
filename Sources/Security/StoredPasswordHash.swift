/// A parsed password hash string; parsing is strict and bounded so a hostile or corrupt row can
/// neither crash the process nor make it allocate gigabytes.
enum StoredPasswordHash: Equatable {
    case scrypt(logN: Int, r: Int, p: Int, salt: [UInt8], key: [UInt8])
    case pbkdf2(iterations: Int, salt: [UInt8], key: [UInt8])

    static let maxLength = 512
    static let maxScryptMemory: UInt64 = 256 << 20
    static let pbkdf2Iterations = 1...10_000_000
    static let saltLengths = 8...64
    static let keyLengths = 16...64

    static func scryptBoundsAllow(logN: Int, r: Int, p: Int) -> Bool {
        guard (1...24).contains(logN), (1...64).contains(r), (1...64).contains(p),
              let memory = Scrypt.memoryNeeded(n: 1 << UInt64(logN), r: UInt64(r), p: UInt64(p)) else {
            return false
        }
        return memory <= maxScryptMemory
    }

    var key: [UInt8] {
        switch self {
        case let .scrypt(_, _, _, _, key), let .pbkdf2(_, _, key): key
        }
    }

    var encoded: String {
        switch self {
        case let .scrypt(logN, r, p, salt, key):
            "$scrypt$ln=\(logN),r=\(r),p=\(p)$\(Base64.encode(salt, padding: false))$\(Base64.encode(key, padding: false))"
        case let .pbkdf2(iterations, salt, key):
            "$pbkdf2-sha256$i=\(iterations)$\(Base64.encode(salt, padding: false))$\(Base64.encode(key, padding: false))"
        }
    }

    init?(parsing stored: String) {
        guard stored.utf8.count <= Self.maxLength else { return nil }
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty,
              let salt = Self.decode(fields[3]), Self.saltLengths.contains(salt.count),
              let key = Self.decode(fields[4]), Self.keyLengths.contains(key.count),
              let params = Self.parameters(fields[2]) else { return nil }
        switch fields[1] {
        case "scrypt":
            guard params.count == 3, let logN = params["ln"], let r = params["r"], let p = params["p"],
                  Self.scryptBoundsAllow(logN: logN, r: r, p: p) else { return nil }
            self = .scrypt(logN: logN, r: r, p: p, salt: salt, key: key)
        case "pbkdf2-sha256":
            guard params.count == 1, let iterations = params["i"],
                  Self.pbkdf2Iterations.contains(iterations) else { return nil }
            self = .pbkdf2(iterations: iterations, salt: salt, key: key)
        default:
            return nil
        }
    }

    /// `k=v,k=v` with small decimal values and no repeated keys.
    private static func parameters(_ field: Substring) -> [String: Int]? {
        var result: [String: Int] = [:]
        for pair in field.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, (1...9).contains(parts[1].count),
                  parts[1].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let value = Int(parts[1]), result[String(parts[0])] == nil else { return nil }
            result[String(parts[0])] = value
        }
        return result
    }

    /// PHC uses standard base64 without padding; URL-safe input is accepted too, since hashes
    /// imported from other systems sometimes use it.
    private static func decode(_ field: Substring) -> [UInt8]? {
        guard !field.isEmpty else { return nil }
        return Base64.decode(field) ?? Base64URL.decode(field)
    }
}
