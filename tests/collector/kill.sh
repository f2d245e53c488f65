#!/usr/bin/env bash
# A collector killed with SIGKILL while four hosts push concurrently, three
# times at different moments: every report it acknowledged (201) is stored
# byte for byte, and every report stored is whole (all its findings and
# sightings, the chain heads and the current findings moved with it, the
# check counters equal to a count of the current findings). A collector
# started again takes the rest of each chain.
. "$SRCDIR/tests/collector/lib.sh"
serve_pid=
collector_cleanup() { [ -n "$serve_pid" ] && kill -KILL "$serve_pid" 2>/dev/null; }
collector_start
serve_pid=$(cat "$DEV/serve.pid")
N=8
hosts=(h20x8 h100 mixed backdoor-ats)
for h in "${hosts[@]}"; do
	"$CHIPAUDIT" keygen --state "$A/$h" >/dev/null
	for i in $(seq $N); do
		"$CHIPAUDIT" audit --root "$FIXTURES/$h/root" --state "$A/$h" --sign -o "$A/$h.$i.json" >/dev/null 2>&1
	done
	"$COLLECTOR" enroll --pubkey "$A/$h/host.pub.pem" --host-id "$(jq -r .host_id "$A/$h.1.json")" >/dev/null
done
pass "$((N * ${#hosts[@]})) signed reports of ${#hosts[@]} hosts"

# Each host pushes its chain in order, one push process a host, no retry;
# acknowledged is what push printed as stored (HTTP 201).
pushers() {
	pusher_pids=()
	for h in "${hosts[@]}"; do
		( cd "$A" && "$CHIPAUDIT" push --retries 0 "$CHIPAUDIT_URL" $(for i in $(seq $N); do echo "$h.$i.json"; done) 2>/dev/null |
			sed -n "s|^\(.*\): stored (HTTP 201)$|$A/\1|p" >>"$TMP/acked" ) &
		pusher_pids+=($!)
	done
}

# What each report holds: sha256, findings (one per subject), accelerators.
for f in "$A"/*.json; do
	printf '%s %s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$(jq '[.findings[].subjects[]] | length' "$f")" "$(jq '.accelerators | length' "$f")"
done | sort >"$TMP/expected"

whole() { # every stored report complete, every acknowledged one stored
	local bad=0 f
	sql "SELECT r.sha256, (SELECT count(*) FROM findings f WHERE f.report_id = r.id), (SELECT count(*) FROM sightings s WHERE s.report_id = r.id) FROM reports r" |
		tr '|' ' ' | sort >"$TMP/stored"
	[ -z "$(cut -d' ' -f1 "$TMP/stored" | uniq -d)" ] || { echo "# a report stored twice"; bad=1; }
	comm -23 "$TMP/stored" "$TMP/expected" | sed 's/^/# stored but not whole (sha256 findings sightings): /' | grep . && bad=1
	while read -r f; do
		grep -q "^$(sha256sum <"$f" | cut -c1-64) " "$TMP/stored" || { echo "# acknowledged but not stored: $f"; bad=1; }
	done < <(sort -u "$TMP/acked")
	# per host: sequences 1..k without a hole, the heads the last report's, and
	# the current findings those of the last report (each subject's worst
	# status): the rows that differ, either way, are counted as stale
	sql "WITH last AS (SELECT DISTINCT ON (f.host_id, f.check_id, f.subject) f.host_id, f.check_id, f.subject, f.status
	                  FROM findings f JOIN hosts h ON f.host_id = h.host_id AND f.report_id = h.last_report_id
	                  ORDER BY f.host_id, f.check_id, f.subject, array_position(ARRAY['fail','error','warn','skip','pass'], f.status)),
	          cur AS (SELECT host_id, check_id, subject, status FROM current_findings),
	          diff AS ((SELECT * FROM cur EXCEPT SELECT * FROM last) UNION ALL (SELECT * FROM last EXCEPT SELECT * FROM cur))
	     SELECT h.host_id, count(r.id), coalesce(max(r.sequence), 0), h.last_sequence IS NOT DISTINCT FROM max(r.sequence),
	            k.last_sequence IS NOT DISTINCT FROM max(r.sequence), h.last_sha256 IS NOT DISTINCT FROM k.last_sha256,
	            (SELECT count(*) FROM diff d WHERE d.host_id = h.host_id)
	     FROM hosts h JOIN keys k USING (host_id) LEFT JOIN reports r USING (host_id) GROUP BY h.host_id, k.last_sequence, k.last_sha256" |
	while IFS='|' read -r id n max hs ks same stale; do
		[ "$n" = "$max" ] && [ "$hs$ks$same" = ttt ] && [ "$stale" = 0 ] || echo "# host $id: $n reports up to $max, heads $hs $ks $same, $stale stale current findings"
	done | grep . && bad=1
	[ "$(sql "SELECT (SELECT coalesce(sum(n), 0) FROM check_counts) = (SELECT count(*) FROM current_findings)")" = t ] ||
		{ echo "# check_counts differ from current_findings"; bad=1; }
	return $bad
}

start_again() {
	"$COLLECTOR" serve --listen "127.0.0.1:${CHIPAUDIT_URL##*:}" --cert "$DEV/cert.pem" --key "$DEV/key.pem" \
		--db "$CHIPAUDIT_DB" >"$TMP/serve.out" 2>>"$TMP/serve.log" &
	serve_pid=$!
	for i in $(seq 100); do grep -q '^listening' "$TMP/serve.out" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}

: >"$TMP/acked"
cut_before=0
for delay in blocked 0.3 0.6; do
	label="$delay s after the pushes began"; [ "$delay" = blocked ] && label="while ingests wait on a lock"
	if [ "$delay" = blocked ]; then
		# Kill while transactions are surely open: the check counters are
		# locked, so each report waits inside its transaction, its report,
		# findings and sightings written and not committed.
		psql -X -q -d "$CHIPAUDIT_DB" -c "BEGIN" -c "LOCK TABLE check_counts IN EXCLUSIVE MODE" -c "SELECT pg_sleep(4)" \
			-c "COMMIT" >/dev/null &
		locker=$!
		sleep 0.3
		pushers
		for i in $(seq 40); do
			[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND state = 'active'")" -ge 2 ] && break
			sleep 0.1
		done
		waiting=$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND state = 'active'")
		echo "# $waiting ingests waiting inside their transactions"
	else
		pushers
		sleep "$delay"
	fi
	kill -KILL "$serve_pid"; wait "$serve_pid" 2>/dev/null
	[ "$delay" = blocked ] && wait "$locker"
	wait "${pusher_pids[@]}"  # the rest of their reports find no collector
	# the dead collector's sessions end once PostgreSQL notices (after the lock, for those waiting on it)
	for i in $(seq 100); do
		[ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 0 ] && break
		sleep 0.1
	done
	stored=$(sql "SELECT count(*) FROM reports")
	if whole >"$TMP/why"; then pass "killed $label: $(sort -u "$TMP/acked" | wc -l) acknowledged, $stored stored, each whole"
	else fail "killed $label: every acknowledged report stored, each whole" "$(cat "$TMP/why")"; fi
	start_again || { fail "the collector starts again" "$(tail -3 "$TMP/serve.log")"; break; }
done
# The kill landed inside transactions: ingests were waiting in theirs (their
# report and findings written, not committed) when the collector died, and
# the round stored none of them. PostgreSQL's log names what it saw of them
# (an EOF, or a client lost when it answered once the lock was released).
cut=$(grep -cE 'unexpected EOF on client connection with an open transaction|could not send data to client|connection to client lost' "$DEV/pg/postgresql.log")
[ "${waiting:-0}" -ge 1 ] && pass "the kill cut $waiting ingest transactions half-way (PostgreSQL logged $cut), and they left nothing" ||
	fail "the kill cut ingest transactions half-way" "waiting: ${waiting:-0}"

# Started again: each host's remaining reports are taken, what was stored is a replay.
pushers; wait "${pusher_pids[@]}"
[ "$(sql "SELECT count(*) FROM reports")" = $((N * ${#hosts[@]})) ] && whole >"$TMP/why" &&
	pass "a collector started again takes the rest: $((N * ${#hosts[@]})) stored, whole" ||
	fail "a collector started again takes the rest" "$(sql "SELECT count(*) FROM reports") stored" "$(cat "$TMP/why")"
kill "$serve_pid"; wait "$serve_pid"; rc=$?; serve_pid=
[ $rc = 0 ] && ! grep -qE "Sanitizer|runtime error" "$TMP/serve.log" && pass "the last collector stops cleanly on SIGTERM" ||
	fail "the last collector stops cleanly on SIGTERM" "exit $rc" "$(grep -E -A20 "Sanitizer|runtime error" "$TMP/serve.log" | head -40)"
finish
