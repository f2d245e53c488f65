-- The dashboard (GET /, src/collector/dashboard.c) and its queries
-- (src/collector/query_pages.c). Numbered 006: 005 is left to the /metrics
-- work; migrate applies the migrations it carries in order, whatever their
-- numbers, and a database records each version it had.
--
-- Reports received per day, for the overview's trend: kept by a trigger on
-- reports as check_counts is on current_findings (sql/002), so that the
-- trend reads 30 x 16 rows instead of counting a month of reports (3,000,000
-- at 100,000 hosts). Sharded by host the same way, so that collectors
-- storing reports of different hosts at once seldom wait on the same row.
-- A partition detached or dropped later leaves its days counted: the trend
-- is of reports received, not of reports kept.
CREATE TABLE report_days (
	day   date NOT NULL,
	shard smallint NOT NULL,
	n     bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (day, shard)
);

CREATE FUNCTION report_days_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_days AS d (day, shard, n)
	SELECT (received_at AT TIME ZONE 'UTC')::date, check_counts_shard(host_id), count(*)
	  FROM new_rows GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (day, shard) DO UPDATE SET n = d.n + EXCLUDED.n;
	RETURN NULL;
END $$;

CREATE TRIGGER reports_days_insert AFTER INSERT ON reports
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_days_apply();

INSERT INTO report_days (day, shard, n)
SELECT (received_at AT TIME ZONE 'UTC')::date, check_counts_shard(host_id), count(*) FROM reports GROUP BY 1, 2;

-- The hosts table filtered by model: the hosts of a model's accelerators
-- from the index alone.
CREATE INDEX accelerators_model_host ON accelerators (model, last_host_id);

-- The diff of two reports needs no index of its own: each report's findings
-- are found by findings_host (host_id, received_at), narrowed by report_id.

INSERT INTO schema_migrations (version) VALUES (6);
