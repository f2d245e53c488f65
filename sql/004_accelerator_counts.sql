-- The fleet summary's accelerators by model and export class, kept by
-- triggers on accelerators as check_counts is on current_findings (sql/002):
-- the summary reads a few rows instead of every accelerator (800,000 at
-- 100,000 eight-GPU hosts: a second and a half of scanning). Sharded by the
-- chip's host the same way, and a statement changes a counter only where
-- its net change is not zero, so that each report's refresh of its chips
-- (last_seen) touches no counter at all.
CREATE TABLE accelerator_counts (
	model        text NOT NULL,
	export_class text NOT NULL,
	shard        smallint NOT NULL,
	n            bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (model, export_class, shard)
);

CREATE FUNCTION accelerator_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO accelerator_counts AS c (model, export_class, shard, n)
		SELECT coalesce(model, '(unknown)'), coalesce(export_class, '(unknown)'), check_counts_shard(last_host_id), count(*)
		  FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
		ON CONFLICT (model, export_class, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
	ELSIF TG_OP = 'UPDATE' THEN
		INSERT INTO accelerator_counts AS c (model, export_class, shard, n)
		SELECT m, e, s, sum(d) FROM (
			SELECT coalesce(model, '(unknown)') m, coalesce(export_class, '(unknown)') e, check_counts_shard(last_host_id) s, 1 d FROM new_rows
			UNION ALL
			SELECT coalesce(model, '(unknown)'), coalesce(export_class, '(unknown)'), check_counts_shard(last_host_id), -1 FROM old_rows) x
		 GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
		ON CONFLICT (model, export_class, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
	ELSE
		UPDATE accelerator_counts c SET n = c.n - d.n
		  FROM (SELECT coalesce(model, '(unknown)') m, coalesce(export_class, '(unknown)') e, check_counts_shard(last_host_id) s,
			       count(*) n FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) d
		 WHERE c.model = d.m AND c.export_class = d.e AND c.shard = d.s;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER accelerators_count_insert AFTER INSERT ON accelerators
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accelerator_counts_apply();
CREATE TRIGGER accelerators_count_update AFTER UPDATE ON accelerators
	REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION accelerator_counts_apply();
CREATE TRIGGER accelerators_count_delete AFTER DELETE ON accelerators
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION accelerator_counts_apply();

INSERT INTO accelerator_counts (model, export_class, shard, n)
SELECT coalesce(model, '(unknown)'), coalesce(export_class, '(unknown)'), check_counts_shard(last_host_id), count(*)
  FROM accelerators GROUP BY 1, 2, 3;

-- failing CHECK: the failing rows' hosts, subjects and times from the index
-- alone (an index-only scan once vacuumed), not from 8,000 scattered rows of
-- a table of millions.
DROP INDEX current_findings_failing;
CREATE INDEX current_findings_failing ON current_findings (check_id, status) INCLUDE (host_id, subject, received_at);

-- hosts by trust level: an index-only scan instead of the table.
CREATE INDEX hosts_trust_level ON hosts (trust_level);

INSERT INTO schema_migrations (version) VALUES (4);
