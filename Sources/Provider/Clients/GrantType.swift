import Localization

/// The OAuth 2.0 grants the provider implements; a client may use only those it was given.
public enum GrantType: String, Sendable, CaseIterable, Comparable {
    case authorizationCode = "authorization_code"
    case refreshToken = "refresh_token"
    case clientCredentials = "client_credentials"
    /// The resource owner password grant: only for clients explicitly granted it.
    case password
    /// The device authorization grant (RFC 8628): devices without a browser, per client.
    case deviceCode = "urn:ietf:params:oauth:grant-type:device_code"

    /// What a client gets when nobody says otherwise (the CLI and the admin form): a web
    /// application signing users in.
    public static let defaultForNewClients: Set<GrantType> = [.authorizationCode, .refreshToken]

    /// What whoever enables the password grant for a client is told: the admin page in its
    /// reader's language (hence one literal, for the catalog), the CLI and the log in English.
    static let passwordGrantWarningMessage = Message("the password grant (resource owner password credentials) is enabled for this client; RFC 9700 §2.4 says it MUST NOT be used: the client sees the user's password, and no second factor or consent page can protect the sign-in. Prefer the authorization code grant with PKCE, or the device grant for devices without a browser.")

    /// The warning in English, for the CLI and the log.
    public static let passwordGrantWarning = passwordGrantWarningMessage.description

    /// Every grant's wire name, for help texts and error messages (`a|b|c`).
    public static func names(separator: String) -> String { allCases.map(\.rawValue).joined(separator: separator) }

    /// Declaration order, so listings read the same everywhere.
    public static func < (a: GrantType, b: GrantType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
