import Foundation

/// Reads a `.env` file (`KEY=value` lines, `#` comments, optional quotes) for development.
/// Values already in the process environment win, so a deployer's settings are never overridden.
public enum DotEnv {
    /// The process environment with `.env`'s values (if the file exists) underneath.
    public static func merged(with processEnvironment: [String: String] = ProcessInfo.processInfo.environment,
                              path: String = ".env") -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return processEnvironment }
        var merged = parse(text)
        for (key, value) in processEnvironment { merged[key] = value }
        return merged
    }

    /// Parses `.env` text; malformed lines are skipped.
    public static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            values[key] = value
        }
        return values
    }
}
