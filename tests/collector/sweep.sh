#!/usr/bin/env bash
# chipaudit-collector sweep against a throwaway PostgreSQL: hosts silent
# longer than their schedule and the grace are recorded as incidents, once
# per silence; recent, revoked and already recorded hosts are not. Time is
# moved by moving the hosts' last report times back in the database.
. "$SRCDIR/tests/collector/lib.sh"
collector_start
audits() { for _ in $(seq "$3"); do audit "$1" "$2"; done; }  # NAME FIXTURE N: $A/NAME.1..N.json
later() { # HOST INTERVAL: INTERVAL passes for HOST (its times and incidents move back)
	sql "UPDATE hosts SET last_received_at = last_received_at - interval '$2', enrolled_at = enrolled_at - interval '$2'
	     WHERE host_id = '$1'; UPDATE incidents SET at = at - interval '$2' WHERE host_id = '$1'" >/dev/null
}
silent_count() { sql "SELECT count(*) FROM incidents WHERE kind = 'silent' AND host_id = '$1'"; }
# a reports and falls silent; b reports on time; c is enrolled and never heard
# from; d falls silent with its key revoked
audits a h100 2
audits b vm 2
audits c mixed 1
audits d spyware 1
for h in a b c d; do
	eval "$h=\$(jq -r .host_id \"\$A/$h.1.json\")"
	"$COLLECTOR" enroll --pubkey "$A/$h/host.pub.pem" --host-id "$(jq -r .host_id "$A/$h.1.json")" >/dev/null
done
"$COLLECTOR" ingest "$A/a.1.json" "$A/b.1.json" "$A/d.1.json" >/dev/null
"$COLLECTOR" revoke --host-id "$d" >/dev/null
later "$a" '1 day 4 hours 1 minute'
later "$b" '1 day 3 hours'
later "$c" '2 days'
later "$d" '3 days'

expect_exit 0 "sweep --dry-run" "$COLLECTOR" sweep --dry-run
lines=$(sort "$TMP/out" | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/TIME/')
want=$(printf '%s\n' "would record $a: no report since TIME, sequence 1 (schedule 86400 s, grace 14400 s)" \
	"would record $c: no report since its enrolment at TIME (schedule 86400 s, grace 14400 s)" | sort)
[ "$lines" = "$want" ] && pass "dry run: the silent hosts, past schedule and grace (not the recent one, not the revoked one)" ||
	fail "dry run: the silent hosts" "$lines" "wanted: $want"
[ "$(sql "SELECT count(*) FROM incidents WHERE kind = 'silent'")" = 0 ] && pass "dry run: nothing recorded" ||
	fail "dry run: nothing recorded"

expect_exit 0 "sweep" "$COLLECTOR" sweep
[ "$(wc -l <"$TMP/out")" = 2 ] && grep -q "^silent $a: no report since " "$TMP/out" && grep -q "^silent $c: no report since its enrolment" "$TMP/out" &&
	pass "sweep prints each host it records" || fail "sweep prints each host it records" "$(cat "$TMP/out")"
[ "$(silent_count "$a") $(silent_count "$b") $(silent_count "$c") $(silent_count "$d")" = "1 0 1 0" ] &&
	pass "one incident each for the silent hosts" || fail "one incident each for the silent hosts" \
	"$(silent_count "$a") $(silent_count "$b") $(silent_count "$c") $(silent_count "$d")"
detail=$(sql "SELECT detail FROM incidents WHERE kind = 'silent' AND host_id = '$a'")
[ -n "$detail" ] && [ "$detail" = \
	"$(sed -n "s/^silent $a: //p" "$TMP/out")" ] && pass "the incident's detail is the line printed" ||
	fail "the incident's detail is the line printed"

expect_exit 0 "sweep again" "$COLLECTOR" sweep
[ ! -s "$TMP/out" ] && [ "$(sql "SELECT count(*) FROM incidents WHERE kind = 'silent'")" = 2 ] &&
	pass "a silence is recorded once" || fail "a silence is recorded once" "$(cat "$TMP/out")"

expect_exit 0 "a shorter grace" "$COLLECTOR" sweep --grace 2h
[ "$(cat "$TMP/out")" = "silent $b: $(sql "SELECT format('no report since %s, sequence 1 (schedule 86400 s, grace 7200 s)', to_char(last_received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) FROM hosts WHERE host_id = '$b'")" ] &&
	pass "--grace 2h: the host 27 h silent on a daily schedule" || fail "--grace 2h" "$(cat "$TMP/out")"

# a host that reports again and falls silent anew is recorded anew
"$COLLECTOR" ingest "$A/a.2.json" >/dev/null
expect_exit 0 "sweep after a report" "$COLLECTOR" sweep
[ ! -s "$TMP/out" ] && pass "a host that reported is not silent" || fail "a host that reported is not silent" "$(cat "$TMP/out")"
later "$a" '2 days'
expect_exit 0 "sweep after a new silence" "$COLLECTOR" sweep
grep -q "^silent $a: no report since .*, sequence 2 " "$TMP/out" && [ "$(silent_count "$a")" = 2 ] &&
	pass "a new silence, a new incident" || fail "a new silence, a new incident" "$(cat "$TMP/out")"

# a host's own schedule
sql "UPDATE hosts SET schedule_seconds = 3600, enrolled_at = now() - interval '2 hours' WHERE host_id = '$c';
     DELETE FROM incidents WHERE host_id = '$c'" >/dev/null
expect_exit 0 "an hourly host" "$COLLECTOR" sweep --grace 30m
grep -q "^silent $c: .*(schedule 3600 s, grace 1800 s)$" "$TMP/out" && pass "a host's own schedule decides" ||
	fail "a host's own schedule decides" "$(cat "$TMP/out")"

# the queries show them
"$COLLECTOR" query incidents --json >"$TMP/q.json"
jq_is '[.incidents[] | select(.kind == "silent")] | length' 4 "query incidents lists the silences" "$TMP/q.json"

# sweeps at once take turns: still one incident per silence
"$COLLECTOR" ingest "$A/b.2.json" >/dev/null
later "$b" '3 days'
for i in 1 2 3 4; do "$COLLECTOR" sweep >"$TMP/par.$i" & done
wait
[ "$(silent_count "$b")" = 2 ] && [ "$(cat "$TMP"/par.* | grep -c "^silent $b:")" = 1 ] &&
	pass "four sweeps at once record a silence once" || fail "four sweeps at once record a silence once" "$(silent_count "$b")"

# usage and errors
expect_exit 64 "--grace that is no duration" "$COLLECTOR" sweep --grace 1ms
head -1 "$TMP/err" | grep -q "^chipaudit-collector: sweep: --grace: expected a duration" &&
	grep -q "^Run 'chipaudit-collector sweep --help'" "$TMP/err" && pass "named, with the program's name" ||
	fail "named, with the program's name" "$(cat "$TMP/err")"
expect_exit 64 "an operand" "$COLLECTOR" sweep now
expect_exit 69 "no database" "$COLLECTOR" sweep --db "host=$TMP/none dbname=none connect_timeout=2"
expect_stderr_line "^chipaudit-collector: sweep: " "one line"
expect_exit 0 "--help" "$COLLECTOR" sweep --help
expect_stdout "^usage: chipaudit-collector sweep " "--help: the synopsis"
finish
