-- Failed sign-ins moved to the identity core's `sign_in_failures` (db/migrations/identity/).
-- Counts in flight are forgotten once: at worst a throttled address gets its tries back early.
DROP TABLE IF EXISTS login_attempts;
