import Identity

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
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2)) "
            + "\(padded(second / 3_600, 2)):\(padded(second / 60 % 60, 2)):\(padded(second % 60, 2)) UTC"
    }

    /// `2026-11-23` (UTC).
    public static func formatDate(_ seconds: Int) -> String {
        let (year, month, day, _) = civil(seconds)
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// The UTC calendar date and the second of that day (Howard Hinnant's `civil_from_days`).
    static func civil(_ seconds: Int) -> (year: Int, month: Int, day: Int, secondOfDay: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day, secondOfDay)
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
