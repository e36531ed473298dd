import Foundation

/// Where the provider reads the time (Unix seconds). Production uses the system clock; tests
/// pass one they can move, so expiry is tested without waiting.
public struct ProviderClock: Sendable {
    /// The current time in Unix seconds.
    public let now: @Sendable () -> Int

    /// A clock that reads `now`.
    public init(_ now: @escaping @Sendable () -> Int) { self.now = now }

    /// The system's wall clock.
    public static let system = ProviderClock { Int(Date().timeIntervalSince1970) }
}
