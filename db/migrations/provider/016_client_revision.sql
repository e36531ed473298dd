-- A client's revision, raised by every change to its row (issue 17). The token endpoint keeps
-- recently authenticated clients in memory and mints tokens for one only if the revision it holds
-- is still the stored one, checked inside the minting transaction, so a cached client can never
-- outlive a change made by this process or any other. Portable across SQLite and PostgreSQL.
ALTER TABLE clients ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
