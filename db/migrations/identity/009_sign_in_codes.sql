-- One-time sign-in codes mailed to an account's address (issue 12): the same shape and rules
-- as email_verifications (one live code per account, hashed, short-lived, counted tries), kept
-- apart so asking to sign in never kills a pending verification code, nor the reverse.
CREATE TABLE IF NOT EXISTS sign_in_codes (
    user_id     BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    code_hash   TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
