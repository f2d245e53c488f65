#!/usr/bin/env bash
# chipaudit-collector serve against a real PostgreSQL (scripts/collector-dev):
# real `chipaudit audit --sign` reports of four fixture hosts pushed with the
# real `chipaudit push`, the queries' exact answers (computed here from the
# reports themselves with jq), the stored bytes verified again with openssl;
# then every attack of docs/collector-protocol.md: its status, its reason,
# its incident, and nothing else stored.
. "$SRCDIR/tests/collector/lib.sh"
collector_cleanup() { [ -n "${tofu_pid:-}" ] && kill "$tofu_pid" 2>/dev/null; }
collector_start --max-body 300000 --timeout 3
pass "scripts/collector-dev start"

# --- four hosts, enrolled by the operator, two reports of one of them
for h in h20x8 h100 mixed backdoor-ats; do audit "$h" "$h"; done
audit h20x8 h20x8
for h in h20x8 h100 mixed backdoor-ats; do
	"$COLLECTOR" enroll --pubkey "$A/$h/host.pub.pem" --host-id "$(hostid "$h")" >/dev/null
done
expect_exit 0 "push five reports of four hosts" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$A/h20x8.1.json" "$A/h20x8.2.json" \
	"$A/h100.1.json" "$A/mixed.1.json" "$A/backdoor-ats.1.json"
[ "$(grep -c 'stored (HTTP 201)' "$TMP/out")" = 5 ] && pass "each answered 201" || fail "each answered 201" "$(cat "$TMP/out")"

# Stored as sent: the bytes, and a signature openssl verifies against the host's key.
sql "SELECT encode(body, 'hex') FROM reports WHERE host_id = '$(hostid h20x8)' AND sequence = 2" | xxd -r -p >"$TMP/body"
sql "SELECT encode(signature, 'hex') FROM reports WHERE host_id = '$(hostid h20x8)' AND sequence = 2" | xxd -r -p >"$TMP/sig"
if cmp -s "$TMP/body" "$A/h20x8.2.json" && openssl pkeyutl -verify -pubin -inkey "$A/h20x8/host.pub.pem" -rawin \
	-in "$TMP/body" -sigfile "$TMP/sig" >/dev/null 2>&1; then pass "the exact bytes and signature stored; openssl verifies them"
else fail "the exact bytes and signature stored; openssl verifies them" "$(cmp "$TMP/body" "$A/h20x8.2.json")"; fi

# --- queries: exact answers, computed from the latest reports
latest=("$A/h20x8.2.json" "$A/h100.1.json" "$A/mixed.1.json" "$A/backdoor-ats.1.json")
query() { "$COLLECTOR" query "$@" --json; }
qcheck() { # NAME JQ_ON_ANSWER EXPECTED QUERY...
	local name=$1 expr=$2 want=$3; shift 3
	local got; got=$(query "$@" 2>&1 | jq -c "$expr" 2>&1)
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "got:  $got" "want: $want"; fi
}
want=$(jq -s -c '[.[].accelerators | length] | add' "${latest[@]}")
qcheck "summary: hosts and accelerators" '[.hosts, .accelerators]' "[4,$want]" summary
want=$(jq -s -c '[.[].accelerators[].model] | group_by(.) | map({model: .[0], accelerators: length}) | sort_by(-.accelerators, .model)' "${latest[@]}")
qcheck "summary: accelerators by model" '.by_model' "$want" summary
# a check's counts: each (check, subject) of each host's latest report once, at its worst status
want=$(jq -s -c '[.[] | [.findings[] | {check, status, s: .subjects[]}] | group_by([.check, .s])[] |
	min_by(.status as $s | ["fail","error","warn","skip","pass"] | index($s))] | group_by(.check) |
	map({check: .[0].check, pass: map(select(.status == "pass")) | length, warn: map(select(.status == "warn")) | length,
	     fail: map(select(.status == "fail")) | length, skip: map(select(.status == "skip")) | length,
	     error: map(select(.status == "error")) | length}) | sort_by(.check)' "${latest[@]}")
qcheck "summary: each check's pass/warn/fail/skip/error counts" '.checks | sort_by(.check)' "$want" summary
check=$(jq -r '[.findings[] | select(.status == "fail") | .check][0]' "$A/h20x8.2.json")
want=$(jq -s -c --arg c "$check" '[.[] | {host_id, subjects: ([.findings[] | select(.check == $c and .status == "fail") | .subjects[]] | unique)} |
	select(.subjects | length > 0)] | sort_by(.host_id) | map([.host_id, .subjects])' "${latest[@]}")
qcheck "failing $check: the hosts and subjects" '[.hosts[] | [.host_id, .subjects]]' "$want" failing "$check"
qcheck "host: both reports in order, their sha256" '[.host_id, .last_sequence, [.reports[] | [.sequence, .sha256]]]' \
	"[\"$(hostid h20x8)\",2,[[1,\"$(sha256sum <"$A/h20x8.1.json" | cut -c1-64)\"],[2,\"$(sha256sum <"$A/h20x8.2.json" | cut -c1-64)\"]]]" host "$(hostid h20x8)"
uuid=$(jq -r '.accelerators[0] | (.runtime.identity.uuid // .vendor_library.nvml.uuid // .nvml.uuid)' "$A/h20x8.1.json")
qcheck "chip: by NVML UUID, two reports at one place are one span" '[.chip_id, .model, .host_id, [.history[] | [.host_id, .pci_address, .reports]]]' \
	"[\"$uuid\",\"H20\",\"$(hostid h20x8)\",[[\"$(hostid h20x8)\",\"0000:18:00.0\",2]]]" chip "$uuid"
qcheck "chip without UUID: by host and PCI address" '.chip_id' "\"pci:$(hostid mixed)/$(jq -r '.accelerators[0].pci_address' "$A/mixed.1.json")\"" \
	chip "pci:$(hostid mixed)/$(jq -r '.accelerators[0].pci_address' "$A/mixed.1.json")"
qcheck "export class from export.classification" '.export_class' "$(jq -c '[.findings[] | select(.check == "export.classification")][0].evidence.eccn' "$A/h100.1.json")" chip \
	"$(jq -r '.accelerators[0] | (.runtime.identity.uuid // .vendor_library.nvml.uuid // .nvml.uuid)' "$A/h100.1.json")"
qcheck "no incident yet" '.incidents | length' 0 incidents

# --- the same over HTTPS: the operator's token or nothing
http() { curl -sS -o "$TMP/resp" -w '%{http_code}' --cacert "$CHIPAUDIT_CACERT" "$@"; }
code=$(http "$CHIPAUDIT_URL/v1/query/summary")
[ "$code" = 401 ] && pass "a query without the token: 401" || fail "a query without the token: 401" "$code $(cat "$TMP/resp")"
code=$(http -H "Authorization: Bearer ${CHIPAUDIT_TOKEN}x" "$CHIPAUDIT_URL/v1/query/summary")
[ "$code" = 401 ] && pass "a wrong token: 401" || fail "a wrong token: 401" "$code"
code=$(http -H "Authorization: Bearer $CHIPAUDIT_TOKEN" "$CHIPAUDIT_URL/v1/query/failing?check=$check")
got=$(jq -c '[.answer.hosts[] | [.host_id, .subjects]]' "$TMP/resp")
want=$(query failing "$check" | jq -c '[.hosts[] | [.host_id, .subjects]]')
[ "$code" = 200 ] && [ "$got" = "$want" ] && pass "GET /v1/query/failing?check= with the token" || fail "GET /v1/query/failing?check= with the token" "$code $got"
code=$(http -H "Authorization: Bearer $CHIPAUDIT_TOKEN" "$CHIPAUDIT_URL/v1/query/host?id=nobody")
[ "$code" = 404 ] && pass "query of no such host: 404" || fail "query of no such host: 404" "$code"
code=$(http -H "Authorization: Bearer $CHIPAUDIT_TOKEN" "$CHIPAUDIT_URL/v1/query/silent?for=2x")
[ "$code" = 400 ] && pass "a bad duration: 400" || fail "a bad duration: 400" "$code"

# --- attacks: status, reason, incident, and nothing stored
sig() { base64 -w0 <"$1"; }
post() { # FILE SIGFILE [CURL ARGS...]: POST /v1/reports
	local f=$1 s=$2; shift 2
	http -H "X-Chipaudit-Signature: $(sig "$s")" -H 'Content-Type: application/json' --data-binary @"$f" "$@" "$CHIPAUDIT_URL/v1/reports"
}
reports_before=
refused() { # NAME CODE KIND REASON_ERE FILE SIGFILE [CURL ARGS...]
	local name=$1 want=$2 kind=$3 reason=$4 before after got incident; shift 4
	before=$(sql "SELECT count(*) FROM reports")
	got=$(post "$@")
	after=$(sql "SELECT count(*) FROM reports")
	incident=$(sql "SELECT kind FROM incidents ORDER BY id DESC LIMIT 1")
	if [ "$got" = "$want" ] && jq -e --arg r "$reason" '.status == "refused" and (.reason | test($r))' "$TMP/resp" >/dev/null &&
		[ "$(wc -l <"$TMP/resp")" = 1 ] && [ "$before" = "$after" ] && [ "$incident" = "$kind" ]; then
		pass "$name: $want, incident $kind, nothing stored"
	else
		fail "$name: $want, incident $kind, nothing stored" "HTTP $got: $(cat "$TMP/resp")" "reports $before -> $after, last incident $incident"
	fi
}
sign() { openssl pkeyutl -sign -inkey "$A/$1/host.key.pem" -rawin -in "$2" -out "$2.sig"; }

refused "replay of a stored report" 409 replay '^replayed' "$A/h20x8.1.json" "$A/h20x8.1.json.sig"
expect_exit 65 "chipaudit push names the refusal" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$A/h20x8.2.json"
expect_stderr_line "h20x8.2.json: refused: HTTP 409: replayed: sequence 2 is stored already$" "push prints status and reason"
head -c 5000 "$A/h100.1.json" >"$TMP/trunc.json"
refused "a truncated body" 400 malformed 'report' "$TMP/trunc.json" "$A/h100.1.json.sig"
refused "no signature header" 400 malformed 'X-Chipaudit-Signature' "$A/h100.1.json" /dev/null
printf 'AAAA' >"$TMP/short.sig"
refused "a signature that is not 64 bytes" 400 malformed 'X-Chipaudit-Signature' "$A/h100.1.json" "$TMP/short.sig"
head -c 400000 /dev/zero | tr '\0' ' ' >"$TMP/big.json"
refused "an oversized body (Content-Length)" 413 malformed 'more than the 300000' "$TMP/big.json" "$A/h100.1.json.sig"
refused "an oversized body, Expect: 100-continue" 413 malformed 'more than the 300000' "$TMP/big.json" "$A/h100.1.json.sig" -H 'Expect: 100-continue'
cp "$A/h100.1.json.sig" "$TMP/big.json.sig"
expect_exit 65 "chipaudit push of an oversized report" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$TMP/big.json"
expect_stderr_line "big.json: refused: HTTP 413: the body is 400000 bytes, more than the 300000 this collector takes$" "push names the 413"
code=$(http -H "X-Chipaudit-Signature: $(sig "$A/h100.1.json.sig")" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big.json" "$CHIPAUDIT_URL/v1/reports" 2>/dev/null)
[ "$code" = 000 ] && grep -q "closed: from 127.0.0.1: a body larger than 300000 bytes, sent without its length" "$DEV/serve.log" &&
	pass "an oversized chunked body: the connection is closed, and logged" || fail "an oversized chunked body: the connection is closed, and logged" "$code"
audit h100 h100
sed 's/"hostname":"[^"]*"/"hostname":"forged"/' "$A/h100.2.json" >"$TMP/forged.json"
refused "a forged report (bytes changed after signing)" 401 bad-signature 'does not verify' "$TMP/forged.json" "$A/h100.2.json.sig"
refused "another report's signature" 401 bad-signature 'does not verify' "$A/h100.2.json" "$A/h100.1.json.sig"
# duplicate keys, validly signed: refused by the parser, whatever the signature
sed 's/^{/{"sequence":2,/' "$A/h100.2.json" >"$TMP/dup.json"; sign h100 "$TMP/dup.json"
refused "duplicate JSON keys (validly signed)" 400 malformed 'duplicate' "$TMP/dup.json" "$TMP/dup.json.sig"
# a valid signature by another host's key, the report claiming this host
audit intruder h100
sed "s/\"host_id\":\"$(hostid h100)\"/\"host_id\":\"$(hostid h20x8)\"/" "$A/intruder.1.json" >"$TMP/claim.json"
sed -i "s/\"public_key_fingerprint\":\"[^\"]*\"/\"public_key_fingerprint\":\"$(jq -r .public_key_fingerprint "$A/h100.1.json")\"/" "$TMP/claim.json"
sign h100 "$TMP/claim.json"
refused "a valid signature by another host's key, claiming this host" 403 wrong-host "key of host $(hostid h100), but claims host $(hostid h20x8)" "$TMP/claim.json" "$TMP/claim.json.sig"
[ "$(sql "SELECT length(body) = $(stat -c %s "$TMP/claim.json") AND length(signature) = 64 FROM incidents ORDER BY id DESC LIMIT 1")" = t ] &&
	pass "the wrong-host incident keeps the signed bytes" || fail "the wrong-host incident keeps the signed bytes"
refused "a key never enrolled" 401 unknown-key 'unknown key sha256:' "$A/intruder.1.json" "$A/intruder.1.json.sig"
# fork: two different reports with one sequence
cp -a "$A/mixed" "$A/mixed-fork"
audit mixed mixed; audit mixed-fork mixed --nonce 0123456789abcdef
expect_exit 0 "push mixed's second report" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$A/mixed.2.json"
refused "a fork: sequence 2 again, other bytes" 422 fork '^fork: sequence 2 already stored with other bytes' "$A/mixed-fork.2.json" "$A/mixed-fork.2.json.sig"
[ "$(sql "SELECT sequence || ' ' || sha256 FROM incidents WHERE kind = 'fork'")" = "2 $(sha256sum <"$A/mixed-fork.2.json" | cut -c1-64)" ] &&
	pass "the fork is kept as an incident (sequence, sha256)" || fail "the fork is kept as an incident (sequence, sha256)"
sql "SELECT encode(body, 'hex') FROM incidents WHERE kind = 'fork'" | xxd -r -p | cmp -s - "$A/mixed-fork.2.json" &&
	pass "with its exact bytes" || fail "with its exact bytes"
# a gap is stored and recorded; the report that was missing is then out of order
audit backdoor-ats backdoor-ats; audit backdoor-ats backdoor-ats
expect_exit 0 "sequence 3 after 1: stored" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$A/backdoor-ats.3.json"
[ "$(sql "SELECT kind || ': ' || detail FROM incidents ORDER BY id DESC LIMIT 1")" = "gap: sequence 3 follows 1: report 2 is missing" ] &&
	pass "the gap is an incident" || fail "the gap is an incident" "$(sql "SELECT kind, detail FROM incidents ORDER BY id DESC LIMIT 1")"
refused "a reordered report (2 after 3)" 409 reorder '^reordered: sequence 2 is older than the stored sequence 3' "$A/backdoor-ats.2.json" "$A/backdoor-ats.2.json.sig"
# nonces the collector issued are good once
sql "INSERT INTO nonces (nonce, issued_at) SELECT 'expired' || g, now() - interval '2 days' FROM generate_series(1, 3) g" >/dev/null
code=$(http "$CHIPAUDIT_URL/v1/nonce"); nonce=$(jq -r .nonce "$TMP/resp")
[ "$code" = 200 ] && [ "${#nonce}" = 32 ] && pass "GET /v1/nonce" || fail "GET /v1/nonce" "$code $(cat "$TMP/resp")"
[ "$(sql "SELECT count(*) FROM nonces WHERE nonce LIKE 'expired%'")" = 0 ] && pass "nonces a day past their use are cleared" ||
	fail "nonces a day past their use are cleared"
audit h100 h100 --nonce "$nonce"
expect_exit 0 "a report with the collector's nonce" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$A/h100.2.json" "$A/h100.3.json"
[ "$(sql "SELECT used_at IS NOT NULL FROM nonces WHERE nonce = '$nonce'")" = t ] && pass "the nonce is used up" || fail "the nonce is used up"
audit h100 h100 --nonce "$nonce"
refused "a nonce used already" 409 bad-nonce 'used already' "$A/h100.4.json" "$A/h100.4.json.sig"
# revoked keys
expect_exit 0 "revoke --host-id" "$COLLECTOR" revoke --host-id "$(hostid h100)" --reason "stolen"
expect_stdout "^revoked sha256:[0-9a-f]{64} of host $(hostid h100)$" "revoke names the key"
refused "a revoked key" 403 revoked-key 'was revoked: stolen' "$A/h100.4.json" "$A/h100.4.json.sig"
expect_exit 1 "revoke again: nothing to revoke" "$COLLECTOR" revoke --host-id "$(hostid h100)"
expect_exit 65 "a revoked key is not enrolled again" "$COLLECTOR" enroll --pubkey "$A/h100/host.pub.pem" --host-id "$(hostid h100)"
# SQL metacharacters in every string: stored and answered as they are
evil="x'); DROP TABLE reports; --\"\\"
audit evil vm
jq -c --arg e "$evil" '.host_id = $e | .host.hostname = $e' "$A/evil.1.json" >"$TMP/evil.json"; sign evil "$TMP/evil.json"
expect_exit 0 "enroll a host named with SQL metacharacters" "$COLLECTOR" enroll --pubkey "$A/evil/host.pub.pem" --host-id "$evil"
code=$(post "$TMP/evil.json" "$TMP/evil.json.sig")
[ "$code" = 201 ] && pass "its report stored" || fail "its report stored" "$code $(cat "$TMP/resp")"
qcheck "answered as it is" '[.host_id, .hostname, (.reports | length)]' "$(jq -c -n --arg e "$evil" '[$e, $e, 1]')" host "$evil"
[ "$(sql "SELECT count(*) FROM reports")" -ge 8 ] && pass "every table still there" || fail "every table still there"

# --- slow clients: an idle connection is closed after --timeout (3 s), and
# does not keep others waiting
port=${CHIPAUDIT_URL##*:}
start=$(date +%s)
( exec 3<>"/dev/tcp/127.0.0.1/$port"; cat <&3 >/dev/null ) &
idle=$!
( printf 'POST /v1/reports HTTP/1.1\r\nHost: x\r\n' | openssl s_client -quiet -connect "127.0.0.1:$port" >/dev/null 2>&1; sleep 30 ) &
slow=$!
sleep 0.5
code=$(http "$CHIPAUDIT_URL/v1/nonce")
[ "$code" = 200 ] && pass "served while slow clients hold connections" || fail "served while slow clients hold connections" "$code"
wait "$idle"; took=$(($(date +%s) - start))
[ "$took" -le 6 ] && pass "an idle connection is closed after the timeout ($took s)" || fail "an idle connection is closed after the timeout" "$took s"
kill "$slow" 2>/dev/null; wait "$slow" 2>/dev/null

# --- trust on first use (a second collector on the same database)
"$COLLECTOR" serve --enroll=first-use --listen 127.0.0.1:0 --cert "$DEV/cert.pem" --key "$DEV/key.pem" --db "$CHIPAUDIT_DB" \
	>"$TMP/tofu.out" 2>"$TMP/tofu.log" &
tofu_pid=$!
for i in $(seq 50); do grep -q "^listening" "$TMP/tofu.out" && break; sleep 0.1; done
TOFU="https://127.0.0.1:$(awk '{print $4}' "$TMP/tofu.out")"
audit newhost kunlun-h20
pub=$(openssl pkey -pubin -in "$A/newhost/host.pub.pem" -outform DER | base64 -w0)
code=$(CHIPAUDIT_URL=$TOFU post "$A/newhost.1.json" "$A/newhost.1.json.sig")
[ "$code" = 401 ] && pass "first use without the key: 401" || fail "first use without the key: 401" "$code"
code=$(CHIPAUDIT_URL=$TOFU post "$A/newhost.1.json" "$A/newhost.1.json.sig" -H "X-Chipaudit-Public-Key: $pub")
[ "$code" = 201 ] && [ "$(sql "SELECT h.enrolment || ' ' || k.enrolment FROM hosts h JOIN keys k USING (host_id) WHERE host_id = '$(hostid newhost)'")" = "first-use first-use" ] &&
	pass "first use with its key: 201, recorded as first-use" || fail "first use with its key: 201, recorded as first-use" "$code $(cat "$TMP/resp")"
audit other kunlun-h20
pub=$(openssl pkey -pubin -in "$A/other/host.pub.pem" -outform DER | base64 -w0)
code=$(CHIPAUDIT_URL=$TOFU post "$A/other.1.json" "$A/other.1.json.sig" -H "X-Chipaudit-Public-Key: $pub")
[ "$code" = 401 ] && [ "$(sql "SELECT kind FROM incidents ORDER BY id DESC LIMIT 1")" = unknown-key ] &&
	pass "a second key for a known host is not trusted on first use" || fail "a second key for a known host is not trusted on first use" "$code $(cat "$TMP/resp")"
# chipaudit push --public-key sends the key along; audit --push sends its own
audit pushed vm
expect_exit 0 "push --public-key: stored on first use" "$CHIPAUDIT" push --public-key "$A/pushed/host.pub.pem" "$TOFU" "$A/pushed.1.json"
[ "$(sql "SELECT h.enrolment || ' ' || k.enrolment FROM hosts h JOIN keys k USING (host_id) WHERE host_id = '$(hostid pushed)'")" = "first-use first-use" ] &&
	pass "push --public-key: host and key recorded as first-use" || fail "push --public-key: host and key recorded as first-use"
expect_exit 66 "push --public-key of a missing file" "$CHIPAUDIT" push --public-key "$A/none.pem" "$TOFU" "$A/pushed.1.json"
expect_stderr_line "^chipaudit: push: .*/none.pem: " "push --public-key of a missing file: one line naming it"
expect_exit 65 "push --public-key of a file that is no key" "$CHIPAUDIT" push --public-key "$A/pushed.1.json" "$TOFU" "$A/pushed.1.json"
expect_stderr_line "^chipaudit: push: .*/pushed.1.json: " "push --public-key of a file that is no key: one line naming it"
"$CHIPAUDIT" keygen --state "$A/selfpush" >/dev/null
rc=0; "$CHIPAUDIT" audit --root "$FIXTURES/spyware/root" --state "$A/selfpush" --sign -o "$A/selfpush.json" \
	--push "$TOFU" >"$TMP/selfpush.out" 2>"$TMP/selfpush.err" || rc=$?
selfhost=$(jq -r .host_id "$A/selfpush.json")
[ "$rc" -le 2 ] && grep -q ': stored (HTTP 201)$' "$TMP/selfpush.out" &&
	[ "$(sql "SELECT h.enrolment || ' ' || k.enrolment FROM hosts h JOIN keys k USING (host_id) WHERE host_id = '$selfhost'")" = "first-use first-use" ] &&
	pass "audit --push sends the state's public key: stored on first use" ||
	fail "audit --push sends the state's public key: stored on first use" "rc $rc" "$(cat "$TMP/selfpush.err")"
kill "$tofu_pid"; wait "$tofu_pid"; tofu_pid=

# --- every refusal was logged, one line each
n=$(grep -cE 'serve: (400|401|403|409|413|422) ' "$DEV/serve.log")
[ "$n" -ge 16 ] && pass "each refusal is a log line ($n)" || fail "each refusal is a log line" "$n" "$(tail -5 "$DEV/serve.log")"
qcheck "query incidents lists them" '[.incidents[].kind] | unique' \
	'["bad-nonce","bad-signature","fork","gap","malformed","reorder","replay","revoked-key","unknown-key","wrong-host"]' incidents

# --- SIGTERM: a clean stop, and (in the sanitizer build) nothing leaked or misused
pid=$(cat "$DEV/serve.pid")
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$pid" 2>/dev/null && grep -q "serve: stopping (SIGTERM)" "$DEV/serve.log" &&
	! grep -qE "Sanitizer|runtime error" "$DEV/serve.log" "$TMP/tofu.log"; then pass "SIGTERM stops it cleanly, no sanitizer report"
else fail "SIGTERM stops it cleanly, no sanitizer report" "$(grep -E -A20 "Sanitizer|runtime error" "$DEV/serve.log" "$TMP/tofu.log" | head -40)"; fi
finish
