import Foundation

/// IMF-fixdate formatting and parsing (`Sun, 06 Nov 1994 08:49:37 GMT`), without DateFormatter:
/// the server formats one per second per loop, static files parse `If-Modified-Since`.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Formats `date` as an IMF-fixdate.
    public static func format(_ date: Date) -> String { format(epochSeconds: Int(date.timeIntervalSince1970)) }

    /// Formats seconds since 1970 as an IMF-fixdate.
    public static func format(epochSeconds: Int) -> String {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Parses an IMF-fixdate into seconds since 1970; nil for anything else (the obsolete
    /// formats are not worth accepting for conditional requests: a miss only costs a 200).
    public static func parse(_ text: String) -> Int? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", parts[0].count == 4,
              let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3]) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let h = Int(clock[0]), let m = Int(clock[1]), let s = Int(clock[2]) else { return nil }
        var value = tm()
        value.tm_year = Int32(year - 1900)
        value.tm_mon = Int32(monthIndex)
        value.tm_mday = Int32(day)
        value.tm_hour = Int32(h)
        value.tm_min = Int32(m)
        value.tm_sec = Int32(s)
        return Int(timegm(&value))
    }
}
