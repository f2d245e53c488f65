-- A small fleet for tests/collector/query.sh, written as the collector
-- stores reports: three hosts, their reports, findings, chips and incidents.
-- A current finding keeps the report (and time) that set its status.
-- Times are fixed in November 2026 except host c's last report, an hour ago.
SELECT ensure_month_partitions('2026-11-01Z');
INSERT INTO hosts (host_id, hostname, enrolled_at, enrolment, last_sequence, last_received_at, trust_level, worst) VALUES
 ('aaaa0001', 'gpu-a', '2026-11-01T00:00:00Z', 'operator', 2, '2026-11-02T00:00:00Z', 3, 'fail'),
 ('bbbb0002', 'gpu-b', '2026-11-01T00:00:00Z', 'operator', 2, '2026-11-02T00:00:00Z', 2, 'pass'),
 ('cccc0003', E'gpu-c\x1b[31m', '2026-11-10T00:00:00Z', 'first-use', 1, now() - interval '1 hour', NULL, 'warn');
INSERT INTO reports (id, received_at, host_id, key_fingerprint, sequence, sha256, report_time, hostname, trust_level, worst, body, signature) VALUES
 (1, '2026-11-01T00:00:00Z', 'aaaa0001', 'sha256:aa', 1, 'a1', '2026-11-01T00:00:00Z', 'gpu-a', 3, 'pass', '{}', ''),
 (2, '2026-11-02T00:00:00Z', 'aaaa0001', 'sha256:aa', 2, 'a2', '2026-11-02T00:00:00Z', 'gpu-a', 3, 'fail', '{}', ''),
 (3, '2026-11-01T00:00:00Z', 'bbbb0002', 'sha256:bb', 1, 'b1', '2026-11-01T00:00:00Z', 'gpu-b', 2, 'pass', '{}', ''),
 (4, '2026-11-02T00:00:00Z', 'bbbb0002', 'sha256:bb', 2, 'b2', '2026-11-02T00:00:00Z', 'gpu-b', 2, 'pass', '{}', ''),
 (5, now() - interval '1 hour', 'cccc0003', 'sha256:cc', 1, 'c1', NULL, 'gpu-c', NULL, 'warn', '{}', '');
INSERT INTO findings (report_id, received_at, host_id, check_id, subject, status) VALUES
 (1, '2026-11-01T00:00:00Z', 'aaaa0001', 'backdoor.driver.cve', 'host', 'pass'),
 (1, '2026-11-01T00:00:00Z', 'aaaa0001', 'identity.pci', '0000:17:00.0', 'pass'),
 (2, '2026-11-02T00:00:00Z', 'aaaa0001', 'backdoor.driver.cve', 'host', 'fail'),
 (2, '2026-11-02T00:00:00Z', 'aaaa0001', 'identity.pci', '0000:17:00.0', 'pass'),
 (3, '2026-11-01T00:00:00Z', 'bbbb0002', 'backdoor.driver.cve', 'host', 'pass'),
 (4, '2026-11-02T00:00:00Z', 'bbbb0002', 'backdoor.driver.cve', 'host', 'pass');
INSERT INTO current_findings (host_id, check_id, subject, status, report_id, received_at) VALUES
 ('aaaa0001', 'backdoor.driver.cve', 'host', 'fail', 2, '2026-11-02T00:00:00Z'),
 ('aaaa0001', 'identity.pci', '0000:17:00.0', 'pass', 1, '2026-11-01T00:00:00Z'),
 ('aaaa0001', 'identity.pci', '0000:2a:00.0', 'fail', 2, '2026-11-02T00:00:00Z'),
 ('bbbb0002', 'backdoor.driver.cve', 'host', 'pass', 3, '2026-11-01T00:00:00Z'),
 ('cccc0003', 'backdoor.driver.cve', 'host', 'warn', 5, now() - interval '1 hour'),
 ('cccc0003', 'identity.pci', '0000:17:00.0', 'skip', 5, now() - interval '1 hour');
INSERT INTO accelerators (chip_id, uuid, vendor, model, export_class, first_seen, last_seen, last_host_id, last_pci_address) VALUES
 ('GPU-1111', 'GPU-1111', 'nvidia', 'H100 SXM5 80GB', '3A090.a', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', 'bbbb0002', '0000:17:00.0'),
 ('GPU-2222', 'GPU-2222', 'nvidia', 'H100 SXM5 80GB', '3A090.a', '2026-11-01T00:00:00Z', '2026-11-02T00:00:00Z', 'aaaa0001', '0000:17:00.0'),
 ('pci:cccc0003/0000:17:00.0', NULL, 'nvidia', 'H20', 'not 3A090', now() - interval '1 hour', now() - interval '1 hour', 'cccc0003', '0000:17:00.0');
INSERT INTO sightings (chip_id, report_id, received_at, host_id, pci_address) VALUES
 ('GPU-1111', 1, '2026-11-01T00:00:00Z', 'aaaa0001', '0000:2a:00.0'),
 ('GPU-1111', 4, '2026-11-02T00:00:00Z', 'bbbb0002', '0000:17:00.0'),
 ('GPU-2222', 1, '2026-11-01T00:00:00Z', 'aaaa0001', '0000:17:00.0'),
 ('GPU-2222', 2, '2026-11-02T00:00:00Z', 'aaaa0001', '0000:17:00.0');
INSERT INTO incidents (at, kind, host_id, key_fingerprint, sequence, sha256, detail) VALUES
 ('2026-11-03T00:00:00Z', 'replay', 'aaaa0001', 'sha256:aa', 2, 'a2', 'sequence 2 stored already'),
 ('2026-11-04T00:00:00Z', 'unknown-key', NULL, 'sha256:ff', 1, 'f1', 'no such key');
