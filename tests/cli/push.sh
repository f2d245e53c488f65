#!/usr/bin/env bash
# chipaudit push and audit --push against a stand-in collector on loopback
# (tests/cli/push_stub.py: real TLS, real HTTP): the exact report bytes and
# their signature arrive, a refusal is named and never retried, a wrong CA
# fails the TLS check, a collector that answers 503 or is gone is retried
# with backoff and then given up on.
. "$(dirname "$0")/lib.sh"

STUB="$SRCDIR/tests/cli/push_stub.py"
C="$TMP/collector"
mkdir -p "$C"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$C/key.pem" -out "$C/cert.pem" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=other \
	-keyout "$C/other.key" -out "$C/other.pem" 2>/dev/null

stub_pid=
start_stub() { # FAIL_FIRST
	rm -f "$C/log"
	coproc STUBP { exec python3 "$STUB" "$C/cert.pem" "$C/key.pem" "$C" "$1"; }
	stub_pid=$STUBP_PID
	read -r PORT <&"${STUBP[0]}"
	URL="https://127.0.0.1:$PORT"
}
stop_stub() { [ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null && wait "$stub_pid" 2>/dev/null; stub_pid=; }
trap 'stop_stub; rm -rf "$TMP"' EXIT
posts() { [ -f "$C/log" ] && wc -l <"$C/log" || echo 0; }

# --- signed reports from several hosts' audits
for h in h20x8 h100 mixed backdoor-ats; do
	"$CHIPAUDIT" keygen --state "$TMP/$h" >/dev/null
	"$CHIPAUDIT" audit --root "$FIXTURES/$h/root" --state "$TMP/$h" --sign -o "$TMP/$h.json" >/dev/null 2>&1
	if [ -s "$TMP/$h.json.sig" ]; then pass "$h: signed report"; else fail "$h: signed report" "no $TMP/$h.json.sig"; fi
done

start_stub 0
expect_exit 0 "push four hosts' reports" "$CHIPAUDIT" push --cacert "$C/cert.pem" "$URL" \
	"$TMP/h20x8.json" "$TMP/h100.json" "$TMP/mixed.json" "$TMP/backdoor-ats.json"
expect_stdout "h100.json: stored \(HTTP 201\)" "push names each stored report"
ok=1
for h in h20x8 h100 mixed backdoor-ats; do
	d=$(sha256sum <"$TMP/$h.json" | cut -d' ' -f1)
	cmp -s "$TMP/$h.json" "$C/$d" || ok=0
	[ "$(cat "$C/$d.sig")" = "$(base64 -w0 <"$TMP/$h.json.sig")" ] || ok=0
done
if [ $ok = 1 ]; then pass "the collector got the exact bytes and base64 signatures"; else fail "the collector got the exact bytes and base64 signatures" "$(cat "$C/log")"; fi
if awk '{print $2}' "$C/log" | sort -u | grep -qx /v1/reports; then pass "posted to URL/v1/reports"; else fail "posted to URL/v1/reports" "$(cat "$C/log")"; fi

# --- a refusal: named, exit 65, not retried
n=$(posts)
expect_exit 65 "a replayed report is refused" "$CHIPAUDIT" push --cacert "$C/cert.pem" "$URL" "$TMP/h100.json"
expect_stderr_line "h100.json: refused: HTTP 409: replayed$" "the refusal names status and reason"
if [ "$(posts)" -eq $((n + 1)) ]; then pass "a refusal is not retried"; else fail "a refusal is not retried" "$(posts) posts, had $n"; fi
sed 's/"sequence"/"FORK","sequence"/' "$TMP/mixed.json" >"$TMP/fork.json"; cp "$TMP/mixed.json.sig" "$TMP/fork.json.sig"
CHIPAUDIT_CACERT="$C/cert.pem" expect_exit 65 "a fork is refused (CA from \$CHIPAUDIT_CACERT)" "$CHIPAUDIT" push "$URL" "$TMP/fork.json"
expect_stderr_line "refused: HTTP 422: fork: sequence 1 already stored with other bytes$" "422 and its reason"

# --- TLS: a certificate from another CA is not accepted, nor plain http
expect_exit 65 "wrong --cacert fails the TLS check" "$CHIPAUDIT" push --retries 3 --cacert "$C/other.pem" "$URL" "$TMP/h20x8.json"
expect_stderr_line "h20x8.json: https://127.0.0.1:$PORT/v1/reports: .*(certificate|SSL)" "the TLS failure is named, not retried"
expect_exit 64 "plain http is refused" "$CHIPAUDIT" push "http://127.0.0.1:$PORT" "$TMP/h20x8.json"
expect_exit 66 "a report without its .sig" "$CHIPAUDIT" push --cacert "$C/cert.pem" "$URL" "$FIXTURES/h100/expected-findings.json"
expect_exit 64 "--cert without --key" "$CHIPAUDIT" push --cert "$C/cert.pem" "$URL" "$TMP/h20x8.json"
stop_stub

# --- retries: 503 twice, then stored; a stopped collector is given up on
start_stub 2
"$CHIPAUDIT" keygen --state "$TMP/late" >/dev/null
"$CHIPAUDIT" audit --root "$FIXTURES/h100/root" --state "$TMP/late" --sign -o "$TMP/late.json" >/dev/null 2>&1
expect_exit 0 "503 twice, then stored" "$CHIPAUDIT" push --retries 3 --cacert "$C/cert.pem" "$URL" "$TMP/late.json"
if [ "$(posts)" -eq 3 ] && grep -q "retrying in 2000 ms (attempt 3 of 4)" "$TMP/err"; then pass "retried with backoff"; else fail "retried with backoff" "$(posts) posts" "$(cat "$TMP/err")"; fi
stop_stub
start=$(date +%s)
expect_exit 69 "a stopped collector: retried, then exit 69" "$CHIPAUDIT" push --retries 2 --cacert "$C/cert.pem" "$URL" "$TMP/h20x8.json"
took=$(($(date +%s) - start))
if [ "$(grep -c 'retrying in' "$TMP/err")" -eq 2 ] && [ "$took" -ge 3 ]; then pass "two retries, 1 s then 2 s apart"; else fail "two retries, 1 s then 2 s apart" "took $took s" "$(cat "$TMP/err")"; fi

# --- audit --push: audit, sign, push in one step; the verdict stays the exit code
start_stub 0
"$CHIPAUDIT" keygen --state "$TMP/one" >/dev/null
expect_exit 2 "audit --sign --push exits with the verdict (h20x8 fails)" "$CHIPAUDIT" audit --root "$FIXTURES/h20x8/root" \
	--state "$TMP/one" --sign -o "$TMP/one.json" --push "$URL" --cacert "$C/cert.pem"
d=$(sha256sum <"$TMP/one.json" | cut -d' ' -f1)
if cmp -s "$TMP/one.json" "$C/$d"; then pass "audit --push sent the report it wrote"; else fail "audit --push sent the report it wrote" "$(cat "$C/log")"; fi
expect_exit 64 "audit --push needs --sign and -o" "$CHIPAUDIT" audit --root "$FIXTURES/h20x8/root" --state "$TMP/one" --push "$URL"
stop_stub
"$CHIPAUDIT" keygen --state "$TMP/two" >/dev/null
expect_exit 69 "audit --push to nobody: the push's exit code" "$CHIPAUDIT" audit --root "$FIXTURES/h100/root" \
	--state "$TMP/two" --sign -o "$TMP/two.json" --push "$URL" --cacert "$C/cert.pem"
finish
