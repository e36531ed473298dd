-- Password checks are reserved before the hash is computed (so a burst of concurrent guesses
-- cannot all get through): each check writes its rows first, tagged with the attempt, and a
-- successful one deletes them again. Rows of scope 'pair' count per account and address.
ALTER TABLE sign_in_failures ADD COLUMN attempt TEXT;
CREATE INDEX IF NOT EXISTS sign_in_failures_attempt ON sign_in_failures(attempt);
