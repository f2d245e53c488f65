#!/usr/bin/env bash
# chipaudit-collector ingest --files-from, enroll and revoke against a
# throwaway PostgreSQL: reports delivered as files take the same path as
# pushed ones (same verdicts, same incidents), one status line each.
. "$SRCDIR/tests/collector/lib.sh"
collector_start
audits() { for _ in $(seq "$3"); do audit "$1" "$2"; done; }  # NAME FIXTURE N: $A/NAME.1..N.json
audits h100 h100 3
audits vm vm 1
audits stranger mixed 1
h100=$(jq -r .host_id "$A/h100.1.json")

# enroll
expect_exit 0 "enroll --pubkey --host-id" "$COLLECTOR" enroll --pubkey "$A/h100/host.pub.pem" --host-id "$h100"
expect_stdout "^enrolled sha256:[0-9a-f]{64} for $h100$" "enroll names key and host"
expect_exit 0 "enroll again: nothing changes" "$COLLECTOR" enroll --pubkey "$A/h100/host.pub.pem" --host-id "$h100"
expect_stdout "is enrolled already for $h100$" "enrolled already"
expect_exit 65 "the same key for another host" "$COLLECTOR" enroll --pubkey "$A/h100/host.pub.pem" --host-id other
expect_stderr_line "enroll: sha256:[0-9a-f]{64} is enrolled already for $h100$" "named"
expect_exit 0 "enroll --pubkey alone: bound to its first report's host" "$COLLECTOR" enroll --pubkey "$A/vm/host.pub.pem"
expect_exit 65 "not a public key" "$COLLECTOR" enroll --pubkey "$A/h100.1.json"
expect_exit 66 "no such file" "$COLLECTOR" enroll --pubkey "$A/none.pem"
expect_exit 64 "no --pubkey" "$COLLECTOR" enroll --host-id x
expect_exit 64 "an empty --host-id" "$COLLECTOR" enroll --pubkey "$A/vm/host.pub.pem" --host-id ""

# ingest: one status line each, the worst outcome the exit code
printf '%s\n' "$A/h100.1.json" "" "$A/h100.3.json" "$A/vm.1.json" "$A/h100.2.json" "$A/stranger.1.json" "$A/h100.1.json" >"$TMP/list"
"$COLLECTOR" ingest --files-from - <"$TMP/list" >"$TMP/out" 2>"$TMP/err"; rc=$?
[ $rc = 65 ] && pass "ingest --files-from -: a refusal is exit 65" || fail "ingest --files-from -: a refusal is exit 65" "exit $rc" "$(cat "$TMP/err")"
want="$A/h100.1.json: stored: host $h100 sequence 1
$A/h100.3.json: stored: host $h100 sequence 3; sequence 3 follows 1: report 2 is missing
$A/vm.1.json: stored: host $(jq -r .host_id "$A/vm.1.json") sequence 1
3 of 6 reports stored"
[ "$(cat "$TMP/out")" = "$want" ] && pass "a status line for each stored report, and the count" || fail "a status line for each stored report, and the count" "$(cat "$TMP/out")"
want="chipaudit-collector: $A/h100.2.json: refused: 409: reordered: sequence 2 is older than the stored sequence 3
chipaudit-collector: $A/stranger.1.json: refused: 401: unknown key $(jq -r .public_key_fingerprint "$A/stranger.1.json"): not enrolled (chipaudit-collector enroll)
chipaudit-collector: $A/h100.1.json: refused: 409: replayed: sequence 1 is stored already"
[ "$(cat "$TMP/err")" = "$want" ] && pass "a line for each refusal, with status and reason" || fail "a line for each refusal, with status and reason" "$(cat "$TMP/err")"
[ "$(sql "SELECT string_agg(kind, ',' ORDER BY id) FROM incidents")" = "gap,reorder,unknown-key,replay" ] &&
	pass "the incidents, as the server records them" || fail "the incidents, as the server records them" "$(sql "SELECT string_agg(kind, ',' ORDER BY id) FROM incidents")"
[ "$(sql "SELECT enrolment FROM hosts WHERE host_id = '$(jq -r .host_id "$A/vm.1.json")'")" = operator ] &&
	pass "the key enrolled without a host is bound to the host of its first report" || fail "the key enrolled without a host is bound to the host of its first report"
cp "$A/h100.2.json" "$TMP/nosig.json"
expect_exit 66 "a report without its .sig" "$COLLECTOR" ingest "$TMP/nosig.json"
printf 'a\0b\n' >"$TMP/bad-list"
expect_exit 65 "a list with a NUL byte" "$COLLECTOR" ingest --files-from "$TMP/bad-list"
expect_exit 64 "an empty list" "$COLLECTOR" ingest --files-from /dev/null
expect_exit 69 "no database" "$COLLECTOR" ingest --db "host=$TMP/none dbname=x" "$A/h100.1.json"
expect_stderr_line "ingest: cannot connect to the database" "named in one line"

# revoke by key; the key's reports are then refused
fp=$(jq -r .public_key_fingerprint "$A/vm.1.json")
expect_exit 0 "revoke --key" "$COLLECTOR" revoke --key "$fp"
expect_stdout "^revoked $fp of host " "revoke names it"
"$CHIPAUDIT" audit --root "$FIXTURES/vm/root" --state "$A/vm" --sign -o "$A/vm.2.json" >/dev/null 2>&1
expect_exit 65 "ingest of a revoked key's report" "$COLLECTOR" ingest "$A/vm.2.json"
expect_stderr_line "refused: 403: key $fp was revoked: revoked by the operator$" "403, revoked"
# serve's refusals to start: each one line, before anything is served
DEV=${CHIPAUDIT_DB#host=}; DEV=${DEV%% *}; DEV=${DEV%/pg}
expect_exit 64 "serve without --cert" "$COLLECTOR" serve --key "$DEV/key.pem"
expect_exit 64 "serve --listen nonsense" "$COLLECTOR" serve --cert "$DEV/cert.pem" --key "$DEV/key.pem" --listen nonsense
expect_exit 64 "serve --enroll maybe" "$COLLECTOR" serve --cert "$DEV/cert.pem" --key "$DEV/key.pem" --enroll maybe
expect_exit 66 "serve --token-file missing" "$COLLECTOR" serve --cert "$DEV/cert.pem" --key "$DEV/key.pem" --token-file "$TMP/none"
printf 'short\n' >"$TMP/short-token"
expect_exit 65 "serve: a token under 16 characters" "$COLLECTOR" serve --cert "$DEV/cert.pem" --key "$DEV/key.pem" --token-file "$TMP/short-token"
expect_exit 69 "serve: no database" "$COLLECTOR" serve --cert "$DEV/cert.pem" --key "$DEV/key.pem" --db "host=$TMP/none dbname=x"
expect_stderr_line "serve: cannot connect to the database" "named in one line"
expect_exit 71 "serve: a certificate that is not one" "$COLLECTOR" serve --cert "$A/h100.1.json" --key "$DEV/key.pem" --listen 127.0.0.1:0
expect_stderr_line "serve: cannot serve 127.0.0.1:0" "named in one line"
expect_exit 64 "revoke with neither --host-id nor --key" "$COLLECTOR" revoke
expect_exit 1 "revoke an unknown key" "$COLLECTOR" revoke --key sha256:00

# current findings follow each report, changed only where it changed: one
# host (the backdoor fixtures' node) audited clean, then with its GPUs in
# IOMMU passthrough, then with one GPU gone from its PCI bus, then clean again
audit bd backdoor-clean
audit bd backdoor-passthrough
cp -a "$FIXTURES/backdoor-clean/root" "$TMP/one-gpu"
rm "$TMP/one-gpu/sys/bus/pci/devices/0000:9a:00.0"
audit bd "$TMP/one-gpu"
audit bd backdoor-clean
bd=$(hostid bd)
"$COLLECTOR" enroll --pubkey "$A/bd/host.pub.pem" --host-id "$bd" >/dev/null
# $A/bd.N.worst: each (check, subject) of report N once, with its worst status, sorted
for n in 1 2 3 4; do
	jq -r '[.findings[] | .check as $c | .status as $s | .subjects[] | {k: "\($c)|\(.)", s: $s}] | group_by(.k)[]
		| "\(.[0].k)|\(map(.s) | min_by(. as $x | ["fail","error","warn","skip","pass"] | index($x)))"' \
		"$A/bd.$n.json" | LC_ALL=C sort >"$A/bd.$n.worst"
done
for n in 1 2 3 4; do
	"$COLLECTOR" ingest "$A/bd.$n.json" >/dev/null 2>"$TMP/err" || fail "report $n of bd stored" "$(cat "$TMP/err")"
	got=$(sql "SELECT check_id || '|' || subject || '|' || status FROM current_findings WHERE host_id = '$bd'" | LC_ALL=C sort)
	[ "$got" = "$(cat "$A/bd.$n.worst")" ] && pass "after report $n: the current findings are its own, each subject's worst" ||
		fail "after report $n: the current findings are its own, each subject's worst" "$(diff <(echo "$got") "$A/bd.$n.worst" | head -5)"
	set_by_n=$(sql "SELECT count(*) FROM current_findings c JOIN reports r ON r.id = c.report_id WHERE c.host_id = '$bd' AND r.sequence = $n")
	if [ "$n" = 1 ]; then want=$(wc -l <"$A/bd.1.worst"); else want=$(comm -13 "$A/bd.$((n - 1)).worst" "$A/bd.$n.worst" | wc -l); fi
	[ "$set_by_n" = "$want" ] && pass "after report $n: $want rows set by it (new or changed), the others kept" ||
		fail "after report $n: $want rows set by it (new or changed), the others kept" "$set_by_n"
	if [ "$n" = 3 ]; then
		[ "$(comm -23 "$A/bd.2.worst" "$A/bd.3.worst" | grep -c '|0000:9a:00.0|')" -gt 0 ] &&
			[ "$(sql "SELECT count(*) FROM current_findings WHERE host_id = '$bd' AND subject = '0000:9a:00.0'")" = 0 ] &&
			pass "the GPU gone from report 3: its current findings deleted" ||
			fail "the GPU gone from report 3: its current findings deleted"
	fi
done
[ "$(comm -13 "$A/bd.1.worst" "$A/bd.2.worst" | grep -c '^backdoor.iommu.passthrough|.*|fail$')" = 2 ] &&
	pass "report 2's passthrough failures among the rows it set" || fail "report 2's passthrough failures among the rows it set"
[ "$(sql "SELECT (SELECT coalesce(sum(n), 0) FROM check_counts) = (SELECT count(*) FROM current_findings)")" = t ] &&
	pass "check_counts still count current_findings" || fail "check_counts still count current_findings"
finish
