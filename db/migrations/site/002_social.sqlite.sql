-- SQLite flavour: ids are INTEGER PRIMARY KEY (rowid aliases); the PostgreSQL file differs only there.
-- Social accounts linked to users, their tokens (ciphertexts only), and pending OAuth states.

CREATE TABLE social_accounts (
    id              INTEGER PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider        TEXT    NOT NULL,
    provider_uid    TEXT    NOT NULL,   -- GitHub's numeric id, Facebook's app-scoped id, LinkedIn's sub…
    login           TEXT,
    name            TEXT,
    email           TEXT,
    email_verified  INTEGER NOT NULL DEFAULT 0,
    avatar_url      TEXT,
    profile_json    TEXT    NOT NULL DEFAULT '{}',
    created_at      BIGINT  NOT NULL,
    last_login_at   BIGINT,
    UNIQUE (provider, provider_uid)
);
CREATE INDEX social_accounts_user ON social_accounts(user_id);
CREATE INDEX social_accounts_login ON social_accounts(login);

-- One row per social account. Tokens are AES-256-GCM ciphertexts (the key id is inside each
-- ciphertext); status is active, expired, revoked or reconnect.
CREATE TABLE social_tokens (
    social_account_id   BIGINT  PRIMARY KEY REFERENCES social_accounts(id) ON DELETE CASCADE,
    access_token_enc    TEXT    NOT NULL,
    refresh_token_enc   TEXT,
    token_type          TEXT    NOT NULL DEFAULT 'bearer',
    scopes              TEXT    NOT NULL DEFAULT '',
    expires_at          BIGINT,
    refresh_expires_at  BIGINT,
    status              TEXT    NOT NULL DEFAULT 'active',
    last_refresh_at     BIGINT,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX social_tokens_expiry ON social_tokens(expires_at);

-- A login or connect in progress: random, single-use, bound to the browser's session, and
-- short-lived. Only the state's SHA-256 is stored; the PKCE verifier is encrypted.
CREATE TABLE oauth_states (
    state_hash          TEXT    PRIMARY KEY,
    session_binding     TEXT    NOT NULL,
    provider            TEXT    NOT NULL,
    intent              TEXT    NOT NULL,   -- signin or connect
    user_id             BIGINT,             -- for connect
    pkce_verifier_enc   TEXT,
    nonce               TEXT,
    return_to           TEXT,
    redirect_uri        TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT  NOT NULL
);
CREATE INDEX oauth_states_expiry ON oauth_states(expires_at);
