-- DPoP (RFC 9449), issue 15. Portable across SQLite and PostgreSQL.
-- The RFC 7638 thumbprint (`jkt`) of the key a token is bound to; NULL for bearer tokens. A
-- code carries the `dpop_jkt` its authorization request named (§10), so only that key may
-- redeem it. Refresh tokens are bound only for public clients (§5): a confidential client's are
-- already bound to its credentials.
ALTER TABLE authorization_codes ADD COLUMN dpop_jkt TEXT;
ALTER TABLE access_tokens ADD COLUMN dpop_jkt TEXT;
ALTER TABLE refresh_tokens ADD COLUMN dpop_jkt TEXT;

-- Proofs seen, by the SHA-256 of their key's thumbprint and `jti` (§11.1): a proof is accepted
-- once. Rows outlive the window in which their proof would be accepted, then housekeeping
-- drops them. The primary key makes concurrent replays lose: only one INSERT adds the row.
CREATE TABLE dpop_proofs (
    proof_hash  TEXT    PRIMARY KEY,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX dpop_proofs_expiry ON dpop_proofs(expires_at);
