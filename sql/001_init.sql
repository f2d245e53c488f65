-- chipaudit collector schema, version 1 (PostgreSQL 15).
-- Migrations are applied in file-name order by `chipaudit-collector migrate`;
-- each runs in one transaction and records itself in schema_migrations.
-- Reports and findings are partitioned by month on the time the collector
-- received them; unique keys of a partitioned table must contain the partition
-- key, so the chain (host, sequence) is serialised through the hosts row
-- (SELECT ... FOR UPDATE) rather than a unique index.

CREATE TABLE schema_migrations (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
);

-- One row per host that may report. The chain head (last_*) is what the
-- next report must follow.
CREATE TABLE hosts (
	host_id          text PRIMARY KEY CHECK (length(host_id) BETWEEN 1 AND 256),
	hostname         text,
	enrolled_at      timestamptz NOT NULL DEFAULT now(),
	enrolment        text NOT NULL CHECK (enrolment IN ('operator', 'first-use')),
	schedule_seconds integer NOT NULL DEFAULT 86400 CHECK (schedule_seconds > 0),
	last_sequence    bigint,
	last_sha256      text,
	last_received_at timestamptz,
	last_report_id   bigint,
	trust_level      integer,
	worst            text
);

-- Host keys by fingerprint ("sha256:<hex>", as reports name them).
CREATE TABLE keys (
	fingerprint    text PRIMARY KEY,
	host_id        text NOT NULL REFERENCES hosts (host_id),
	public_key_pem text NOT NULL,
	enrolled_at    timestamptz NOT NULL DEFAULT now(),
	enrolment      text NOT NULL CHECK (enrolment IN ('operator', 'first-use')),
	revoked_at     timestamptz,
	revoked_reason text
);
CREATE INDEX keys_host ON keys (host_id);

-- Nonces the collector issued (GET /v1/nonce); a report carrying one uses it up.
CREATE TABLE nonces (
	nonce      text PRIMARY KEY,
	issued_at  timestamptz NOT NULL DEFAULT now(),
	used_at    timestamptz
);

-- Every verified report: its exact bytes and signature, so anyone can check
-- it again with openssl.
CREATE TABLE reports (
	id              bigserial,
	received_at     timestamptz NOT NULL DEFAULT now(),
	host_id         text NOT NULL,
	key_fingerprint text NOT NULL,
	sequence        bigint NOT NULL,
	sha256          text NOT NULL,
	previous_sha256 text,
	nonce           text,
	report_time     timestamptz,
	hostname        text,
	trust_level     integer,
	worst           text,
	body            bytea NOT NULL,
	signature       bytea NOT NULL,
	PRIMARY KEY (received_at, id)
) PARTITION BY RANGE (received_at);
CREATE INDEX reports_host_seq ON reports (host_id, sequence);
CREATE INDEX reports_sha256 ON reports (sha256);

-- Accelerators, tracked by NVML UUID or serial where the report has one,
-- else by host + PCI address ("pci:<host_id>/<address>"). A chip that moves
-- between hosts keeps its row and changes last_host_id.
CREATE TABLE accelerators (
	chip_id        text PRIMARY KEY,
	uuid           text,
	serial         text,
	vendor         text,
	model          text,
	export_class   text,
	first_seen     timestamptz NOT NULL,
	last_seen      timestamptz NOT NULL,
	last_host_id   text NOT NULL,
	last_pci_address text,
	last_report_id bigint
);
CREATE INDEX accelerators_host ON accelerators (last_host_id);
CREATE INDEX accelerators_model ON accelerators (model);

-- Where each chip was seen, report by report.
CREATE TABLE sightings (
	chip_id     text NOT NULL,
	report_id   bigint NOT NULL,
	received_at timestamptz NOT NULL,
	host_id     text NOT NULL,
	pci_address text,
	PRIMARY KEY (chip_id, received_at, report_id)
) PARTITION BY RANGE (received_at);

-- One row per finding of every stored report.
CREATE TABLE findings (
	report_id   bigint NOT NULL,
	received_at timestamptz NOT NULL,
	host_id     text NOT NULL,
	check_id    text NOT NULL,
	subject     text NOT NULL,
	status      text NOT NULL CHECK (status IN ('pass', 'warn', 'fail', 'skip', 'error')),
	severity    text
) PARTITION BY RANGE (received_at);
CREATE INDEX findings_check_status ON findings (check_id, status, received_at);
CREATE INDEX findings_host ON findings (host_id, received_at);

-- Each host's latest findings, replaced on every stored report: what the
-- fleet looks like now ("hosts failing CHECK") without scanning history.
CREATE TABLE current_findings (
	host_id     text NOT NULL,
	check_id    text NOT NULL,
	subject     text NOT NULL,
	status      text NOT NULL,
	report_id   bigint NOT NULL,
	received_at timestamptz NOT NULL,
	PRIMARY KEY (host_id, check_id, subject)
);
CREATE INDEX current_findings_failing ON current_findings (check_id, status);

-- Everything refused or suspicious: forks, replays, reorders, bad signatures,
-- unknown or revoked keys, hosts silent longer than their schedule.
CREATE TABLE incidents (
	id          bigserial PRIMARY KEY,
	at          timestamptz NOT NULL DEFAULT now(),
	kind        text NOT NULL CHECK (kind IN ('fork', 'replay', 'reorder', 'bad-signature',
	                 'unknown-key', 'revoked-key', 'wrong-host', 'bad-nonce', 'malformed', 'silent')),
	host_id     text,
	key_fingerprint text,
	sequence    bigint,
	sha256      text,
	detail      text NOT NULL,
	body        bytea,      -- the refused bytes where they prove something (forks)
	signature   bytea
);
CREATE INDEX incidents_at ON incidents (at);
CREATE INDEX incidents_host ON incidents (host_id, at);

-- Monthly partitions: ensure_month_partitions(t) creates the month holding t
-- for every partitioned table (idempotent); the collector calls it at start
-- and when a month turns. DEFAULT partitions catch anything outside them.
CREATE FUNCTION ensure_month_partitions(t timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	first date := date_trunc('month', t AT TIME ZONE 'UTC')::date;
	parent text;
BEGIN
	FOREACH parent IN ARRAY ARRAY['reports', 'findings', 'sightings'] LOOP
		EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
		               parent || '_' || to_char(first, 'YYYYMM'), parent,
		               first::timestamp AT TIME ZONE 'UTC',
		               (first + interval '1 month')::timestamp AT TIME ZONE 'UTC');
	END LOOP;
END $$;

CREATE TABLE reports_default PARTITION OF reports DEFAULT;
CREATE TABLE findings_default PARTITION OF findings DEFAULT;
CREATE TABLE sightings_default PARTITION OF sightings DEFAULT;

INSERT INTO schema_migrations (version) VALUES (1);
