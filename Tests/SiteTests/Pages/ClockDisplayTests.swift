import Foundation
import Identity
import IdentityWeb
import Testing

/// Pages print times with arithmetic of their own; Foundation's ISO 8601 style is the reference.
struct ClockDisplayTests {
    static let samples: [Int] = [0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_709_164_800, 1_795_000_000,
                                 4_102_444_800, 253_402_300_799, -1, -86_400, -34_560_000]

    @Test(arguments: samples) func formatsLikeFoundationsISO8601(seconds: Int) {
        let date = Date(timeIntervalSince1970: TimeInterval(seconds))
        let reference = date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false)
            .timeSeparator(.colon)).replacingOccurrences(of: "T", with: " ")
        #expect(Clock.format(seconds) == reference + " UTC")
        #expect(Clock.formatDate(seconds) == date.formatted(.iso8601.year().month().day().dateSeparator(.dash)))
    }

    @Test func readsAsADateAndATime() {
        #expect(Clock.format(1_795_000_000) == "2026-11-18 11:06:40 UTC")
        #expect(Clock.formatDate(1_795_000_000) == "2026-11-18")
    }
}
