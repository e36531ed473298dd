import Foundation

/// One deadline for everything a piece of work does outbound (a social sign-in: token exchange,
/// profile, emails, JWKS), instead of per-call timeouts that add up. Set it around the work with
/// `OutboundDeadline.run(seconds:)`; every `CurlHTTPClient` call inside caps its own timeouts to
/// what is left, and fails at once as a timeout when nothing is.
public enum OutboundDeadline {
    /// The deadline of the current task, as `ProcessInfo.systemUptime` seconds.
    @TaskLocal public static var current: Double?

    /// Seconds left before the current deadline; nil when none is set.
    public static var remaining: Double? { current.map { $0 - ProcessInfo.processInfo.systemUptime } }

    /// Runs `body` with a deadline `seconds` from now (or the enclosing one, if sooner).
    public static func run<T>(seconds: Double, _ body: () async throws -> T) async rethrows -> T {
        let mine = ProcessInfo.processInfo.systemUptime + seconds
        return try await $current.withValue(min(mine, current ?? mine), operation: body)
    }
}
