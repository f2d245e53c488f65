#!/usr/bin/env bash
# chipaudit measure and audit --measure: without a driver, against the fake
# CUDA driver and cuBLASLt (tests/fake-cuda/, through the real dlopen path),
# and the checks on recorded measured facts (tests/fixtures/measured/).
. "$(dirname "$0")/lib.sh"
: "${FAKE_CUDA_LIB:?}" "${FAKE_CUDA_SCENARIOS:?}"
MEASURED="$FIXTURES/measured"
export FAKE_CUDA_STATE="$TMP/fake-state"
mkdir -p "$FAKE_CUDA_STATE"

# fake SCENARIO: use the fake driver with SCENARIO, a fresh device memory.
fake() {
	rm -f "$FAKE_CUDA_STATE"/*
	export CHIPAUDIT_LIBCUDA="$FAKE_CUDA_LIB" CHIPAUDIT_LIBCUBLASLT="$FAKE_CUDA_LIB"
	export FAKE_CUDA_SCENARIO="$FAKE_CUDA_SCENARIOS/$1.json"
}

# No driver: says so, exits 0.
CHIPAUDIT_LIBCUDA=/nonexistent/libcuda.so.1 expect_exit 0 "no driver: measure exits 0" "$CHIPAUDIT" measure --quick
expect_stdout '^Nothing measured: no CUDA driver: /nonexistent/libcuda.so.1: cannot open shared object file' "no driver: says so"
CHIPAUDIT_LIBCUDA=/nonexistent/libcuda.so.1 "$CHIPAUDIT" measure --quick --json >"$TMP/none.json"
jq_is '.measurement.status' unavailable "no driver: facts say unavailable" "$TMP/none.json"
jq_is '[.limitations[] | select(.source == "measurement")] | length' 1 "no driver: a limitation" "$TMP/none.json"
jq_is '.measurement.telemetry' "not sampled: no telemetry backend" "no driver: telemetry not sampled" "$TMP/none.json"

# The CUDA toolkit's stub libcuda (a toolkit without a driver), where installed.
stub=/usr/local/cuda/lib64/stubs/libcuda.so
if [ -f "$stub" ]; then
	CHIPAUDIT_LIBCUDA=$stub expect_exit 0 "toolkit stub: measure exits 0" "$CHIPAUDIT" measure --quick
	expect_stdout '^Nothing measured: the CUDA driver did not start: CUDA_ERROR_STUB_LIBRARY \(34\)\.$' "toolkit stub: named"
else
	pass "toolkit stub: # SKIP no CUDA toolkit stub at $stub"
fi

fake no-device
expect_exit 0 "no GPU: measure exits 0" "$CHIPAUDIT" measure
expect_stdout '^Nothing measured: no CUDA device: CUDA_ERROR_NO_DEVICE \(100\)\.$' "no GPU: says so"

# A healthy H200 (fake): the figures, as text and as facts that judge accepts.
fake h200
expect_exit 0 "h200: measure --quick exits 0" "$CHIPAUDIT" measure --quick
expect_stdout 'bf16 780\.0 fp16 770\.0' "h200: text shows the rates"
expect_stdout 'device copy 4300 GB/s \(read \+ write\)' "h200: text shows the copy bandwidth"
expect_stdout 'remanence: global memory .*nothing|remanence: global 254\.0 MiB examined, clean' "h200: text shows the remanence result"
if [ -s "$TMP/err" ]; then fail "h200: nothing on stderr when it is not a terminal" "$(head -c 300 "$TMP/err")"; else pass "h200: no progress bar when stderr is not a terminal"; fi
fake h200
"$CHIPAUDIT" measure --quick --json >"$TMP/h200.json"
jq_is '.measurement.unmatched[0].measured.dense_tops.bf16 * 10 | round / 10' 780 "h200: bf16 in the facts" "$TMP/h200.json"
jq_is '.measurement.unmatched[0].pci_address' 0000:18:00.0 "h200: PCI address from the driver" "$TMP/h200.json"
jq_is '.measurement.unmatched[0].measured.mode' quick "h200: mode recorded" "$TMP/h200.json"
jq_is '.measurement.cublaslt.loaded' true "h200: cuBLASLt loaded" "$TMP/h200.json"
expect_exit 0 "h200: judge accepts what measure wrote" "$CHIPAUDIT" judge "$TMP/h200.json"

# The progress bar appears on a terminal (script(1) gives the command one).
if command -v script >/dev/null; then
	fake h200
	script -qec "'$CHIPAUDIT' measure --quick" /dev/null >"$TMP/tty.out" 2>&1 </dev/null
	if grep -q 'measuring \[' "$TMP/tty.out"; then pass "progress bar on a terminal"; else fail "progress bar on a terminal" "$(head -c 400 "$TMP/tty.out")"; fi
fi

# Errors mid-run: recorded, the rest stopped, exit 1.
fake copy-fault
expect_exit 1 "copy fault: measure exits 1" "$CHIPAUDIT" measure --quick
expect_stdout 'error: device copy: cuMemcpyDtoDAsync: CUDA_ERROR_ILLEGAL_ADDRESS \(700\)' "copy fault: the error"
expect_stdout 'error: measurement of this device stopped after that error' "copy fault: stopped"

# Remanence: a driver that does not scrub.
fake leak
"$CHIPAUDIT" measure --quick >"$TMP/leak.txt"
if grep -q 'remanence: global 254.0 MiB examined, RESIDUE' "$TMP/leak.txt"; then pass "leak: residue shown"; else fail "leak: residue shown" "$(cat "$TMP/leak.txt")"; fi

# Without cuBLASLt: chipaudit's PTX kernels, marked approximate.
fake h200
CHIPAUDIT_LIBCUBLASLT=/nonexistent/libcublasLt.so "$CHIPAUDIT" measure --quick --json >"$TMP/ptx.json"
jq_is '.measurement.unmatched[0].measured | "\(.method) \(.dense_tops.bf16 | round) \(.approximate.bf16)"' "ptx 520 true" "no cuBLASLt: approximate PTX figures" "$TMP/ptx.json"

# Usage.
expect_exit 64 "measure: unknown option" "$CHIPAUDIT" measure --fast
if [ "$(head -1 "$TMP/err")" = "chipaudit: measure: unknown option '--fast'" ]; then pass "measure: unknown option named"; else fail "measure: unknown option named" "$(head -1 "$TMP/err")"; fi
expect_exit 64 "measure: stray argument" "$CHIPAUDIT" measure gpu0
expect_exit 64 "audit: bad --measure mode" "$CHIPAUDIT" audit --measure=fast
expect_stderr_line "^chipaudit: --measure=fast: expected quick, standard or thorough$" "audit: bad mode named"
expect_exit 0 "measure --help" "$CHIPAUDIT" measure --help
expect_stdout '^usage: chipaudit measure \[--quick\|--standard\|--thorough\] \[--json\]' "measure --help: usage"

# audit --measure on a captured tree: the live GPUs are not measured into it.
fake h200
"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" --measure=quick >"$TMP/captured.json"
jq_is '[.limitations[] | select(.source == "measurement") | .reason] | join(";")' \
	"not measured: --measure examines this machine's GPUs, not a captured tree" "captured tree: not measured" "$TMP/captured.json"
jq_is '[.accelerators[] | select(.measured)] | length' 0 "captured tree: no measured figures" "$TMP/captured.json"

# audit --measure on this machine: measured, judged; fake devices match no
# PCI accelerator here, so they are listed apart, not judged.
fake h200
"$CHIPAUDIT" audit --measure=quick --json >"$TMP/audit.json"
jq_is '[.limitations[] | select(.source == "measurement") | .reason] | join(";")' \
	"CUDA device 0000:18:00.0 (NVIDIA H200) is not among the accelerators found on the PCI bus: its figures are in measurement.unmatched and are not judged" \
	"audit --measure: the unmatched device said" "$TMP/audit.json"
# The report of measured facts still meets the report schema.
"$CHIPAUDIT" judge --json "$MEASURED/h200-leak.json" >"$TMP/leak-report.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/leak-report.json" >"$TMP/v" 2>&1; then
	pass "report with measured figures meets the schema"
else
	fail "report with measured figures meets the schema" "$(head -c 600 "$TMP/v")"
fi

# Recorded measurements of several models: exact findings of the three checks.
for f in "$MEASURED"/*.json; do
	name=$(basename "$f" .json)
	[ "$name" = expected-findings ] && continue
	"$CHIPAUDIT" judge --json "$f" >"$TMP/report.json"
	jq -S '[.findings[] | select(.check | test("^(identity.fingerprint|killswitch.performance_below_spec|spyware.memory_remanence)$")) | {check, status, subject: .subjects[]}]' \
		"$TMP/report.json" >"$TMP/got.json"
	if diff -u <(jq -S --arg n "$name" '.[$n]' "$MEASURED/expected-findings.json") "$TMP/got.json" >"$TMP/diff"; then
		pass "$name: findings as expected"
	else
		fail "$name: findings as expected" "$(head -c 1200 "$TMP/diff")"
	fi
	cp "$TMP/report.json" "$TMP/$name.report.json"
done
msg() { jq -r --arg c "$1" '.findings[] | select(.check == $c) | .message' "$TMP/$2.report.json"; }
jq_is '[.findings[] | select(.check == "identity.fingerprint") | .message] | .[0]' \
	"performs like H200 SXM, as declared: 132 SMs, bf16 785.4 TFLOPS measured (0.79 of 989.5 declared)" \
	"h200: fingerprint H200" "$TMP/h200-healthy.report.json"
case "$(msg identity.fingerprint h100-as-h20)" in
*"declared H20 (PCI 10de:2329) but measured 132 SMs where H20 has 78; bf16 790.3 TFLOPS, 5.34 times the declared 148.0: performs like H100 SXM"*)
	pass "H100 presented as H20: performs like H100 SXM" ;;
*) fail "H100 presented as H20: performs like H100 SXM" "$(msg identity.fingerprint h100-as-h20)" ;;
esac
case "$(msg killswitch.performance_below_spec h20-throttled)" in
*"bf16 61.3 TFLOPS is 0.41 of H20's declared 148.0, below 0.70; clock event reasons during the run: sw_power_cap, hw_slowdown")
	pass "throttled H20: below spec, with the clock event reasons" ;;
*) fail "throttled H20: below spec, with the clock event reasons" "$(msg killswitch.performance_below_spec h20-throttled)" ;;
esac
case "$(msg identity.fingerprint h20-unlocked)" in
*"bf16 415.0 TFLOPS, 2.80 times the declared 148.0: performs like no model in the database")
	pass "unlocked H20: faster than its model" ;;
*) fail "unlocked H20: faster than its model" "$(msg identity.fingerprint h20-unlocked)" ;;
esac
case "$(msg spyware.memory_remanence h200-leak)" in
*"global memory: 8589938688 bytes (8589934592 of them the canary) of 16.0 GiB examined, fraction 0.5, first bytes dec0175a"*)
	pass "leak: bytes and fraction found" ;;
*) fail "leak: bytes and fraction found" "$(msg spyware.memory_remanence h200-leak)" ;;
esac
expect_exit 2 "leak: audit exit 2" "$CHIPAUDIT" judge "$MEASURED/h200-leak.json"

# Without measured figures: skips that say how to measure.
"$CHIPAUDIT" judge --json "$FIXTURES/h20x8/expected-facts.json" >"$TMP/h20x8.json"
jq_is '[.findings[] | select(.check == "identity.fingerprint") | .status] | unique | join(",")' skip \
	"unmeasured: fingerprint skipped" "$TMP/h20x8.json"
jq_is '[.findings[] | select(.check == "spyware.memory_remanence")][0].message' \
	"not measured: the facts hold no measured figures for this accelerator" "unmeasured: says why" "$TMP/h20x8.json"

# Hostile measured facts: one line naming the member, exit 65.
bad() {
	local name=$1 filter=$2 pattern=$3
	jq "$filter" "$MEASURED/h200-leak.json" >"$TMP/bad.json"
	expect_exit 65 "hostile measured: $name" "$CHIPAUDIT" judge "$TMP/bad.json"
	expect_stderr_line "$pattern" "hostile measured: $name named"
}
bad "negative rate" '.accelerators[0].measured.dense_tops.bf16 = -5' 'accelerators\[0\]\.measured\.dense_tops\.bf16: -5 out of range'
bad "string SM count" '.accelerators[0].measured.sm_count = "132"' 'accelerators\[0\]\.measured\.sm_count: expected an integer'
bad "inconsistent residue" '.accelerators[0].measured.remanence.global.nonzero_bytes = 1' 'canary_bytes <= nonzero_bytes <= bytes_examined does not hold'
bad "measured not an object" '.accelerators[0].measured = [1]' 'accelerators\[0\]\.measured: expected an object'
bad "unknown status" '.measurement.status = "maybe"' 'measurement\.status: expected "measured" or "unavailable"'
bad "unmatched without ordinal" '.measurement.unmatched = [{"pci_address": null, "measured": .accelerators[0].measured}]' 'measurement\.unmatched\[0\]\.cuda_ordinal: missing'

# A broken data/fingerprint.json: an error finding naming it, not a crash.
mkdir -p "$TMP/data"
cp "$SRCDIR"/data/*.json "$TMP/data/"
echo '{"schema": "chipaudit-fingerprint/1"}' >"$TMP/data/fingerprint.json"
"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$MEASURED/h200-healthy.json" >"$TMP/brokendata.json"
jq_is '[.findings[] | select(.check == "identity.fingerprint") | "\(.status): \(.message)"][0]' \
	"error: the fingerprint rules could not be loaded: data/fingerprint.json: fingerprint.precision: missing" \
	"broken fingerprint data: error finding" "$TMP/brokendata.json"

finish
