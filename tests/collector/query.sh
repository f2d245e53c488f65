#!/usr/bin/env bash
# chipaudit-collector query against a throwaway PostgreSQL holding a small
# fleet (query_fleet.sql, stored as the collector stores reports): every
# subcommand's exact answer, in JSON and text, hostile host names escaped,
# the check counts kept by sql/002's triggers, and the errors.
. "$SRCDIR/tests/cli/lib.sh"
. "$SRCDIR/tests/collector/query_pg.sh"
: "${QUERY:?}"

if [ ! -x "$PG_BIN/initdb" ]; then
	echo "1..0 # SKIP PostgreSQL server binaries not installed (scripts/install-deps installs postgresql)"
	exit 0
fi
PGT=$(mktemp -d /tmp/chipaudit-query.XXXXXX)
trap 'pg_stop; rm -rf "$PGT" "$TMP"' EXIT
if pg_start "$PGT"; then pass "throwaway PostgreSQL with sql/*.sql"; else fail "throwaway PostgreSQL with sql/*.sql" "$(tail -n 5 "$PGT"/*.log)"; finish; exit 1; fi
# migrate: the migrations applied once, in order, and a second run changes nothing
got=$(cat "$PGT/migrate.log")
[ "$got" = $'applied 001_init.sql\napplied 002_check_counts.sql\napplied 003_chain_heads.sql\napplied 004_accelerator_counts.sql\napplied 005_incident_counts.sql\napplied 006_dashboard.sql\napplied 007_findings_index.sql' ] && pass "migrate applies 001 to 007" || fail "migrate applies 001 to 007" "exit $rc: $got"
got=$(psql -X -At -d "$PGDB" -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations")
[ "$got" = "1,2,3,4,5,6,7" ] && pass "schema_migrations holds 1 to 7" || fail "schema_migrations holds 1 to 7" "$got"
got=$("$QUERY" migrate --db "$PGDB" 2>&1); rc=$?
[ $rc = 0 ] && [ "$got" = "up to date (schema version 7)" ] && pass "migrate again: up to date" || fail "migrate again: up to date" "exit $rc: $got"
got=$("$QUERY" migrate --db "host=$PGT/none dbname=x" 2>&1); rc=$?
[ $rc = 69 ] && [ "$(printf '%s\n' "$got" | wc -l)" = 1 ] && pass "migrate: unreachable database is exit 69, one line" || fail "migrate: unreachable database is exit 69, one line" "exit $rc: $got"
"$QUERY" migrate --db "$PGDB" extra >/dev/null 2>&1; rc=$?
[ $rc = 64 ] && pass "migrate: an operand is a usage error" || fail "migrate: an operand is a usage error" "exit $rc"
psql -X -q -v ON_ERROR_STOP=1 -d "$PGDB" -f "$SRCDIR/tests/collector/query_fleet.sql" >/dev/null
export CHIPAUDIT_DB="$PGDB"

q() { # NAME JQ EXPECTED ARGS...: query ARGS --json, then jq -c JQ
	local name=$1 expr=$2 want=$3; shift 3
	"$QUERY" query "$@" --json >"$TMP/out" 2>"$TMP/err"
	local rc=$? got
	got=$(jq -c "$expr" "$TMP/out" 2>&1)
	if [ $rc = 0 ] && [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "exit $rc: $(head -c 300 "$TMP/err")" "got:  $got" "want: $want"; fi
}

q "summary: hosts and accelerators" '[.hosts, .accelerators]' '[3,3]' summary
q "summary: by model" '.by_model' '[{"model":"H100 SXM5 80GB","accelerators":2},{"model":"H20","accelerators":1}]' summary
q "summary: by export class" '.by_export_class' '[{"export_class":"3A090.a","accelerators":2},{"export_class":"not 3A090","accelerators":1}]' summary
q "summary: by trust level" '.by_trust_level' '[{"trust_level":2,"hosts":1},{"trust_level":3,"hosts":1},{"trust_level":null,"hosts":1}]' summary
q "summary: each check's counts (trigger-kept)" '.checks' \
	'[{"check":"backdoor.driver.cve","pass":1,"warn":1,"fail":1,"skip":0,"error":0},{"check":"identity.pci","pass":1,"warn":0,"fail":1,"skip":1,"error":0}]' summary

# The counters follow updates and deletes of current findings.
psql -X -q -d "$PGDB" -c "UPDATE current_findings SET status = 'pass' WHERE host_id = 'aaaa0001' AND subject = '0000:2a:00.0'" \
	-c "DELETE FROM current_findings WHERE host_id = 'cccc0003' AND check_id = 'identity.pci'"
q "summary: counts after an update and a delete" '.checks[1]' '{"check":"identity.pci","pass":2,"warn":0,"fail":0,"skip":0,"error":0}' summary
want=$(psql -X -At -d "$PGDB" -c "SELECT string_agg(check_id || ':' || status || ':' || n, ' ' ORDER BY 1) FROM (SELECT check_id, status, count(*) n FROM current_findings GROUP BY 1, 2) x")
got=$(psql -X -At -d "$PGDB" -c "SELECT string_agg(check_id || ':' || status || ':' || n, ' ' ORDER BY 1) FROM (SELECT check_id, status, sum(n) n FROM check_counts GROUP BY 1, 2 HAVING sum(n) > 0) x")
[ "$want" = "$got" ] && pass "check_counts equals a count of current_findings" || fail "check_counts equals a count of current_findings" "$got" "$want"
psql -X -q -d "$PGDB" -c "UPDATE current_findings SET status = 'fail' WHERE host_id = 'aaaa0001' AND subject = '0000:2a:00.0'"
# So do the accelerator counters (sql/004): a model changed, a chip moved, one deleted, one added.
psql -X -q -d "$PGDB" -c "UPDATE accelerators SET model = 'H20', last_host_id = 'cccc0003' WHERE chip_id = 'GPU-1111'" \
	-c "UPDATE accelerators SET last_seen = now()" -c "DELETE FROM accelerators WHERE chip_id = 'GPU-2222'" \
	-c "INSERT INTO accelerators (chip_id, model, first_seen, last_seen, last_host_id) VALUES ('GPU-3333', NULL, now(), now(), 'aaaa0001')"
q "summary: accelerator counts follow updates, moves, deletes" '[.accelerators, .by_model]' \
	'[3,[{"model":"H20","accelerators":2},{"model":"(unknown)","accelerators":1}]]' summary
want=$(psql -X -At -d "$PGDB" -c "SELECT string_agg(m || ':' || e || ':' || n, ' ' ORDER BY 1) FROM (SELECT coalesce(model, '(unknown)') m, coalesce(export_class, '(unknown)') e, count(*) n FROM accelerators GROUP BY 1, 2) x")
got=$(psql -X -At -d "$PGDB" -c "SELECT string_agg(m || ':' || e || ':' || n, ' ' ORDER BY 1) FROM (SELECT model m, export_class e, sum(n) n FROM accelerator_counts GROUP BY 1, 2 HAVING sum(n) > 0) x")
[ "$want" = "$got" ] && pass "accelerator_counts equals a count of accelerators" || fail "accelerator_counts equals a count of accelerators" "$got" "$want"
psql -X -q -d "$PGDB" -c "DELETE FROM accelerators WHERE chip_id IN ('GPU-1111', 'GPU-3333')" \
	-c "$(sed -n '/^INSERT INTO accelerators/,/;$/p' "$SRCDIR/tests/collector/query_fleet.sql" | grep -v -e "'pci:cccc0003" | sed '$ s/,$/;/')"

q "failing CHECK" '.' '{"check":"backdoor.driver.cve","hosts":[{"host_id":"aaaa0001","hostname":"gpu-a","subjects":["host"],"received_at":"2026-11-02T00:00:00Z"}]}' failing backdoor.driver.cve
q "failing: a check no host fails" '.hosts' '[]' failing spyware.none
q "host: its reports in order" '[.host_id, .last_sequence, .trust_level, [.reports[] | [.sequence, .sha256, .worst]]]' \
	'["aaaa0001",2,3,[[1,"a1","pass"],[2,"a2","fail"]]]' host aaaa0001
q "host: its chips, what does not pass, its incidents" '[[.accelerators[].chip_id], [.not_passing[] | .check + "/" + .subject + "=" + .status], [.incidents[].kind]]' \
	'[["GPU-2222"],["backdoor.driver.cve/host=fail","identity.pci/0000:2a:00.0=fail"],["replay"]]' host aaaa0001
q "chip: moved from host a to host b" '[.chip_id, .model, .host_id, [.history[] | [.host_id, .pci_address, .from, .to, .reports]]]' \
	'["GPU-1111","H100 SXM5 80GB","bbbb0002",[["aaaa0001","0000:2a:00.0","2026-11-01T00:00:00Z","2026-11-01T00:00:00Z",1],["bbbb0002","0000:17:00.0","2026-11-02T00:00:00Z","2026-11-02T00:00:00Z",1]]]' chip GPU-1111
q "chip: two reports at one place are one span" '[.history[] | [.host_id, .from, .to, .reports]]' \
	'[["aaaa0001","2026-11-01T00:00:00Z","2026-11-02T00:00:00Z",2]]' chip GPU-2222
q "silent --for 2d" '[.silent_for_seconds, [.hosts[].host_id]]' '[172800,["aaaa0001","bbbb0002"]]' silent --for 2d
q "silent --for 90m: host c reported an hour ago" '[.hosts[].host_id]' '["aaaa0001","bbbb0002"]' silent --for 90m
q "silent --for 30m: every host" '[.hosts[].host_id]' '["aaaa0001","bbbb0002","cccc0003"]' silent --for 30m
q "changes --since: findings that changed" '[.findings[] | [.host_id, .check, .subject, .before, .now]]' \
	'[["aaaa0001","backdoor.driver.cve","host","pass","fail"],["aaaa0001","identity.pci","0000:2a:00.0",null,"fail"]]' changes --since 2026-11-01T12:00:00Z
q "changes --since: new hosts, new and moved chips" '[[.new_hosts[].host_id], [.new_accelerators[].chip_id], [.moved_accelerators[] | .chip_id + ":" + .from_host_id + ">" + .host_id]]' \
	'[["cccc0003"],["pci:cccc0003/0000:17:00.0"],["GPU-1111:aaaa0001>bbbb0002"]]' changes --since 2026-11-01T12:00:00Z
q "incidents" '[.incidents[] | [.at, .kind, .host_id, .detail]]' \
	'[["2026-11-03T00:00:00Z","replay","aaaa0001","sequence 2 stored already"],["2026-11-04T00:00:00Z","unknown-key",null,"no such key"]]' incidents
q "incidents --since" '[.incidents[].kind]' '["unknown-key"]' incidents --since 2026-11-03T12:00:00Z

# Text: the same answers, hostile strings escaped.
expect_exit 0 "summary as text" "$QUERY" query summary
expect_stdout "^hosts +3$" "text summary: hosts"
expect_stdout "^  backdoor.driver.cve  1  1  1  0  0$" "text summary: a check's counts"
expect_exit 0 "host as text" "$QUERY" query host cccc0003
if grep -qF 'gpu-c\x1b[31m' "$TMP/out" && ! grep -q $'\x1b' "$TMP/out"; then pass "a hostile hostname is escaped"; else fail "a hostile hostname is escaped" "$(cat -v "$TMP/out")"; fi
expect_exit 0 "JSON keeps it as it is" "$QUERY" query host cccc0003 --json
jq_is '.hostname' $'gpu-c\x1b[31m' "JSON hostname exact" "$TMP/out"

# Errors.
expect_exit 1 "no such host" "$QUERY" query host nobody
expect_stderr_line "query: no host nobody$" "no such host named"
expect_exit 1 "no such chip" "$QUERY" query chip GPU-0000
expect_exit 64 "silent without --for" "$QUERY" query silent
expect_exit 64 "silent --for nonsense" "$QUERY" query silent --for 2x
expect_exit 64 "changes without --since" "$QUERY" query changes
expect_exit 65 "changes --since a bad date" "$QUERY" query changes --since yesterdayish
expect_stderr_line "invalid input syntax for type timestamp with time zone" "the bad date named"
expect_exit 64 "unknown subcommand" "$QUERY" query everything
expect_exit 64 "failing without CHECK" "$QUERY" query failing
expect_exit 0 "--help" "$QUERY" query --help
CHIPAUDIT_DB= expect_exit 64 "no database given" "$QUERY" query summary
expect_exit 69 "a database that is not there" "$QUERY" query summary --db "host=$PGT/nowhere dbname=x connect_timeout=2"
expect_stderr_line "query: cannot connect to the database" "the connection failure named"
finish
