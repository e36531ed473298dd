import Foundation

/// Where the identity core and both apps read the time (Unix seconds). Production uses the
/// system clock; tests pass one they can move, so expiry is tested without waiting.
public struct Clock: Sendable {
    /// The current time in Unix seconds.
    public let now: @Sendable () -> Int

    /// A clock that reads `now`.
    public init(_ now: @escaping @Sendable () -> Int) { self.now = now }

    /// The system's wall clock.
    public static let system = Clock { Int(Date().timeIntervalSince1970) }

    /// The system clock's current time, for code that is not handed a clock.
    public static var now: Int { system.now() }
}
