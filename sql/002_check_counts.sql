-- Each check's pass/warn/fail/skip/error counts over the fleet's current
-- findings, kept by triggers on current_findings so that the fleet summary
-- reads a few hundred rows instead of scanning every host's findings.
-- The counts are split into 16 shards by host, so that collectors storing
-- reports of different hosts at the same time seldom wait on the same
-- counter row; each statement applies its deltas in (check, status, shard)
-- order, so two of them cannot deadlock on the counters.
CREATE TABLE check_counts (
	check_id text NOT NULL,
	status   text NOT NULL,
	shard    smallint NOT NULL,
	n        bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (check_id, status, shard)
);

CREATE FUNCTION check_counts_shard(host text) RETURNS smallint
LANGUAGE sql IMMUTABLE AS $$ SELECT (abs(hashtext(host)) % 16)::smallint $$;

CREATE FUNCTION check_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO check_counts AS c (check_id, status, shard, n)
		SELECT check_id, status, check_counts_shard(host_id), count(*)
		  FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
		ON CONFLICT (check_id, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
	END IF;
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE check_counts c SET n = c.n - d.n
		  FROM (SELECT check_id, status, check_counts_shard(host_id) AS shard, count(*) AS n
			  FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) d
		 WHERE c.check_id = d.check_id AND c.status = d.status AND c.shard = d.shard;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER current_findings_count_insert AFTER INSERT ON current_findings
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_counts_apply();
CREATE TRIGGER current_findings_count_update AFTER UPDATE ON current_findings
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_counts_apply();
CREATE TRIGGER current_findings_count_delete AFTER DELETE ON current_findings
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION check_counts_apply();

-- Counts for what current_findings holds already.
INSERT INTO check_counts (check_id, status, shard, n)
SELECT check_id, status, check_counts_shard(host_id), count(*) FROM current_findings GROUP BY 1, 2, 3;

-- silent --for: hosts by the time of their last report.
CREATE INDEX hosts_last_received ON hosts (last_received_at);
-- chip history: a chip's sightings in time order (the primary key leads with chip_id).
-- incidents since a date: incidents_at exists.

INSERT INTO schema_migrations (version) VALUES (2);
