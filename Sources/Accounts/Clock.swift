import Foundation

/// Wall-clock time for pages and records: Unix seconds, and how pages print them.
public enum Clock {
    public static var now: Int { Int(Date().timeIntervalSince1970) }

    /// `2026-11-23 14:05 UTC`.
    public static func format(_ seconds: Int) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
            .replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// `2026-11-23`.
    public static func formatDate(_ seconds: Int) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }
}
