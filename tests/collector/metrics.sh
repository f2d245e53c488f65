#!/usr/bin/env bash
# chipaudit-collector serve's GET /metrics against a real PostgreSQL
# (scripts/collector-dev): signed fixture reports pushed, a replay and a bad
# signature provoked, then each fleet gauge and collector counter compared
# with what jq computes from the reports; `promtool check metrics` on the
# text; and a real prometheus scraping it over HTTPS with the bearer token.
. "$SRCDIR/tests/collector/lib.sh"
for bin in promtool prometheus curl jq; do
	command -v "$bin" >/dev/null || { echo "1..0 # SKIP $bin is not installed"; exit 0; }
done
pids=()
collector_cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
collector_start
pass "scripts/collector-dev start"
http() { curl -sS -o "$TMP/resp" -w '%{http_code}' --cacert "$CHIPAUDIT_CACERT" "$@"; }
post() { # FILE SIGFILE: POST /v1/reports
	http -H "X-Chipaudit-Signature: $(base64 -w0 <"$2")" -H 'Content-Type: application/json' \
		--data-binary @"$1" "$CHIPAUDIT_URL/v1/reports"
}
metrics() { http -H "Authorization: Bearer $CHIPAUDIT_TOKEN" "$CHIPAUDIT_URL/metrics"; }
# sample NAME{LABELS}: its value in $TMP/metrics, or nothing
sample() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/metrics"; }
is() { # NAME GOT WANT
	[ "$2" = "$3" ] && pass "$1" || fail "$1" "got:  $2" "want: $3"
}

for h in h20x8 h100 mixed; do audit "$h" "$h"; done
for h in h20x8 h100 mixed; do
	"$COLLECTOR" enroll --pubkey "$A/$h/host.pub.pem" --host-id "$(hostid "$h")" >/dev/null
done
for h in h20x8 h100 mixed; do post "$A/$h.1.json" "$A/$h.1.json.sig" >/dev/null; done
is "a replay refused: 409" "$(post "$A/h20x8.1.json" "$A/h20x8.1.json.sig")" 409
is "another report's signature: 401" "$(post "$A/h100.1.json" "$A/h20x8.1.json.sig")" 401
latest=("$A/h20x8.1.json" "$A/h100.1.json" "$A/mixed.1.json")

# --- the token
is "GET /metrics without the token: 401" "$(http "$CHIPAUDIT_URL/metrics")" 401
is "GET /metrics with a wrong token: 401" "$(http -H "Authorization: Bearer ${CHIPAUDIT_TOKEN}x" "$CHIPAUDIT_URL/metrics")" 401
is "POST /metrics: 405" "$(http -H "Authorization: Bearer $CHIPAUDIT_TOKEN" -X POST "$CHIPAUDIT_URL/metrics")" 405
is "GET /metrics with the token: 200" "$(metrics)" 200
cp "$TMP/resp" "$TMP/metrics"

# --- the fleet's gauges
is "chipaudit_fleet_hosts" "$(sample chipaudit_fleet_hosts)" 3
is "chipaudit_fleet_hosts_silent: none yet" "$(sample chipaudit_fleet_hosts_silent)" 0
want=$(jq -s -r '[.[] | . as $r | .accelerators[] | (.pci_address // .pci) as $p |
	[.model, ([$r.findings[] | select(.check == "export.classification" and (.subjects | index([$p]))) |
	.evidence.eccn | strings][0] // "(unknown)")]] | group_by(.) |
	map("chipaudit_fleet_accelerators{model=\"\(.[0][0])\",export_class=\"\(.[0][1])\"} \(length)") | sort | .[]' "${latest[@]}")
got=$(grep '^chipaudit_fleet_accelerators{' "$TMP/metrics" | sort)
is "chipaudit_fleet_accelerators: by model and export class, as jq counts them" "$got" "$want"
want=$(jq -s -r '[.[] | [.findings[] | {check, status, s: .subjects[]}] | group_by([.check, .s])[] |
	min_by(.status as $s | ["fail","error","warn","skip","pass"] | index($s))] | group_by([.check, .status]) |
	map("chipaudit_fleet_findings{check=\"\(.[0].check)\",status=\"\(.[0].status)\"} \(length)") | sort | .[]' "${latest[@]}")
got=$(grep '^chipaudit_fleet_findings{' "$TMP/metrics" | sort)
is "chipaudit_fleet_findings: each check's counts by status, as jq counts them" "$got" "$want"
is "chipaudit_fleet_incidents{kind=\"replay\"}" "$(sample 'chipaudit_fleet_incidents{kind="replay"}')" 1
is "chipaudit_fleet_incidents{kind=\"bad-signature\"}" "$(sample 'chipaudit_fleet_incidents{kind="bad-signature"}')" 1
is "chipaudit_fleet_hosts_by_trust_level: sums to the hosts" \
	"$(awk '/^chipaudit_fleet_hosts_by_trust_level\{/ { n += $2 } END { print n }' "$TMP/metrics")" 3

# --- the collector's own counters
is "reports ingested: 3" "$(sample chipaudit_collector_reports_ingested_total)" 3
is "reports refused with 409: 1" "$(sample 'chipaudit_collector_reports_refused_total{code="409"}')" 1
is "reports refused with 401: 1" "$(sample 'chipaudit_collector_reports_refused_total{code="401"}')" 1
is "ingest histogram: 5 observed" "$(sample chipaudit_collector_ingest_duration_seconds_count)" 5
is "ingest histogram: +Inf bucket = count" "$(sample 'chipaudit_collector_ingest_duration_seconds_bucket{le="+Inf"}')" 5
is "requests: 3 reports answered 201" "$(sample 'chipaudit_collector_requests_total{endpoint="reports",code="201"}')" 3
is "requests: /metrics answered 401 twice" "$(sample 'chipaudit_collector_requests_total{endpoint="metrics",code="401"}')" 2
grep -q '^chipaudit_collector_build_info{version="[^"]*"} 1$' "$TMP/metrics" && pass "build_info" || fail "build_info"
if promtool check metrics <"$TMP/metrics" >"$TMP/promtool" 2>&1; then pass "promtool check metrics: no problem"
else fail "promtool check metrics: no problem" "$(cat "$TMP/promtool")"; fi

# --- a real Prometheus scrapes it over HTTPS with the bearer token
PROM_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf '%s\n' "$CHIPAUDIT_TOKEN" >"$TMP/token"
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: collector
    scheme: https
    authorization:
      credentials_file: $TMP/token
    tls_config:
      ca_file: $CHIPAUDIT_CACERT
    static_configs:
      - targets: ['${CHIPAUDIT_URL#https://}']
EOF
if promtool check config "$TMP/prometheus.yml" >"$TMP/promtool" 2>&1; then pass "promtool check config"
else fail "promtool check config" "$(cat "$TMP/promtool")"; fi
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$TMP/prometheus.log" 2>&1 &
pids+=($!)
value() {
	curl -sf --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // empty'
}
for _ in $(seq 60); do [ -n "$(value chipaudit_fleet_hosts 2>/dev/null)" ] && break; sleep 0.5; done
is "prometheus scraped: up" "$(value 'up{job="collector"}')" 1
is "prometheus: chipaudit_fleet_hosts" "$(value chipaudit_fleet_hosts)" 3
is "prometheus: reports ingested" "$(value chipaudit_collector_reports_ingested_total)" 3
is "prometheus: replay incidents" "$(value 'chipaudit_fleet_incidents{kind="replay"}')" 1
# --- silent as sweep counts it: no report for the schedule (a day) plus the
# grace (4 h); a host enrolled and never heard from counts from its enrolment
audit backdoor-ats backdoor-ats
"$COLLECTOR" enroll --pubkey "$A/backdoor-ats/host.pub.pem" --host-id "$(hostid backdoor-ats)" >/dev/null
metrics >/dev/null; cp "$TMP/resp" "$TMP/metrics"
is "a host just enrolled: 4 hosts" "$(sample chipaudit_fleet_hosts)" 4
is "a host just enrolled is not silent yet" "$(sample chipaudit_fleet_hosts_silent)" 0
sql "UPDATE hosts SET enrolled_at = now() - interval '28 hours 1 minute' WHERE host_id = '$(hostid backdoor-ats)';
     UPDATE hosts SET last_received_at = now() - interval '27 hours' WHERE host_id = '$(hostid h100)'" >/dev/null
metrics >/dev/null; cp "$TMP/resp" "$TMP/metrics"
is "never heard from past schedule and grace: 1 silent (not the one 27 h ago)" "$(sample chipaudit_fleet_hosts_silent)" 1
grep -q '^# HELP chipaudit_fleet_hosts_silent .*plus 14400 seconds of grace' "$TMP/metrics" &&
	pass "the grace (default 4 h) named in HELP" || fail "the grace named in HELP" "$(grep silent "$TMP/metrics")"
# --- label cardinality: a host whose signed report adds 300 models and 450
# checks of its own (and one model of 1000 characters; PCI addresses
# 0000:10:00.0 to 0000:24:19.0; its own two H100s are the h100 host's by
# UUID, so they move rather than add) cannot make a series
# of each: accelerators keep their 200 largest label sets, findings their 400
# largest checks, the rest is added into (other), and the count stays exact.
audit hostile h100
jq -c '.host_id = "0badc0de0badc0de0badc0de0badc0de" | .accelerators += [range(300) as $i | .accelerators[0] | del(.runtime, .vendor_library) |
	.pci_address = "0000:\(10 + ($i / 20 | floor)):\($i % 20 | if . < 10 then "0\(.)" else "\(.)" end).0" |
	.model = (if $i == 0 then ("L" * 1000) else "hostile-model-\($i)" end)] |
	.findings += [range(450) as $i | {check: "hostile.check.\($i)", status: "fail", severity: "low", subjects: ["s"]}]' \
	"$A/hostile.1.json" >"$A/hostile.json"
openssl pkeyutl -sign -rawin -inkey "$A/hostile/host.key.pem" -in "$A/hostile.json" -out "$A/hostile.json.sig"
"$COLLECTOR" enroll --pubkey "$A/hostile/host.pub.pem" --host-id 0badc0de0badc0de0badc0de0badc0de >/dev/null
before=$(grep -c '^chipaudit_fleet_accelerators{' "$TMP/metrics")
before_accelerators=$(awk '/^chipaudit_fleet_accelerators\{/ { n += $NF } END { print n }' "$TMP/metrics")
grep '^chipaudit_fleet_findings{' "$TMP/metrics" | sed 's/,status=.*//' | sort -u >"$TMP/checks.before"
before_checks=$(wc -l <"$TMP/checks.before")
before_findings=$(awk '/^chipaudit_fleet_findings\{/ { n += $NF } END { print n }' "$TMP/metrics")
is "the hostile report is stored: 201" "$(post "$A/hostile.json" "$A/hostile.json.sig")" 201
metrics >/dev/null; cp "$TMP/resp" "$TMP/metrics"
is "accelerators: 200 label sets and (other)" "$(grep -c '^chipaudit_fleet_accelerators{' "$TMP/metrics")" 201
is "accelerators: the folded sets counted" \
	"$(sample 'chipaudit_fleet_series_folded{metric="chipaudit_fleet_accelerators"}')" "$((before + 300 - 200))"
is "accelerators: the count stays exact" \
	"$(awk '/^chipaudit_fleet_accelerators\{/ { n += $NF } END { print n }' "$TMP/metrics")" "$((before_accelerators + 300))"
is "accelerators: (other) holds the folded ones" "$(sample 'chipaudit_fleet_accelerators{model="(other)",export_class="(other)"}')" \
	"$((before + 300 - 200))"
is "findings: 400 checks and (other)" \
	"$(grep '^chipaudit_fleet_findings{' "$TMP/metrics" | sed 's/,status=.*//' | sort -u | wc -l)" 401
is "findings: every check of the catalogue kept (hostile ones folded first)" \
	"$(grep '^chipaudit_fleet_findings{' "$TMP/metrics" | sed 's/,status=.*//' | sort -u | comm -23 "$TMP/checks.before" - | wc -l)" 0
is "findings: the folded sets counted" \
	"$(sample 'chipaudit_fleet_series_folded{metric="chipaudit_fleet_findings"}')" "$((before_checks + 450 - 400))"
is "findings: the count stays exact" \
	"$(awk '/^chipaudit_fleet_findings\{/ { n += $NF } END { print n }' "$TMP/metrics")" \
	"$((before_findings + $(jq '[.findings[] | {check, s: .subjects[]}] | unique | length' "$A/hostile.json")))"
is "no label value over 128 characters" "$(grep -o '="[^"]*"' "$TMP/metrics" | awk 'length($0) > 131' | wc -l)" 0
if promtool check metrics <"$TMP/metrics" >"$TMP/promtool" 2>&1; then pass "promtool check metrics: no problem after folding"
else fail "promtool check metrics after folding" "$(cat "$TMP/promtool")"; fi
finish
