import Identity
import Security
import Storage
import Web

/// Why a request's DPoP proof was refused. The token endpoint answers `400 invalid_dpop_proof`
/// or `use_dpop_nonce`, resource endpoints `401` with a `DPoP` challenge (RFC 9449 §5, §7.1, §8).
enum DPoPRefusal: Error, Sendable {
    /// What was wrong, for `error_description`.
    case invalid(String)
    /// Server nonces are on and the proof lacks a current one: retry with `nonce`.
    case nonceRequired(nonce: String)
}

/// Checks DPoP proofs (RFC 9449) where they need the server's state: a proof's `jti` is
/// accepted once (§11.1), and, with `PROVIDER_DPOP_NONCES=1`, only proofs carrying a current
/// server nonce (§8). Everything the proof alone shows is `DPoPProof.verify`'s.
struct DPoPVerifier: Sendable {
    /// How old a proof may be, and how far in the future (clock skew), in seconds.
    static let maxAge = 300, leeway = 60
    /// A nonce is good for the slot it was made in and the next one (5 to 10 minutes).
    static let nonceSlot = 300

    let database: any Database
    let clock: Clock
    /// The issuer URL: `htu` is checked against it and the request's path.
    let issuer: String
    /// Signs nonces; nil when server nonces are off.
    let nonces: Signer?

    /// The request's verified proof, or nil when it carries none. `accessToken` is the token
    /// the proof must be bound to (`ath`), for requests to resource endpoints.
    func proof(in request: Request, accessToken: String? = nil) async throws -> DPoPProof? {
        let values = request.headers.values(for: "DPoP")
        guard let compact = values.first else { return nil }
        guard values.count == 1 else { throw DPoPRefusal.invalid("Send exactly one DPoP header.") }
        let now = clock.now()
        let proof: DPoPProof
        do {
            proof = try DPoPProof.verify(compact, method: request.method.rawValue, uri: issuer + request.path, now: now,
                                         maxAge: Self.maxAge, leeway: Self.leeway, accessToken: accessToken)
        } catch {
            throw DPoPRefusal.invalid(Self.describe(error))
        }
        if let nonces, !isCurrent(proof.nonce, signer: nonces, now: now) {
            throw DPoPRefusal.nonceRequired(nonce: currentNonce(now: now) ?? "")
        }
        // The key's thumbprint and the jti together: one client cannot spend another's jti.
        let key = TokenHash.of(proof.thumbprint + " " + proof.jti), expiresAt = now + Self.maxAge + Self.leeway
        let fresh = try await database.write { db in
            try db.execute("INSERT INTO dpop_proofs (proof_hash, expires_at) VALUES (?, ?) ON CONFLICT (proof_hash) DO NOTHING",
                           key, expiresAt) == 1
        }
        guard fresh else { throw DPoPRefusal.invalid("This DPoP proof was already used.") }
        return proof
    }

    /// The nonce to hand out now (nil when nonces are off): the signed number of the current slot.
    func currentNonce(now: Int? = nil) -> String? {
        nonces.map { $0.sign(String((now ?? clock.now()) / Self.nonceSlot)) }
    }

    private func isCurrent(_ nonce: String?, signer: Signer, now: Int) -> Bool {
        guard let nonce, nonce.utf8.count <= 200, let text = signer.unsign(nonce), let slot = Int(text) else { return false }
        let current = now / Self.nonceSlot
        return slot == current || slot == current - 1
    }

    /// Removes proofs past the window in which they could be replayed.
    static func purge(before cutoff: Int, in db: any Connection) throws -> Int {
        try db.execute("DELETE FROM dpop_proofs WHERE expires_at < ?", cutoff)
    }

    static func describe(_ error: DPoPError) -> String {
        switch error {
        case .malformed: "The DPoP proof is not a well-formed JWT."
        case .wrongType: "The DPoP proof must have typ dpop+jwt."
        case .unsupportedAlgorithm: "The DPoP proof must be signed with ES256, RS256 or EdDSA."
        case .badKey: "The DPoP proof must carry a public jwk of its algorithm."
        case .badSignature: "The DPoP proof signature does not verify."
        case .missingClaim(let name): "The DPoP proof lacks \(name)."
        case .wrongMethod: "The DPoP proof htm does not match the request method."
        case .wrongURI: "The DPoP proof htu does not match the request URI."
        case .stale: "The DPoP proof iat is outside the accepted window."
        case .wrongAccessTokenHash: "The DPoP proof ath does not match the access token."
        }
    }
}
