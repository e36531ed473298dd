import Security
import Web

/// Sign-in with a token a front end (a mobile app, a single-page app) obtained from the provider
/// itself. The token's audience is checked first, through the provider's own token-check
/// endpoint (or, for generic OpenID Connect, the id_token's `aud` against the JWKS), so a token
/// issued to another app can never sign anyone in here; then the profile is fetched and the same
/// linking policy as the browser flow applies.
extension SocialAuthService {
    /// Checks `accessToken` (and `idToken`, required for generic OpenID Connect) was issued to our
    /// app, fetches the profile and links it as `intent` says. Throws `SocialAuthError`
    /// (`unknownProvider`, `wrongAudience`, `invalidToken`, `providerUnavailable`, the linking
    /// policy's conflicts); nothing is written unless every check passes.
    public func signIn(frontEndToken accessToken: String, idToken: String?, provider id: String, intent: Intent,
                       ip: String, notice: NoticeMail? = nil) async throws -> Outcome {
        try await OutboundDeadline.run(seconds: signInDeadline) {
            let (provider, api) = try await registry.resolve(id)
            let now = now()
            var tokens = TokenSet(accessToken: accessToken, idToken: idToken)
            if let check = provider.checkAudience {
                try await check(api, accessToken)
            } else if let openID = provider.openID {
                guard let idToken else { throw SocialAuthError.invalidIDToken("an id_token is required for \(id)") }
                tokens.idClaims = try await verifyFrontEndIDToken(idToken, settings: openID, api: api, now: now)
            } else {
                // A provider with no way to check a token's audience must not accept tokens from front ends.
                throw SocialAuthError.unknownProvider(id)
            }
            let profile = try await provider.fetchProfile(api, tokens)
            return try await link(profile, tokens: tokens, provider: provider, intent: intent, returnTo: nil, ip: ip, notice: notice)
        }
    }

    /// Verifies a front end's id_token: signature, issuer, expiry and, above all, `aud`. No nonce:
    /// the front end chose it and we never saw it.
    private func verifyFrontEndIDToken(_ idToken: String, settings: OpenIDSettings, api: ProviderAPI, now: Int) async throws -> Claims {
        let jwt: JWT
        do { jwt = try JWT.parse(idToken) } catch { throw SocialAuthError.invalidToken }
        var keys = try await registry.jwks.keys(at: settings.jwksURL, api: api, now: now)
        for attempt in 0..<2 {
            do {
                return try jwt.verify(using: keys, issuer: settings.issuer, audience: api.clientID, now: now, nonce: nil)
            } catch .unknownKey where attempt == 0 {
                keys = try await registry.jwks.keys(at: settings.jwksURL, api: api, refresh: true, now: now)
            } catch .wrongAudience {
                throw SocialAuthError.wrongAudience
            } catch {
                throw SocialAuthError.invalidToken
            }
        }
        throw SocialAuthError.invalidToken
    }

    /// Whether provider `id` needs an `id_token` from front ends (generic OpenID Connect, whose
}
