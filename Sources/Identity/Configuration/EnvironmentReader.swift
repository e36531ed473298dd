import Foundation

/// Where a process runs; production refuses unsafe defaults.
public enum AppEnvironment: String, Sendable { case development, production, test }

/// A configuration error that names the variable at fault, so start-up fails with a line a
/// deployer can act on; when several variables are wrong, every one is reported at once.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The (first) environment variable at fault.
    public let variable: String
    /// What is wrong with it.
    public let problem: String
    /// The other problems found in the same reading.
    public var others: [ConfigurationError] = []

    /// An error about `variable`.
    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String {
        ([self] + others).map { "configuration error: \($0.variable) \($0.problem)" }.joined(separator: "\n")
    }
}

/// Collects configuration problems while a configuration is read, so one start-up reports all
/// of them instead of one per attempt.
public struct ConfigurationProblems: Sendable {
    private var found: [ConfigurationError] = []

    /// No problems yet.
    public init() {}

    /// The value `body` reads, or `fallback` (never used: `check` throws) when it fails.
    public mutating func read<T>(_ fallback: T, _ body: () throws(ConfigurationError) -> T) -> T {
        do {
            return try body()
        } catch {
            found.append(error)
            return fallback
        }
    }

    /// Records a problem found by a rule that spans variables.
    public mutating func add(_ variable: String, _ problem: String) {
        found.append(ConfigurationError(variable: variable, problem: problem))
    }

    /// Throws every problem found, the first one leading.
    public func check() throws(ConfigurationError) {
        guard var first = found.first else { return }
        first.others = Array(found.dropFirst())
        throw first
    }
}

/// Reads typed settings from environment variables (12-factor), for the site, the provider and
/// each identity provider's own file. A variable that is unset or empty means its fallback
/// variable (`PROVIDER_PORT` → `PORT`), then its entry in `defaults`; every reader names the
/// variable in the error it throws.
public struct EnvironmentReader: Sendable {
    /// The variables as given.
    public let variables: [String: String]
    let defaults: [String: String]
    let fallbacks: [String: String]

    /// A reader over `variables`, with `defaults` for unset keys and `fallbacks` naming another
    /// variable to try first.
    public init(_ variables: [String: String], defaults: [String: String] = [:], fallbacks: [String: String] = [:]) {
        self.variables = variables
        self.defaults = defaults
        self.fallbacks = fallbacks
    }

    /// The value of `key`, its fallback's, its default, or "".
    public func string(_ key: String) -> String {
        if let set = variables[key], !set.isEmpty { return set }
        if let other = fallbacks[key], let set = variables[other], !set.isEmpty { return set }
        return defaults[key] ?? ""
    }

    /// The value of `key`, or `fallback` when unset or empty.
    public func string(_ key: String, default fallback: String) -> String {
        let value = string(key)
        return value.isEmpty ? fallback : value
    }

    /// The value of `key`, or nil when it is unset or empty.
    public func optional(_ key: String) -> String? {
        let value = string(key)
        return value.isEmpty ? nil : value
    }

    /// A whole number within `range`.
    public func number(_ key: String, _ range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let n = Int(string(key)), range.contains(n) else {
            throw ConfigurationError(variable: key, problem: "must be a whole number in \(range.lowerBound)...\(range.upperBound) (got \"\(string(key))\")")
        }
        return n
    }

    /// A positive number of seconds (fractions allowed).
    public func seconds(_ key: String) throws(ConfigurationError) -> Double {
        guard let n = Double(string(key)), n > 0, n.isFinite else {
            throw ConfigurationError(variable: key, problem: "must be a positive number of seconds (got \"\(string(key))\")")
        }
        return n
    }

    /// `1`, `true` or `yes` (any case) is on; anything else is off.
    public func flag(_ key: String) -> Bool { ["1", "true", "yes"].contains(string(key).lowercased()) }

    /// A comma-separated list, each item trimmed, empty items dropped.
    public func list(_ key: String) -> [String] {
        string(key).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One of the named values.
    public func choice<T>(_ key: String, _ options: KeyValuePairs<String, T>) throws(ConfigurationError) -> T {
        let value = string(key)
        guard let match = options.first(where: { $0.key == value }) else {
            let names = options.map(\.key)
            let listed = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
            throw ConfigurationError(variable: key, problem: "must be \(listed) (got \"\(value)\")")
        }
        return match.value
    }

    /// `APP_ENV`: development, production or test.
    public func appEnvironment(_ key: String = "APP_ENV") throws(ConfigurationError) -> AppEnvironment {
        try choice(key, ["development": .development, "production": .production, "test": .test])
    }

    /// An absolute http(s) URL without query or fragment, its trailing slash dropped; nil when
    /// unset. `example` shows the deployer what is meant.
    public func baseURL(_ key: String, example: String) throws(ConfigurationError) -> String? {
        guard let raw = optional(key) else { return nil }
        guard let url = URL(string: raw), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil,
              url.query == nil, url.fragment == nil else {
            throw ConfigurationError(variable: key, problem: "must be an absolute http(s) URL without query or fragment, such as \(example) (got \"\(raw)\")")
        }
        return raw.hasSuffix("/") ? String(raw.dropLast()) : raw
    }

    /// An endpoint URL override (`GITHUB_API_URL`), its trailing slash dropped, or `fallback`.
    public func endpoint(_ key: String, default fallback: String = "") -> String {
        let value = string(key, default: fallback)
        return value.hasSuffix("/") ? String(value.dropLast()) : value
    }
}
