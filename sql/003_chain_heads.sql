-- Each key's chain head, which the next report of that key must follow:
-- the chain of a report is (host_id, key), so a host whose key the operator
-- replaced starts a new chain at the new key's first report.
ALTER TABLE keys ADD COLUMN last_sequence bigint, ADD COLUMN last_sha256 text;

-- A gap: a report stored although the reports between the stored head and
-- it never arrived (a push that failed for good on the node); they are
-- recorded, not silently skipped.
ALTER TABLE incidents DROP CONSTRAINT incidents_kind_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_kind_check CHECK (kind IN ('fork', 'replay', 'reorder',
	'bad-signature', 'unknown-key', 'revoked-key', 'wrong-host', 'bad-nonce', 'malformed', 'silent', 'gap'));

-- A key the operator enrolled without naming its host (enroll --pubkey FILE
-- alone) is bound to the host its first verified report names, provided
-- the collector does not know that host yet.
ALTER TABLE keys ALTER COLUMN host_id DROP NOT NULL;

-- Nonces by age, for expiring the unused ones.
CREATE INDEX nonces_issued ON nonces (issued_at);

INSERT INTO schema_migrations (version) VALUES (3);
