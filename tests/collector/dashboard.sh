#!/usr/bin/env bash
# The dashboard (GET /) in a real browser: scripts/collector-dev, real signed
# audits of five fixture hosts pushed with `chipaudit push` (one of them
# twice, one replayed: an incident), a host enrolled three days ago that
# never reported (silent), and a host whose signed report names it with
# markup; then Debian's chromium, headless, driven by chromedriver through
# python3-selenium (tests/collector/dashboard_check.py) logs in with the
# token and checks each page's figures against what jq computes here from
# the same reports. Skips (1..0 # SKIP) where chromium, chromedriver, selenium
# or PostgreSQL are not installed.
# DASHBOARD_SCREENSHOTS=DIR saves the pages as PNG there (docs/screenshots/).
: "${SYS_PYTHON:?}"
. "$SRCDIR/tests/collector/lib.sh"
for bin in chromium chromedriver; do
	command -v "$bin" >/dev/null || { echo "1..0 # SKIP $bin is not installed (scripts/install-deps installs it)"; exit 0; }
done
"$SYS_PYTHON" -c 'import selenium' 2>/dev/null || { echo "1..0 # SKIP selenium is not importable by $SYS_PYTHON"; exit 0; }
collector_start
pass "scripts/collector-dev start"

sign() { openssl pkeyutl -sign -inkey "$A/$1/host.key.pem" -rawin -in "$2" -out "$2.sig"; }

for h in h20x8 h100 mixed backdoor-ats spyware; do audit "$h" "$h"; done
audit h20x8 h20x8
for h in h20x8 h100 mixed backdoor-ats spyware; do
	"$COLLECTOR" enroll --pubkey "$A/$h/host.pub.pem" --host-id "$(hostid "$h")" >/dev/null
done
# a host named with markup, in its signed report
HOSTILE_NAME='<img src=x onerror="window.__pwned=1">'
HOSTILE_ID='<script>window.__pwned=2</script>'
audit evil vm
jq -c --arg n "$HOSTILE_NAME" --arg i "$HOSTILE_ID" '.host_id = $i | .host.hostname = $n' "$A/evil.1.json" >"$A/hostile.json"
sign evil "$A/hostile.json"
"$COLLECTOR" enroll --pubkey "$A/evil/host.pub.pem" --host-id "$HOSTILE_ID" >/dev/null
latest=("$A/h20x8.2.json" "$A/h100.1.json" "$A/mixed.1.json" "$A/backdoor-ats.1.json" "$A/spyware.1.json" "$A/hostile.json")
expect_exit 0 "push seven reports of six hosts" "$CHIPAUDIT" push "$CHIPAUDIT_URL" "$A/h20x8.1.json" "${latest[@]}"
[ "$(grep -c 'stored (HTTP 201)' "$TMP/out")" = 7 ] && pass "each answered 201" || fail "each answered 201" "$(cat "$TMP/out")"
# an incident: a replay
code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$CHIPAUDIT_CACERT" -H "X-Chipaudit-Signature: $(base64 -w0 <"$A/h100.1.json.sig")" \
	--data-binary @"$A/h100.1.json" "$CHIPAUDIT_URL/v1/reports")
[ "$code" = 409 ] && pass "a replay refused: an incident" || fail "a replay refused: an incident" "$code"
# a silent host: enrolled three days ago, never heard from
"$CHIPAUDIT" keygen --state "$A/quiet" >/dev/null
"$COLLECTOR" enroll --pubkey "$A/quiet/host.pub.pem" --host-id quiet-host >/dev/null
sql "UPDATE hosts SET enrolled_at = now() - interval '3 days' WHERE host_id = 'quiet-host'" >/dev/null

# --- without the token: the page, but nothing of the fleet
http() { curl -sS -o "$TMP/resp" -D "$TMP/headers" -w '%{http_code}' --cacert "$CHIPAUDIT_CACERT" "$@"; }
code=$(http "$CHIPAUDIT_URL/")
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'" "$TMP/headers" &&
	grep -qi '^x-content-type-options: nosniff' "$TMP/headers" && [ "$code" = 200 ] &&
	pass "GET /: 200, with its Content-Security-Policy and nosniff" || fail "GET /: 200, with its Content-Security-Policy and nosniff" "$code" "$(cat "$TMP/headers")"
! grep -qiE '<script>|<script [^>]*>[^<]|[[:space:]]style=|[[:space:]]on[a-z]+=' "$TMP/resp" && ! grep -q "$(hostid h20x8)" "$TMP/resp" &&
	pass "the page: no inline script, style or handler, no fleet data" || fail "the page: no inline script, style or handler, no fleet data"
for q in hosts overview "diff?id=$(hostid h20x8)&from=1&to=2" summary; do
	code=$(http "$CHIPAUDIT_URL/v1/query/$q")
	[ "$code" = 401 ] && ! grep -q "$(hostid h20x8)" "$TMP/resp" && pass "/v1/query/$q without the token: 401" ||
		fail "/v1/query/$q without the token: 401" "$code $(cat "$TMP/resp")"
done
code=$(http -H "Authorization: Bearer $CHIPAUDIT_TOKEN" "$CHIPAUDIT_URL/v1/query/hosts?limit=201")
[ "$code" = 400 ] && jq -e '.reason == "query: limit: expected a whole number from 1 to 200"' "$TMP/resp" >/dev/null &&
	pass "hosts: more than 200 rows a page refused (400)" || fail "hosts: more than 200 rows a page refused (400)" "$code $(cat "$TMP/resp")"
code=$(http -X POST "$CHIPAUDIT_URL/dashboard.js")
[ "$code" = 405 ] && pass "POST to an asset: 405" || fail "POST to an asset: 405" "$code"

# --- what the pages must show, computed from the reports with jq
worst='["fail","error","warn","skip","pass"]'
jq -s --argjson worst "$worst" --arg check "$(jq -r '[.findings[] | select(.status == "fail") | .check][0]' "$A/h20x8.2.json")" '
	def subjects: [.findings[] | {check, status, s: .subjects[]}] | group_by([.check, .s]) |
		map(min_by(.status as $s | $worst | index($s)));
	def smap: subjects | map({key: (.check + "\t" + .s), value: .status}) | from_entries;
	{hosts: (length + 1), all_hosts: ([.[].host_id] + ["quiet-host"] | sort), accelerators: ([.[].accelerators | length] | add),
	 by_model: ([.[].accelerators[].model] | group_by(.) | map({model: .[0], accelerators: length})),
	 checks: ([.[] | subjects[]] | group_by(.check) | map({check: .[0].check,
		pass: map(select(.status == "pass")) | length, warn: map(select(.status == "warn")) | length,
		fail: map(select(.status == "fail")) | length, skip: map(select(.status == "skip")) | length,
		error: map(select(.status == "error")) | length})),
	 failing_check: $check,
	 failing_hosts: ([.[] | select([subjects[] | select(.check == $check and .status == "fail")] | length > 0) | .host_id] | sort),
	 by_trust: (map(.trust.level) | group_by(.) | map({trust_level: .[0], hosts: length})),
	 not_passing: (.[0] | [subjects[] | select(.status != "pass" and .status != "skip") | [.check, .s, .status]] | sort)}
' "${latest[@]}" >"$TMP/expect.json"
# the diff of h20x8's two reports: each subject's worst status in each
jq -n --argjson worst "$worst" --slurpfile a "$A/h20x8.1.json" --slurpfile b "$A/h20x8.2.json" '
	def smap: [.findings[] | {check, status, s: .subjects[]}] | group_by([.check, .s]) |
		map(min_by(.status as $s | $worst | index($s))) | map({key: (.check + "\t" + .s), value: .status}) | from_entries;
	($a[0] | smap) as $x | ($b[0] | smap) as $y |
	[($x + $y) | keys[] | select($x[.] != $y[.]) | split("\t") + [$x[.], $y[.]]] | sort' >"$TMP/diff.json"
jq -n --slurpfile e "$TMP/expect.json" --slurpfile d "$TMP/diff.json" \
	--arg h20 "$(hostid h20x8)" --arg hostile_name "$HOSTILE_NAME" --arg hostile_id "$HOSTILE_ID" \
	--arg uuid "$(jq -r '.accelerators[0] | (.runtime.identity.uuid // .vendor_library.nvml.uuid // .nvml.uuid)' "$A/h20x8.1.json")" \
	--arg url "$CHIPAUDIT_URL" --arg token "$CHIPAUDIT_TOKEN" --argjson reports 7 --argjson today_reports 7 \
	--arg model_host "$(hostid h100)" --arg model "$(jq -r '.accelerators[0].model' "$A/h100.1.json")" \
	--argjson model_hosts "$(jq -s --arg m "$(jq -r '.accelerators[0].model' "$A/h100.1.json")" \
		'[.[] | select([.accelerators[].model] | index($m)) | .host_id] | sort' "${latest[@]}")" \
	'$e[0] + {diff: $d[0], h20x8: $h20, hostile_name: $hostile_name, hostile_id: $hostile_id, uuid: $uuid,
	  url: $url, token: $token, reports: $reports, today_reports: $today_reports, silent: ["quiet-host"], incidents: 1,
	  model: $model, model_hosts: $model_hosts}' >"$TMP/dashboard.json"
[ "$(jq '.diff | length' "$TMP/dashboard.json")" -gt 0 ] && pass "the diff of h20x8's two reports is not empty ($(jq '.diff | length' "$TMP/dashboard.json") subjects)" ||
	fail "the diff of h20x8's two reports is not empty"

# --- in the browser
"$SYS_PYTHON" "$SRCDIR/tests/collector/dashboard_check.py" "$TMP/dashboard.json" "$TMP" --cacert "$CHIPAUDIT_CACERT" \
	${DASHBOARD_SCREENSHOTS:+--screenshots "$DASHBOARD_SCREENSHOTS"} >"$TMP/browser.tap" 2>"$TMP/browser.err"
rc=$?
while IFS= read -r line; do
	case "$line" in
	"ok "*) pass "browser: ${line#ok * - }" ;;
	"not ok "*) fail "browser: ${line#not ok * - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$TMP/browser.tap"
[ "$rc" = 0 ] && grep -q '^1\.\.' "$TMP/browser.tap" && pass "the browser checks ran to their end" ||
	fail "the browser checks ran to their end" "exit $rc" "$(tail -20 "$TMP/browser.err")"

# --- SIGTERM: a clean stop, and (in the sanitizer build) nothing leaked or misused
pid=$(cat "$DEV/serve.pid")
kill -TERM "$pid"
for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if ! kill -0 "$pid" 2>/dev/null && grep -q "serve: stopping (SIGTERM)" "$DEV/serve.log" &&
	! grep -qE "Sanitizer|runtime error" "$DEV/serve.log"; then pass "SIGTERM stops it cleanly, no sanitizer report"
else fail "SIGTERM stops it cleanly, no sanitizer report" "$(grep -E -A20 "Sanitizer|runtime error" "$DEV/serve.log" | head -40)"; fi
finish
