import FakeProviders
import Foundation
import Testing
import Web

/// One identity provider as the shared contract tests drive it: how the site is configured for
/// it, what its authorize redirect must carry, and the person who approves there. The four fakes
/// conform below. The sibling provider joins by conforming too (a real `Sources/Provider`
/// server with a signed-in person) and by getting a case in `SocialProviderKind`.
protocol ProviderUnderTest: AnyObject, Sendable {
    /// The site's short name for it (`github`), as in `/auth/github`.
    var siteID: String { get }
    /// The name the site shows (`GitHub`).
    var displayName: String { get }
    /// The site's environment variables that point at it.
    var siteEnvironment: [String: String] { get }
    /// The authorize endpoint the site must redirect to (before the `?`).
    var authorizeEndpoint: String { get }
    /// The client id the site is configured with.
    var clientID: String { get }
    /// The `scope` parameter the site must send, with the provider's separator.
    var expectedScope: String { get }
    /// Whether the site must send PKCE S256 (GitHub, OpenID Connect, the sibling).
    var usesPKCE: Bool { get }
    /// Whether the site must send a nonce (generic OpenID Connect only).
    var usesNonce: Bool { get }
    /// The person who approves, as the site should record them.
    var person: ExpectedProfile { get }
    /// Plays the browser at the authorize URL; returns the provider's redirect to the callback.
    func approve(at url: String) async throws -> String
    /// Makes the person refuse the next authorization.
    func denyNextAuthorization()
    /// Renames the person, changes their email and picture; returns what should now be recorded.
    func changePerson() -> ExpectedProfile
    /// Stops the provider's server.
    func stop() async
}

/// What the site should store for a provider account.
struct ExpectedProfile: Sendable, Equatable {
    var uid: String
    var login: String?
    var name: String?
    var email: String?
    var emailVerified: Bool
    var avatarURL: String?
}

/// The providers the shared contract runs against.
enum SocialProviderKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case github, facebook, linkedin, oidc, sibling

    /// The four fakes: what most tests start (the sibling is a whole provider application).
    static let fakes: [SocialProviderKind] = [.github, .facebook, .linkedin, .oidc]

    var testDescription: String { rawValue }

    /// Starts the provider with its person registered.
    func start(gitHubKind: GitHubFake.ClientKind = .oauthApp, facebookGraphVersion: String = "v25.0") async throws -> any ProviderUnderTest {
        switch self {
        case .sibling: return try await SiblingUnderTest.start()
        case .github: return try GitHubFake.withPerson(kind: gitHubKind)
        case .facebook: return try FacebookFake.withPerson(graphVersion: facebookGraphVersion)
        case .linkedin: return try LinkedInFake.withPerson()
        case .oidc: return try OIDCFake.withPerson()
        }
    }
}

extension ProviderUnderTest {
    func approve(at url: String) async throws -> String { try await FakeBrowser.authorize(url) }
}

// MARK: GitHub

extension GitHubFake: ProviderUnderTest {
    static let personID = 583_231

    /// A fake GitHub whose person has a primary verified address and a secondary one.
    static func withPerson(kind: ClientKind) throws -> GitHubFake {
        let fake = try GitHubFake(kind: kind)
        fake.addUser(id: personID, login: "octocat", name: "The Octocat", avatarURL: "https://avatars.example/u/583231?v=4",
                     emails: [("octocat@example.com", true, true), ("old-octocat@example.com", false, true)])
        return fake
    }

    var siteID: String { "github" }
    var displayName: String { "GitHub" }
    var clientID: String { "github-client-id" }
    var siteEnvironment: [String: String] {
        ["GITHUB_CLIENT_ID": clientID, "GITHUB_CLIENT_SECRET": "github-client-secret",
         "GITHUB_AUTH_URL": webBaseURL, "GITHUB_API_URL": apiBaseURL]
    }
    var authorizeEndpoint: String { webBaseURL + "/login/oauth/authorize" }
    var expectedScope: String { "read:user user:email" }
    var usesPKCE: Bool { true }
    var usesNonce: Bool { false }
    var person: ExpectedProfile {
        ExpectedProfile(uid: String(Self.personID), login: "octocat", name: "The Octocat", email: "octocat@example.com",
                        emailVerified: true, avatarURL: "https://avatars.example/u/583231?v=4")
    }

    func denyNextAuthorization() { inject(.deny, on: .authorize) }

    func changePerson() -> ExpectedProfile {
        updateUser(id: Self.personID) { user in
            user.login = "octocat-renamed"
            user.avatarURL = "https://avatars.example/u/583231?v=5"
            user.emails = [GitHubEmail(email: "octo@new.example", primary: true, verified: true)]
        }
        var expected = person
        expected.login = "octocat-renamed"
        expected.email = "octo@new.example"
        expected.avatarURL = "https://avatars.example/u/583231?v=5"
        return expected
    }
}

// MARK: Facebook

extension FacebookFake: ProviderUnderTest {
    static let appID = "1234567890123456"
    static let personID = "100"

    /// A fake Facebook serving `graphVersion`, whose person has an email (never verified for us).
    static func withPerson(graphVersion: String) throws -> FacebookFake {
        let fake = try FacebookFake(appID: appID, graphVersion: graphVersion)
        fake.addUser(id: personID, name: "Mark Example", email: "mark@example.com", pictureURL: "https://pics.example/mark.jpg")
        return fake
    }

    var siteID: String { "facebook" }
    var displayName: String { "Facebook" }
    var clientID: String { Self.appID }
    var siteEnvironment: [String: String] {
        ["FACEBOOK_CLIENT_ID": Self.appID, "FACEBOOK_CLIENT_SECRET": "facebook-app-secret", "FACEBOOK_WWW_URL": wwwBaseURL,
         "FACEBOOK_GRAPH_URL": graphBaseURL, "FACEBOOK_GRAPH_VERSION": graphVersion]
    }
    var authorizeEndpoint: String { wwwBaseURL + "/\(graphVersion)/dialog/oauth" }
    var expectedScope: String { "email,public_profile" }
    var usesPKCE: Bool { false }
    var usesNonce: Bool { false }
    var person: ExpectedProfile {
        ExpectedProfile(uid: Self.appScopedID(ofUser: Self.personID, appID: Self.appID), login: nil, name: "Mark Example",
                        email: "mark@example.com", emailVerified: false, avatarURL: "https://pics.example/mark.jpg")
    }

    func denyNextAuthorization() { inject(.deny, on: .authorize) }

    func changePerson() -> ExpectedProfile {
        updateUser(id: Self.personID) { user in
            user.name = "Mark Renamed"
            user.email = "mark@new.example"
            user.pictureURL = "https://pics.example/mark-2.jpg"
        }
        var expected = person
        expected.name = "Mark Renamed"
        expected.email = "mark@new.example"
        expected.avatarURL = "https://pics.example/mark-2.jpg"
        return expected
    }
}

// MARK: LinkedIn

extension LinkedInFake: ProviderUnderTest {
    static let personSub = "782bbtaQ"

    /// A fake LinkedIn whose member has a verified email (sent as the string "true").
    static func withPerson() throws -> LinkedInFake {
        let fake = try LinkedInFake()
        fake.addUser(sub: personSub, name: "Lin Kedin", email: "lin@example.com", emailVerified: true,
                     picture: "https://media.licdn.example/lin.jpg")
        return fake
    }

    var siteID: String { "linkedin" }
    var displayName: String { "LinkedIn" }
    var clientID: String { "linkedin-client-id" }
    var siteEnvironment: [String: String] {
        ["LINKEDIN_CLIENT_ID": clientID, "LINKEDIN_CLIENT_SECRET": "linkedin-client-secret",
         "LINKEDIN_AUTH_URL": wwwBaseURL, "LINKEDIN_API_URL": apiBaseURL, "LINKEDIN_ISSUER": issuer]
    }
    var authorizeEndpoint: String { wwwBaseURL + "/oauth/v2/authorization" }
    var expectedScope: String { "openid profile email" }
    var usesPKCE: Bool { false }
    var usesNonce: Bool { false }
    var person: ExpectedProfile {
        ExpectedProfile(uid: Self.personSub, login: nil, name: "Lin Kedin", email: "lin@example.com", emailVerified: true,
                        avatarURL: "https://media.licdn.example/lin.jpg")
    }

    func denyNextAuthorization() { inject(.deny, on: .authorize) }

    func changePerson() -> ExpectedProfile {
        updateUser(sub: Self.personSub) { user in
            user.name = "Lin Renamed"
            user.email = "lin@new.example"
            user.picture = "https://media.licdn.example/lin-2.jpg"
        }
        var expected = person
        expected.name = "Lin Renamed"
        expected.email = "lin@new.example"
        expected.avatarURL = "https://media.licdn.example/lin-2.jpg"
        return expected
    }
}

// MARK: Generic OpenID Connect

extension OIDCFake: ProviderUnderTest {
    static let personSub = "248289761001"

    /// A fake OpenID Connect provider whose person has a login name and a verified email.
    static func withPerson() throws -> OIDCFake {
        let fake = try OIDCFake()
        fake.addUser(sub: personSub, name: "Olive Idc", email: "olive@example.com", emailVerified: true,
                     picture: "https://id.example/olive.png", preferredUsername: "olive")
        return fake
    }

    var siteID: String { "oidc" }
    var displayName: String { "Example ID" }
    var clientID: String { "oidc-client-id" }
    var siteEnvironment: [String: String] {
        ["OIDC_DISCOVERY_URL": discoveryURL, "OIDC_CLIENT_ID": clientID, "OIDC_CLIENT_SECRET": "oidc-client-secret",
         "OIDC_NAME": displayName]
    }
    var authorizeEndpoint: String { baseURL + "/authorize" }
    var expectedScope: String { "openid profile email" }
    var usesPKCE: Bool { true }
    var usesNonce: Bool { true }
    var person: ExpectedProfile {
        ExpectedProfile(uid: Self.personSub, login: "olive", name: "Olive Idc", email: "olive@example.com", emailVerified: true,
                        avatarURL: "https://id.example/olive.png")
    }

    func denyNextAuthorization() { inject(.deny, on: .authorize) }

    func changePerson() -> ExpectedProfile {
        updateUser(sub: Self.personSub) { user in
            user.preferredUsername = "olive-renamed"
            user.email = "olive@new.example"
            user.picture = "https://id.example/olive-2.png"
        }
        var expected = person
        expected.login = "olive-renamed"
        expected.email = "olive@new.example"
        expected.avatarURL = "https://id.example/olive-2.png"
        return expected
    }
}
