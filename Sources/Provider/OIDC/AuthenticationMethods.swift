/// The `amr` and `acr` the provider states in id_tokens. `amr` lists RFC 8176 values: `pwd`
/// (password), `otp` (an authenticator-app code or a recovery code, both one-time passwords),
/// `hwk`/`swk` (a passkey, kept for when passkeys become a second factor here), and `mfa` once two
/// factors were used. `acr` is a level, as Keycloak numbers its levels of authentication: `"1"`
/// for a password, `"2"` for a password and a second factor. A request's `acr_values` name the
/// lowest level it accepts; values we do not know are ignored (OpenID Connect Core §3.1.2.1: a
/// voluntary request).
enum AuthenticationMethods {
    /// A password alone.
    static let passwordLevel = 1
    /// A password and a second factor.
    static let multiFactorLevel = 2
    /// What discovery advertises as `acr_values_supported`.
    static let supportedACRValues = ["1", "2"]

    /// The level a sign-in with `methods` reaches.
    static func level(_ methods: [String]) -> Int { methods.contains("mfa") ? multiFactorLevel : passwordLevel }

    /// The `acr` claim for `methods`.
    static func acr(_ methods: [String]) -> String { String(level(methods)) }

    /// The lowest level among the known values of `acr_values` (nil: nothing we know was asked).
    static func requiredLevel(_ acrValues: [String]) -> Int? {
        acrValues.compactMap { supportedACRValues.contains($0) ? Int($0) : nil }.min()
    }

    /// Stored `amr` text back to values (an empty column reads as a password sign-in).
    static func parse(_ stored: String) -> [String] {
        let values = stored.split(separator: " ").map(String.init)
        return values.isEmpty ? ["pwd"] : values
    }
}
