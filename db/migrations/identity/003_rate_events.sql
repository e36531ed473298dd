-- Events counted by rate limits that all instances share (sign-ups per address, API sign-in
-- attempts per address): one row per counted event, deleted by housekeeping once expired.
CREATE TABLE IF NOT EXISTS rate_events (
    bucket      TEXT    NOT NULL,   -- which limit: 'signup', 'api_sign_in', …
    subject     TEXT    NOT NULL,   -- usually the client address
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_events_lookup ON rate_events(bucket, subject, created_at);
CREATE INDEX IF NOT EXISTS rate_events_expiry ON rate_events(expires_at);
