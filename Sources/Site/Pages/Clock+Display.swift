import Foundation
import Identity

/// How pages print times: a page matter, so it lives with the site's pages, not in the clock.
extension Clock {
    /// `2026-11-23 14:05 UTC`.
    static func format(_ seconds: Int) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        return date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
            .replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    /// `2026-11-23`.
    static func formatDate(_ seconds: Int) -> String {
        Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601.year().month().day().dateSeparator(.dash))
    }
}
