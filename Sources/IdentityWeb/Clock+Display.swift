import Identity
import Localization

/// How pages print times: a page matter, so it lives with the shared web layer (site and provider
/// pages both print them), not in the clock.
///
/// Computed from the Unix time directly (UTC, proleptic Gregorian calendar), not through
/// Foundation's `ISO8601FormatStyle` and `replacingOccurrences`: the account page prints a
/// few of these per session listed, and that route cost more than its four database queries.
extension Clock {
    /// `2026-11-23 14:05:07 UTC`: a time on a page names its zone (the server does not know the
    /// reader's, and a bare time reads as local).
    public static func format(_ seconds: Int) -> String {
        let (year, month, day, second) = civil(seconds)
        return "\(CivilTime.padded(year, 4))-\(CivilTime.padded(month, 2))-\(CivilTime.padded(day, 2)) "
            + "\(CivilTime.padded(second / 3_600, 2)):\(CivilTime.padded(second / 60 % 60, 2)):\(CivilTime.padded(second % 60, 2)) UTC"
    }

    /// `2026-11-23` (UTC).
    public static func formatDate(_ seconds: Int) -> String {
        let (year, month, day, _) = civil(seconds)
        return "\(CivilTime.padded(year, 4))-\(CivilTime.padded(month, 2))-\(CivilTime.padded(day, 2))"
    }

    /// The UTC calendar date and the second of that day.
    static func civil(_ seconds: Int) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        let civil = CivilTime(seconds)
        return (civil.year, civil.month, civil.day, civil.secondOfDay)
    }
}
