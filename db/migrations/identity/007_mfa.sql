-- Second factors (issue 14), for both apps: WebAuthn challenges and user handles, TOTP
-- authenticator apps and recovery codes. The credentials table needs an id column whose type
-- differs between dialects, so it has its own migration (008).

-- Challenges of passkey ceremonies: random 256-bit values the browser signs over. Only their
-- SHA-256 (hex) is stored; each is used once (used_at) and lives five minutes.
CREATE TABLE webauthn_challenges (
    challenge_hash  TEXT    PRIMARY KEY,
    purpose         TEXT    NOT NULL,   -- 'registration' or 'authentication'
    user_id         BIGINT  REFERENCES users(id) ON DELETE CASCADE,   -- NULL: sign-in without a username
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges(expires_at);

-- The opaque WebAuthn user handle of each account (32 random bytes, base64url): what a passkey
-- returns to name its account when no username was typed. Random rather than the user id, so
-- an authenticator learns nothing about the account and handles never repeat across apps.
CREATE TABLE webauthn_user_handles (
    user_id     BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    handle      TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL
);

-- One authenticator app per account. The secret is sealed with the key ring (AES-256-GCM,
-- bound to the user id); last_used_step is the RFC 6238 time step of the last code accepted,
-- so no code (or an older one) works twice. confirmed_at stays NULL until a first code proves
-- the app was set up.
CREATE TABLE totp_devices (
    user_id         BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_enc      TEXT    NOT NULL,
    confirmed_at    BIGINT,
    last_used_step  BIGINT,
    created_at      BIGINT  NOT NULL
);

-- Single-use recovery codes: SHA-256 (hex) of the user id and the code, never the code.
CREATE TABLE recovery_codes (
    user_id     BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_hash   TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    used_at     BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
