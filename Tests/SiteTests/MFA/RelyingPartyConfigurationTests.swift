import Foundation
import Identity
import Site
import Testing
import Web

/// Issue 14: where passkeys belong (the RP ID) and which pages may use them, from the environment.
@Suite struct RelyingPartyConfigurationTests {
    func request(host: String) -> Request {
        Request(head: RequestHead(method: .post, target: "/login/passkey/options", headers: ["Host": host]))
    }

    @Test func baseURLNamesTheRelyingParty() throws {
        let configuration = try SiteConfiguration(environment: ["BASE_URL": "https://Login.Example.com/"])
        let party = configuration.relyingParty(for: request(host: "evil.example"), userVerification: .required)
        #expect(party.id == "login.example.com")
        #expect(party.origins == ["https://login.example.com"])
        #expect(party.userVerification == .required)
    }

    @Test func overridesWin() throws {
        let configuration = try SiteConfiguration(environment: [
            "BASE_URL": "https://login.example.com", "WEBAUTHN_RP_ID": "example.com",
            "WEBAUTHN_ORIGINS": "https://login.example.com, https://www.example.com",
        ])
        let party = configuration.relyingParty(for: request(host: "login.example.com"), userVerification: .preferred)
        #expect(party.id == "example.com")
        #expect(party.origins == ["https://login.example.com", "https://www.example.com"])
    }

    @Test func withoutBaseURLTheRequestsHostStandsIn() throws {
        let configuration = try SiteConfiguration(environment: [:])
        let party = configuration.relyingParty(for: request(host: "localhost:8080"), userVerification: .preferred)
        #expect(party.id == "localhost" || party.id == "127.0.0.1")
        #expect(party.origins.count == 1)
    }

    @Test(arguments: [
        ["BASE_URL": "https://login.example.com", "WEBAUTHN_RP_ID": "other.example"],
        ["BASE_URL": "https://login.example.com", "WEBAUTHN_RP_ID": "ample.com"],
        ["WEBAUTHN_ORIGINS": "https://example.com/path"],
        ["WEBAUTHN_ORIGINS": "example.com"],
    ])
    func badSettingsAreRefusedAtStartUp(_ environment: [String: String]) {
        #expect(throws: ConfigurationError.self) { try SiteConfiguration(environment: environment) }
    }
}
