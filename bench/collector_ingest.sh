#!/usr/bin/env bash
# Ingest rate of chipaudit-collector serve: N simulated hosts (default 1000),
# each pushing one signed eight-GPU report with `chipaudit push`, C at a time
# (default 16), against a throwaway collector and PostgreSQL on this machine
# (scripts/collector-dev). Printed next to the two peers on the same bytes:
#   - PostgreSQL's own COPY of the same report bytes into the same table
#     (reports: bytes, signature, host, key, sequence, hash; no findings);
#   - `chipaudit verify --files-from` of the same reports (signed by one key:
#     verify takes one key), one process, a thread per processor.
# Target (the issue): ingest >= 0.5 of the lower of the two. Also printed:
# each host's next report (same findings), the steady state of a fleet.
#
#   bench/collector_ingest.sh [N] [C]     (C connections at once, default 16)
#
# The pushing clients run on the same processors as the collector and the
# database: what they spend (a process, a TLS handshake a report) is taken
# from the collector here, not on a real fleet.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000}
C=${2:-16}
CHIPAUDIT=${CHIPAUDIT:-build/chipaudit}
export CHIPAUDIT_COLLECTOR=${CHIPAUDIT_COLLECTOR:-build/chipaudit-collector}
[ -x "$CHIPAUDIT" ] && [ -x "$CHIPAUDIT_COLLECTOR" ] || { echo "build first: meson setup build && ninja -C build" >&2; exit 1; }
work=$(mktemp -d)
unset CHIPAUDIT_DB
trap '[ -n "${CHIPAUDIT_DB:-}" ] && scripts/collector-dev stop; rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1764403200 NO_COLOR=1
tests/fixtures/empty-dirs.sh restore
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"

"$CHIPAUDIT" keygen --state "$work/state" >/dev/null
"$CHIPAUDIT" audit --root tests/fixtures/h20x8/root --state "$work/state" --sign -o "$work/template.json" >/dev/null || [ $? -le 2 ]
python3 bench/collector_fleet.py "$work/template.json" "$N" "$work"
echo "reports: $N hosts, one eight-GPU report each, $(stat -c %s "$work/hosts/00000.json") bytes, $(jq '[.findings[].subjects[]] | length' "$work/hosts/00000.json") findings rows, 8 accelerators"

# PostgreSQL's settings as a throwaway cluster has them, but durable: fsync on.
eval "$(PG_EXTRA_OPTS='-c fsync=on -c synchronous_commit=on' scripts/collector-dev start --db-connections 8 --max-connections 512)"
psql -X -q -d "$CHIPAUDIT_DB" -f "$work/enroll.sql" >/dev/null

# --- ingest: the first half by a light client over C kept-alive
# connections (bench/collector_load.py), the second by `chipaudit push`, one
# process a host, C at a time, as nodes push: that one also pays, on these
# same processors, a process start and a TLS handshake per report.
ls "$work"/hosts/*.json | head -n $((N / 2)) >"$work/list1"
ls "$work"/hosts/*.json | tail -n +$((N / 2 + 1)) >"$work/list2"
n1=$(wc -l <"$work/list1"); n2=$(wc -l <"$work/list2")
serve_pid=$(cat "$(dirname "$CHIPAUDIT_CACERT")/serve.pid")
cpu() { awk '{print $14 + $15}' "/proc/$serve_pid/stat"; }
# light_load LIST WHAT: LIST's reports through bench/collector_load.py over C
# kept-alive connections, each to be stored (201), else exit naming WHAT.
# Sets rate (reports/s), wall (s) and coll_ms (the collector's CPU a report, ms).
light_load() {
	local n c0 c1 start statuses
	n=$(wc -l <"$1")
	c0=$(cpu)
	start=$(date +%s.%N)
	statuses=$(python3 bench/collector_load.py "$CHIPAUDIT_URL" "$CHIPAUDIT_CACERT" "$C" "$1")
	wall=$(echo "$(date +%s.%N) - $start" | bc -l)
	c1=$(cpu)
	[ "$statuses" = "201:$n" ] || { echo "not all $2 stored: $statuses" >&2; exit 1; }
	rate=$(echo "$n / $wall" | bc -l)
	coll_ms=$(echo "($c1 - $c0) * 1000 / $(getconf CLK_TCK) / $n" | bc -l)
}
light_load "$work/list1" reports
ingest=$rate
printf 'ingest (HTTPS -> serve -> PostgreSQL, verified and committed): %.1f reports/s (%d in %.2f s wall; the collector used %.2f CPU s, %.2f ms a report)\n' \
	"$ingest" "$n1" "$wall" "$(echo "$coll_ms * $n1 / 1000" | bc -l)" "$coll_ms"
start=$(date +%s.%N)
xargs -P "$C" -n 1 "$CHIPAUDIT" push --retries 2 "$CHIPAUDIT_URL" <"$work/list2" >"$work/push.out" 2>"$work/push.err" || true
wall2=$(echo "$(date +%s.%N) - $start" | bc -l)
stored=$(psql -X -At -d "$CHIPAUDIT_DB" -c "SELECT count(*) FROM reports")
[ "$stored" = "$N" ] || { echo "only $stored of $N stored:" >&2; head -5 "$work/push.err" >&2; exit 1; }
printf 'ingest with chipaudit push, a process a host, %d at a time: %.1f reports/s (%d in %.2f s; client-bound here)\n' \
	"$C" "$(echo "$n2 / $wall2" | bc -l)" "$n2" "$wall2"

# --- steady state: the first half's hosts send their next report (sequence
# 2, the same findings), as a fleet's daily reports mostly are: the current
# findings are left as they are (docs/collector-protocol.md)
sed 's#/hosts/#/hosts2/#' "$work/list1" >"$work/list3"
light_load "$work/list3" "next reports"
steady=$rate
printf 'ingest of each host'"'"'s next report, findings unchanged (steady state): %.1f reports/s (%d in %.2f s; the collector used %.2f ms a report)\n' \
	"$steady" "$n1" "$wall" "$coll_ms"

# --- peer 1: COPY of the same bytes into the same table
start=$(date +%s.%N)
psql -X -q -d "$CHIPAUDIT_DB" -c "\\copy reports (host_id, key_fingerprint, sequence, sha256, body, signature) FROM '$work/copy.tsv'"
copy_wall=$(echo "$(date +%s.%N) - $start" | bc -l)
psql -X -q -d "$CHIPAUDIT_DB" -c "DELETE FROM reports WHERE host_id LIKE 'copy-%'"
copy=$(echo "$N / $copy_wall" | bc -l)
printf 'peer: PostgreSQL COPY of the same bytes into reports: %.1f reports/s (%.2f s)\n' "$copy" "$copy_wall"

# --- peer 2: chipaudit verify --files-from on the same reports
ls "$work"/verify/*.json >"$work/vlist"
start=$(date +%s.%N)
"$CHIPAUDIT" verify --pubkey "$work/one.pub.pem" --files-from "$work/vlist" >/dev/null
verify_wall=$(echo "$(date +%s.%N) - $start" | bc -l)
verify=$(echo "$N / $verify_wall" | bc -l)
printf 'peer: chipaudit verify --files-from: %.1f reports/s (%.2f s)\n' "$verify" "$verify_wall"

lower=$(echo "if ($copy < $verify) $copy else $verify" | bc -l)
printf 'ratio: ingest / lower peer = %.2f (target >= 0.5)\n' "$(echo "$ingest / $lower" | bc -l)"
printf 'ratio, steady state: next reports / lower peer = %.2f\n' "$(echo "$steady / $lower" | bc -l)"
