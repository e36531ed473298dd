-- SQLite flavour: ids are INTEGER PRIMARY KEY (rowid aliases); the PostgreSQL file differs there
-- and in the prefix-search indexes (see its header).
-- API bearer tokens, the site's own provider credentials, and the indexes the admin console's
-- search and dashboard need to stay fast with a million users.

-- The client holds a random 256-bit token; only its SHA-256 (hex) is stored.
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE INDEX api_tokens_expiry ON api_tokens(expires_at);

-- Credentials the site itself holds at a provider (a Facebook Page's long-lived token), sealed
-- with the key ring (AES-256-GCM, bound to provider and external id).
CREATE TABLE site_credentials (
    id              INTEGER PRIMARY KEY,
    provider        TEXT    NOT NULL,
    external_id     TEXT    NOT NULL,   -- the Facebook Page id
    token_enc       TEXT    NOT NULL,
    is_valid        INTEGER NOT NULL DEFAULT 0,
    token_type      TEXT,
    expires_at      BIGINT,             -- NULL or 0: never expires
    checked_at      BIGINT,
    created_by      BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (provider, external_id)
);

-- Admin search is a prefix search (range scans), never LIKE '%…%'. users.username_key and
-- users.email_key already have their unique indexes; provider logins are matched case-blind.
CREATE INDEX social_accounts_login_key ON social_accounts(lower(login));
CREATE INDEX social_accounts_uid ON social_accounts(provider_uid);
-- The dashboard's counts and lists, each an index-only range: tokens expiring soon, tokens
-- needing reconnection (marked, or expired with nothing to renew them), administrators and
-- disabled accounts. Partial indexes, because nearly every token is 'active': an index led by
-- status would be no filter at all, and planners without statistics pick it anyway.
CREATE INDEX social_tokens_active_expiry ON social_tokens(expires_at) WHERE status = 'active';
CREATE INDEX social_tokens_unrenewable ON social_tokens(expires_at) WHERE status = 'active' AND refresh_token_enc IS NULL;
CREATE INDEX social_tokens_reconnect ON social_tokens(updated_at) WHERE status = 'reconnect';
CREATE INDEX users_admins ON users(id) WHERE is_admin = 1;
CREATE INDEX users_disabled ON users(id) WHERE is_disabled = 1;
CREATE INDEX audit_log_target ON audit_log(target_user, id);
