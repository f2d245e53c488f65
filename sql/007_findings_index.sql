-- findings_check_status (check_id, status, received_at) served no query:
-- "hosts failing CHECK" reads current_findings (its own index, sql/004), and
-- the queries that read the history (a report's findings, what changed since
-- a date) find a host's rows by findings_host. On the history table it cost
-- one index entry per finding stored, about 290 an eight-GPU report: at
-- 100,000 hosts a day, 29 million entries a day that nothing reads.
DROP INDEX findings_check_status;

INSERT INTO schema_migrations (version) VALUES (7);
