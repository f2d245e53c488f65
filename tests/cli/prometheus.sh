#!/usr/bin/env bash
# --format prometheus: the textfile of a fixture audit passes `promtool check
# metrics`, is read by a real prometheus-node-exporter (its textfile
# collector) and scraped by a real prometheus on loopback; Prometheus's HTTP
# API then answers with the series and values of the JSON report of the same
# audit. Then the file is replaced, atomically, by the metrics of a measured
# report carrying hostile label values, and the next scrape has them exactly.
# Skips (exit 77) only when the Prometheus binaries are not installed.
. "$SRCDIR/tests/cli/lib.sh"

for bin in promtool prometheus prometheus-node-exporter curl jq; do
	if ! command -v "$bin" >/dev/null; then
		echo "SKIP: $bin is not installed (scripts/install-deps installs prometheus, prometheus-node-exporter, curl and jq)"
		exit 77
	fi
done

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT

H100="$FIXTURES/h100/root"
TEXTFILES="$TMP/textfiles"
mkdir -p "$TEXTFILES"

# ---- the textfile itself ----

"$CHIPAUDIT" audit --root "$H100" --no-history -o "$TMP/h100.json" >/dev/null
"$CHIPAUDIT" audit --root "$H100" --no-history --format prometheus -o "$TEXTFILES/chipaudit.prom" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ "$rc" -eq "$(jq -r .summary.exit_code "$TMP/h100.json")" ] && pass "audit --format prometheus exits with the verdict ($rc)" ||
	fail "audit --format prometheus exits with the verdict" "exit $rc" "$(cat "$TMP/err")"
expect_stdout '^Findings$' "the text report is still printed when -o takes the metrics"
if promtool check metrics <"$TEXTFILES/chipaudit.prom" >"$TMP/promtool" 2>&1; then
	pass "promtool check metrics: no problem"
else
	fail "promtool check metrics: no problem" "$(cat "$TMP/promtool")"
fi
ls -A "$TEXTFILES" >"$TMP/ls"
[ "$(cat "$TMP/ls")" = chipaudit.prom ] && pass "only the textfile is left in its directory" || fail "only the textfile is left in its directory" "$(cat "$TMP/ls")"
[ "$(stat -c %a "$TEXTFILES/chipaudit.prom")" = 644 ] && pass "textfile mode 0644" || fail "textfile mode 0644" "$(stat -c %a "$TEXTFILES/chipaudit.prom")"
for series in chipaudit_build_info chipaudit_last_audit_timestamp_seconds chipaudit_check_status chipaudit_findings \
	chipaudit_trust_level chipaudit_accelerator_info chipaudit_xid_events_total chipaudit_export_tpp; do
	if grep -q "^# HELP $series " "$TEXTFILES/chipaudit.prom" && grep -q "^# TYPE $series " "$TEXTFILES/chipaudit.prom"; then
		pass "$series has HELP and TYPE"
	else
		fail "$series has HELP and TYPE"
	fi
done
hostname=$(jq -r .host.hostname "$TMP/h100.json")
if grep -v '^#' "$TEXTFILES/chipaudit.prom" | grep -qE "$hostname|/lib/|/sys/"; then
	fail "no hostname or path in any label" "$(grep -E "$hostname|/lib/|/sys/" "$TEXTFILES/chipaudit.prom" | head -3)"
else
	pass "no hostname or path in any label"
fi
# judge and report write the same metrics as audit from the same facts
"$CHIPAUDIT" facts --root "$H100" -o "$TMP/h100-facts.json"
"$CHIPAUDIT" judge --format prometheus "$TMP/h100-facts.json" >"$TMP/judge.prom"
"$CHIPAUDIT" report --format prometheus "$TMP/h100.json" >"$TMP/report.prom"
cmp -s "$TMP/judge.prom" "$TEXTFILES/chipaudit.prom" && pass "judge --format prometheus: the same metrics as audit" ||
	fail "judge --format prometheus: the same metrics as audit" "$(diff "$TMP/judge.prom" "$TEXTFILES/chipaudit.prom" | head -10)"
cmp -s "$TMP/report.prom" "$TEXTFILES/chipaudit.prom" && pass "report --format prometheus: the same metrics as audit" ||
	fail "report --format prometheus: the same metrics as audit" "$(diff "$TMP/report.prom" "$TEXTFILES/chipaudit.prom" | head -10)"

# ---- what is refused ----

jq -c '.host.time = "29 Nov 2025"' "$TMP/h100.json" >"$TMP/badtime.json"
expect_exit 65 "report --format prometheus: a time that is not RFC 3339 exits 65" \
	"$CHIPAUDIT" report --format prometheus "$TMP/badtime.json"
expect_stderr_line 'badtime\.json: host\.time: expected an RFC 3339 time' "... in one line naming the file and the member"
expect_exit 64 "--json and --format prometheus without -o: usage error" \
	"$CHIPAUDIT" report --json --format prometheus "$TMP/h100.json"
expect_exit 64 "audit --sign --format prometheus: usage error (the signature is of the JSON report)" \
	"$CHIPAUDIT" audit --root "$H100" --no-history --sign --format prometheus -o "$TMP/x.prom"
expect_exit 64 "--format yaml: usage error" "$CHIPAUDIT" report --format yaml "$TMP/h100.json"
expect_exit 73 "-o in a missing directory exits 73" \
	"$CHIPAUDIT" report --format prometheus -o "$TMP/missing/x.prom" "$TMP/h100.json"
[ ! -e "$TMP/missing" ] && pass "... and leaves nothing behind" || fail "... and leaves nothing behind"

# ---- a real node_exporter and a real Prometheus ----

free_port() {
	"$SYS_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
NE_PORT=$(free_port)
PROM_PORT=$(free_port)
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$TEXTFILES" --web.listen-address="127.0.0.1:$NE_PORT" \
	>"$TMP/node-exporter.log" 2>&1 &
pids+=($!)
cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
EOF
if promtool check config "$TMP/prometheus.yml" >"$TMP/promtool" 2>&1; then pass "promtool check config"; else fail "promtool check config" "$(cat "$TMP/promtool")"; fi
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$TMP/prometheus.log" 2>&1 &
pids+=($!)

# query EXPR: the instant vector as JSON lines of {metric, value}.
query() {
	curl -sf --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		jq -c '.data.result[] | {metric, value: .value[1]}'
}
# value EXPR: the one value EXPR gives, or nothing.
value() {
	query "$1" | jq -r .value
}
# wait_for EXPR: until EXPR has a result (30 s at most).
wait_for() {
	for _ in $(seq 60); do
		[ -n "$(query "$1" 2>/dev/null)" ] && return 0
		sleep 0.5
	done
	return 1
}
# prom_is EXPR WANT NAME
prom_is() {
	local got
	got=$(value "$1")
	[ "$got" = "$2" ] && pass "$3" || fail "$3" "query $1 gave: $got" "expected: $2"
}

if wait_for 'chipaudit_build_info'; then
	pass "Prometheus scraped the textfile through node_exporter"
else
	fail "Prometheus scraped the textfile through node_exporter" "$(tail -5 "$TMP/prometheus.log")" "$(tail -5 "$TMP/node-exporter.log")"
	finish
	exit
fi
prom_is 'node_textfile_scrape_error' 0 "node_exporter read the textfile without error"
prom_is 'up{job="node"}' 1 "the scrape target is up"
version=$("$CHIPAUDIT" --version | awk '{print $2}')
prom_is "chipaudit_build_info{version=\"$version\"}" 1 "chipaudit_build_info{version=\"$version\"} 1"
prom_is 'chipaudit_last_audit_timestamp_seconds' "$SOURCE_DATE_EPOCH" "chipaudit_last_audit_timestamp_seconds is the audit's time"
for s in pass warn fail skip error; do
	prom_is "chipaudit_findings{status=\"$s\"}" "$(jq -r ".summary.$s" "$TMP/h100.json")" "chipaudit_findings{status=\"$s\"} as the report's summary"
done
prom_is 'chipaudit_trust_level' "$(jq -r .trust.level "$TMP/h100.json")" "chipaudit_trust_level as the report's trust level"
# every (check, subject) of the report once, with its worst status
jq -r '[.findings[] as $f | $f.subjects[] | {check: $f.check, subject: .}] | unique | length' "$TMP/h100.json" >"$TMP/pairs"
prom_is 'count(chipaudit_check_status == 1)' "$(cat "$TMP/pairs")" "one current status for each of the report's $(cat "$TMP/pairs") (check, subject) pairs"
prom_is 'count(chipaudit_check_status)' "$(($(cat "$TMP/pairs") * 5))" "five statuses for each pair"
prom_is 'chipaudit_check_status{check="backdoor.driver.cve",subject="host",status="fail"}' 1 "backdoor.driver.cve on host: fail is 1"
prom_is 'chipaudit_check_status{check="backdoor.driver.cve",subject="host",status="pass"}' 0 "backdoor.driver.cve on host: pass is 0"
prom_is 'chipaudit_check_status{check="backdoor.pci.rom",subject="0000:c1:00.0",status="skip"}' 1 "backdoor.pci.rom on 0000:c1:00.0: skip is 1"
for acc in $(jq -r '.accelerators[].pci_address' "$TMP/h100.json"); do
	uuid=$(jq -r --arg a "$acc" '.accelerators[] | select(.pci_address == $a) | .runtime.identity.uuid' "$TMP/h100.json")
	prom_is "chipaudit_accelerator_info{pci_bus_id=\"$acc\",uuid=\"$uuid\",model=\"H100 PCIe\",export_class=\"3A090.a\"}" 1 \
		"chipaudit_accelerator_info of $acc: its UUID, model and export class"
	tpp=$(jq -r --arg a "$acc" '.findings[] | select(.check == "export.classification" and (.subjects | index($a))) | .evidence.tpp' "$TMP/h100.json")
	prom_is "chipaudit_export_tpp{pci_bus_id=\"$acc\"}" "$tpp" "chipaudit_export_tpp of $acc is the report's TPP ($tpp)"
done
prom_is 'chipaudit_xid_events_total{pci_bus_id="0000:41:00.0",xid="13"}' 1 "XID 13 on 0000:41:00.0 counted once"
prom_is 'chipaudit_xid_events_total{pci_bus_id="0000:41:00.0",xid="31"}' 1 "XID 31 on 0000:41:00.0 counted once"
prom_is 'sum(chipaudit_xid_events_total)' "$(jq -r '.facts.kernel_xids.events | length' "$TMP/h100.json")" "every XID event of the facts counted"
prom_is 'count(chipaudit_measured_ops_per_second)' "" "no measured series when nothing was measured"

# ---- replaced: a measured report with hostile label values ----

"$CHIPAUDIT" judge -o "$TMP/h200.json" "$FIXTURES/measured/h200-healthy.json" >/dev/null
evil='evil"check\name
line2'
jq -c --arg evil "$evil" '.findings += [{check: $evil, category: "x", status: "warn", severity: "low", subjects: ["host"],
	evidence: {}, message: "a message", remediation: null}]' "$TMP/h200.json" >"$TMP/hostile.json"
inode=$(stat -c %i "$TEXTFILES/chipaudit.prom")
"$CHIPAUDIT" report --format prometheus -o "$TEXTFILES/chipaudit.prom" "$TMP/hostile.json" >/dev/null
[ "$(stat -c %i "$TEXTFILES/chipaudit.prom")" != "$inode" ] && pass "the textfile is replaced by a rename, not rewritten in place" ||
	fail "the textfile is replaced by a rename, not rewritten in place"
if promtool check metrics <"$TEXTFILES/chipaudit.prom" >"$TMP/promtool" 2>&1; then
	pass "promtool check metrics: hostile label values escaped"
else
	fail "promtool check metrics: hostile label values escaped" "$(cat "$TMP/promtool")"
fi
if wait_for 'chipaudit_measured_ops_per_second'; then pass "the replaced textfile is scraped"; else fail "the replaced textfile is scraped"; fi
prom_is 'node_textfile_scrape_error' 0 "node_exporter read the hostile textfile without error"
for p in $(jq -r '.accelerators[0].measured.dense_tops | to_entries[] | select(.value != null) | .key' "$TMP/h200.json"); do
	want=$(jq -r --arg p "$p" '.accelerators[0].measured.dense_tops[$p] * 1e12' "$TMP/h200.json")
	got=$(value "chipaudit_measured_ops_per_second{pci_bus_id=\"0000:18:00.0\",precision=\"$p\"}")
	if [ -n "$got" ] && "$SYS_PYTHON" -c "import sys; sys.exit(abs(float('$got') - float('$want')) > 1e-9 * float('$want'))"; then
		pass "chipaudit_measured_ops_per_second $p: $got"
	else
		fail "chipaudit_measured_ops_per_second $p" "got: $got" "expected: $want"
	fi
done
prom_is 'chipaudit_export_tpp{pci_bus_id="0000:18:00.0"}' 15832 "chipaudit_export_tpp of the H200: 15832"
label=$(curl -sf "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode 'query=chipaudit_check_status{status="warn"} == 1' |
	jq -r --arg evil "$evil" '[.data.result[].metric.check | select(. == $evil)] | length')
[ "$label" = 1 ] && pass "a check id with a quote, a backslash and a line feed arrives in Prometheus unchanged" ||
	fail "a check id with a quote, a backslash and a line feed arrives in Prometheus unchanged" "matches: $label"
prom_is 'count(chipaudit_xid_events_total)' "" "the XID series of the earlier file are gone with it"

finish
