import Foundation
import Security
import Testing
import Web
import WebTesting

/// Issue 16: a mail is written in the language of the request that causes it, and a form's
/// errors in the reader's language; English readers keep the English they had.
@Suite struct GermanMailTests {
    static let german: HTTPHeaders = ["Accept-Language": "de-DE,de;q=0.9,en;q=0.5"]

    /// The `Subject` header, RFC 2047 encoded words decoded.
    static func subject(of raw: String) -> String? {
        guard let header = raw.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("Subject: ") }) else { return nil }
        let value = String(header.dropFirst("Subject: ".count))
        guard value.hasPrefix("=?UTF-8?B?"), value.hasSuffix("?=") else { return value }
        let encoded = value.dropFirst("=?UTF-8?B?".count).dropLast(2)
        return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aPasswordResetAskedForInGermanArrivesInGerman() async throws {
        let site = try await TestSite.make()
        _ = try await site.createUser("ada")
        let asked = await site.client().submit("/password/forgot", [("identifier", "ada@example.com")], tokenFrom: "/password/forgot",
                                               headers: Self.german)
        #expect(asked.status.code == 200)
        let mail = try await PasswordResetTests().deliver(site).all
        let reset = try #require(mail.first)
        #expect(Self.subject(of: reset.raw) == "Ihr Latchkey-Passwort zurücksetzen")
        #expect(reset.text.contains("Hallo ada,"))
        #expect(reset.text.contains("Jemand (hoffentlich Sie) hat angefordert, das Passwort Ihres Latchkey-Kontos zurückzusetzen."))
        #expect(reset.text.contains("/password/reset?token="), "the link survives translation")
        #expect(!reset.text.contains("Someone (hopefully you)"))
        #expect(reset.raw.contains("Content-Type: text/html"), "the HTML part is sent too")
    }

    @Test func aPasswordResetAskedForInEnglishStaysEnglish() async throws {
        let site = try await TestSite.make()
        _ = try await site.createUser("ada")
        await site.client().submit("/password/forgot", [("identifier", "ada@example.com")], tokenFrom: "/password/forgot",
                                   headers: ["Accept-Language": "en-GB"])
        let reset = try #require(try await PasswordResetTests().deliver(site).all.first)
        #expect(Self.subject(of: reset.raw) == "Reset your Latchkey password")
        #expect(reset.text.contains("Hello ada,"))
    }

    @Test func aShortPasswordOnTheGermanSignUpFormIsRefusedInGerman() async throws {
        let site = try await TestSite.make()
        let response = await site.client().submit("/signup", [("username", "alice"), ("email", "alice@example.com"), ("password", "short-pw"),
                                                              ("password_confirmation", "short-pw")],
                                                  tokenFrom: "/signup", headers: Self.german)
        #expect(response.status.code == 422)
        #expect(response.text.contains("Verwenden Sie mindestens 10 Zeichen."))
        #expect(!response.text.contains("Use at least 10 characters."))
        #expect(response.text.contains("<html lang=\"de\""))
    }

    @Test func aGermanReaderIsToldOfFailedAttemptsInGerman() async throws {
        let site = try await TestSite.make(["TRUSTED_PROXIES": "1"])
        _ = try await site.createUser("ada")
        for i in 1...2 {
            let intruder = site.client()
            intruder.defaultHeaders.set("X-Forwarded-For", "203.0.113.\(i)")
            await intruder.signIn("ada", password: "not the password")
        }
        let owner = site.client()
        owner.defaultHeaders.set("Accept-Language", "de")
        let signedIn = await owner.signIn("ada")
        let flashes = await owner.follow(signedIn).flashes
        #expect(flashes.contains { $0.contains("Seit Ihrer letzten Anmeldung gab es 2 fehlgeschlagene Versuche") })
    }
}
