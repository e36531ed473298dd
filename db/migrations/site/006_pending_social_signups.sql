-- Social sign-ups waiting for the person to choose a username and an address (issue 12,
-- profile completion). The provider's profile and tokens are sealed with the key ring
-- (payload_enc), bound to the row; the code that proves a chosen address is kept as a hash.
-- Nothing here is an account yet: an abandoned row simply expires (housekeeping).
CREATE TABLE IF NOT EXISTS pending_social_signups (
    token_hash   TEXT    PRIMARY KEY,   -- SHA-256 of the random token the browser's session holds
    provider     TEXT    NOT NULL,
    payload_enc  TEXT    NOT NULL,
    username     TEXT,                  -- chosen, once a code is on its way
    email        TEXT,                  -- the address the code went to
    code_hash    TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_social_signups_expiry ON pending_social_signups(expires_at);
