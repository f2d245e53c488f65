-- Incidents by kind, kept by a trigger on incidents so that /metrics reads
-- a dozen rows instead of counting a table that only grows. Sharded like
-- check_counts (by the row's id) so that concurrent refusals seldom wait on
-- the same counter row.
CREATE TABLE incident_counts (
	kind  text NOT NULL,
	shard smallint NOT NULL,
	n     bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, shard)
);

CREATE FUNCTION incident_counts_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO incident_counts (kind, shard, n) VALUES (NEW.kind, (NEW.id % 16)::smallint, 1)
	ON CONFLICT (kind, shard) DO UPDATE SET n = incident_counts.n + 1;
	RETURN NULL;
END $$;

CREATE TRIGGER incidents_count_insert AFTER INSERT ON incidents
	FOR EACH ROW EXECUTE FUNCTION incident_counts_apply();

CREATE FUNCTION incident_counts_forget() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE incident_counts SET n = n - 1 WHERE kind = OLD.kind AND shard = (OLD.id % 16)::smallint;
	RETURN NULL;
END $$;

CREATE TRIGGER incidents_count_delete AFTER DELETE ON incidents
	FOR EACH ROW EXECUTE FUNCTION incident_counts_forget();

INSERT INTO incident_counts (kind, shard, n)
SELECT kind, (id % 16)::smallint, count(*) FROM incidents GROUP BY 1, 2;

INSERT INTO schema_migrations (version) VALUES (5);
