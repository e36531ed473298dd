-- Codes that prove an address (issue 12): one live code per account, hashed, short-lived,
-- with a count of wrong tries. A new code replaces the old one.
CREATE TABLE IF NOT EXISTS email_verifications (
    user_id     BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    code_hash   TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
