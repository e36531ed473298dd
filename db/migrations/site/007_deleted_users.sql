-- Deleted accounts (issue 14): the row of a deleted user is replaced by a tombstone under the
-- same id (no name, no address, no password, disabled), so the audit log's entries about that
-- id stay unambiguous: SQLite would otherwise hand the id of a deleted newest row to the next
-- sign-up. Everything tied to the account goes by ON DELETE CASCADE when the row is replaced.
ALTER TABLE users ADD COLUMN deleted_at BIGINT;
