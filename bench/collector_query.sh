#!/usr/bin/env bash
# Query latency of the collector's database on a generated fleet: H hosts
# (default 100,000) x D daily reports (default 30), eight accelerators a
# host, R current findings a host (default 70: 30 host checks and 5 checks
# of each of 8 GPUs; 1% of hosts failing backdoor.iommu.passthrough; every
# host an enrolled key; 1% of hosts last heard from 3 days ago and 1 in 15
# 28 or 29 hours ago, past a day's schedule and the 4 h grace: 7.7% silent), as
# chipaudit-collector stores them (the check counters kept by sql/002's
# triggers). Prints the median of 7 runs of `chipaudit-collector query
# summary` and `query failing CHECK` (whole processes: start, connect, query,
# print), and of the SQL alone (EXPLAIN ANALYZE's execution time).
# Target (the issue): under 200 ms each.
#
#   bench/collector_query.sh [H] [D] [R]
#
# The reports are rows with a placeholder body: these two queries never read
# report bodies or the findings history (they read hosts, accelerators,
# check_counts and current_findings), so the history is generated as report
# rows only; its size shows in the table sizes printed.
set -eu
cd "$(dirname "$0")/.."
H=${1:-100000}
D=${2:-30}
R=${3:-70}
export CHIPAUDIT_COLLECTOR=${CHIPAUDIT_COLLECTOR:-build/chipaudit-collector}
[ -x "$CHIPAUDIT_COLLECTOR" ] || { echo "build first: meson setup build && ninja -C build" >&2; exit 1; }
unset CHIPAUDIT_DB
[ -n "${KEEP:-}" ] || trap '[ -n "${CHIPAUDIT_DB:-}" ] && scripts/collector-dev stop; rm -rf "${TMPDIR_BENCH:-}"' EXIT
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
eval "$(PG_EXTRA_OPTS='-c shared_buffers=512MB -c max_wal_size=4GB -c log_min_duration_statement=0' scripts/collector-dev start)"
pglog="$(dirname "$CHIPAUDIT_CACERT")/pg/postgresql.log"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$CHIPAUDIT_DB" "$@"; }

start=$(date +%s)
host_checks=$((R - 40)); [ "$host_checks" -ge 1 ] || host_checks=1
sql <<EOF
SET client_min_messages = warning;
SELECT ensure_month_partitions(now() - make_interval(days => d)) FROM generate_series(0, $D, 28) d;
INSERT INTO hosts (host_id, hostname, enrolment, last_sequence, last_received_at, trust_level, worst)
SELECT lpad(to_hex(h), 32, '0'), 'gpu-' || h, 'operator', $D,
       CASE WHEN h % 100 = 50 THEN now() - interval '3 days' ELSE now() - interval '1 hour' * (h % 30) END, h % 4,
       CASE WHEN h % 100 = 0 THEN 'fail' ELSE 'warn' END
  FROM generate_series(1, $H) h;
INSERT INTO keys (fingerprint, host_id, public_key_pem, enrolment)
SELECT 'sha256:' || md5(h::text), lpad(to_hex(h), 32, '0'), '(generated)', 'operator' FROM generate_series(1, $H) h;
INSERT INTO reports (received_at, host_id, key_fingerprint, sequence, sha256, body, signature)
SELECT now() - make_interval(days => $D - s), lpad(to_hex(h), 32, '0'), 'sha256:' || md5(h::text), s,
       md5(h || '/' || s), '\x7b7d', '\x00'
  FROM generate_series(1, $H) h, generate_series(1, $D) s;
INSERT INTO accelerators (chip_id, uuid, vendor, model, export_class, first_seen, last_seen, last_host_id, last_pci_address)
SELECT 'GPU-' || h || '-' || g, 'GPU-' || h || '-' || g, 'NVIDIA', CASE WHEN h % 3 = 0 THEN 'H100 SXM' ELSE 'H20' END,
       CASE WHEN h % 3 = 0 THEN '3A090.a' ELSE 'none' END, now() - interval '30 days', now(), lpad(to_hex(h), 32, '0'),
       '0000:' || lpad(to_hex(16 * g), 2, '0') || ':00.0'
  FROM generate_series(1, $H) h, generate_series(1, 8) g;
INSERT INTO current_findings (host_id, check_id, subject, status, report_id, received_at)
SELECT lpad(to_hex(h), 32, '0'), 'host.check' || c, 'host', CASE WHEN c % 5 = 0 THEN 'warn' ELSE 'pass' END, h, now()
  FROM generate_series(1, $H) h, generate_series(1, $host_checks) c
UNION ALL
SELECT lpad(to_hex(h), 32, '0'), CASE WHEN c = 1 THEN 'backdoor.iommu.passthrough' ELSE 'gpu.check' || c END,
       '0000:' || lpad(to_hex(16 * g), 2, '0') || ':00.0',
       CASE WHEN c = 1 AND h % 100 = 0 THEN 'fail' WHEN c = 2 THEN 'skip' ELSE 'pass' END, h, now()
  FROM generate_series(1, $H) h, generate_series(1, 5) c, generate_series(1, 8) g;
VACUUM ANALYZE;
EOF
echo "fleet: $H hosts, $((H * D)) reports, $((H * 8)) accelerators, $(sql -c "SELECT count(*) FROM current_findings") current findings; generated in $(($(date +%s) - start)) s"
echo "sizes: $(sql -c "SELECT string_agg(t || ' ' || pg_size_pretty(pg_total_relation_size(t::regclass)), ', ') FROM unnest(ARRAY['current_findings','accelerators','hosts','check_counts']) t"), reports $(sql -c "SELECT pg_size_pretty(sum(pg_total_relation_size(relid))) FROM pg_partition_tree('reports')")"

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# Each run twice over: the whole process, and the time PostgreSQL spent
# executing its statements (log_min_duration_statement=0: the sum of the
# durations it logged for that run). This machine is shared and loaded: a
# process that only prints its version takes tens of ms here.
bench() { # NAME QUERY ARGS...
	local name=$1 t lines; shift
	"$CHIPAUDIT_COLLECTOR" query "$@" --json >/dev/null  # warm
	: >"$TMPDIR_BENCH/whole"; : >"$TMPDIR_BENCH/sql"
	for _ in 1 2 3 4 5 6 7; do
		lines=$(wc -l <"$pglog")
		t=$(date +%s%N); "$CHIPAUDIT_COLLECTOR" query "$@" --json >/dev/null; echo $((($(date +%s%N) - t) / 1000)) >>"$TMPDIR_BENCH/whole"
		sleep 0.2
		tail -n +$((lines + 1)) "$pglog" | sed -n 's/.*duration: \([0-9.]*\) ms.*/\1/p' | awk '{s += $1} END {print s + 0}' >>"$TMPDIR_BENCH/sql"
	done
	printf '%-42s median %7.1f ms whole process, %7.1f ms in PostgreSQL\n' "$name" \
		"$(median <"$TMPDIR_BENCH/whole" | awk '{print $1 / 1000}')" "$(median <"$TMPDIR_BENCH/sql")"
}
TMPDIR_BENCH=$(mktemp -d)
bench "query summary" summary
bench "query failing backdoor.iommu.passthrough" failing backdoor.iommu.passthrough
echo "hosts failing: $("$CHIPAUDIT_COLLECTOR" query failing backdoor.iommu.passthrough --json | jq '.hosts | length')"
