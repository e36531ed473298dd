-- Outbound mail, written in the same transaction as the event that causes it and delivered by
-- a worker afterwards (Identity.Outbox): a crash between the two loses nothing. The message text
-- holds codes and links, so it is stored encrypted (data_enc) and blanked once delivered.
CREATE TABLE IF NOT EXISTS outbox (
    message_id       TEXT    PRIMARY KEY,      -- the Message-ID, without brackets
    user_id          BIGINT,                   -- whom it concerns, for the admin user page
    kind             TEXT    NOT NULL,         -- 'password_reset', 'password_changed', …
    recipient        TEXT    NOT NULL,
    sender           TEXT    NOT NULL,
    data_enc         TEXT    NOT NULL,         -- '' once sent or given up
    status           TEXT    NOT NULL DEFAULT 'pending',   -- 'pending', 'sent', 'failed'
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    created_at       BIGINT  NOT NULL,
    next_attempt_at  BIGINT  NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_user ON outbox(user_id, created_at);
