#!/usr/bin/env bash
# The Intel Gaudi backend (HLML) and the kill-switch and identity checks,
# through the real dlopen path: chipaudit loads the fake libhlml.so
# (tests/fake-hlml) named by CHIPAUDIT_HLML_LIBRARY or --vendor-library
# hlml=PATH, which answers as its scenario file says. This machine has no
# Gaudi on its PCI bus, so live, every device is seen through HLML only.
# Arguments: the fake library, its "old library" build, and the fake NVML.
. "$(dirname "$0")/lib.sh"
FAKE=$(realpath "${1:?fake HLML library}")
FAKE_OLD=$(realpath "${2:?old fake HLML library}")
FAKE_NVML=$(realpath "${3:?fake NVML library}")
SC="$SRCDIR/tests/fake-hlml/scenarios"
unset CHIPAUDIT_HLML_LIBRARY FAKE_HLML_SCENARIO CHIPAUDIT_NVML_LIBRARY FAKE_NVML_SCENARIO

# with SCENARIO [LIBRARY] -- CMD...: run CMD against the fake.
with() {
	local scenario=$1 lib=$FAKE; shift
	if [ "$1" != "--" ]; then lib=$1; shift; fi
	shift
	CHIPAUDIT_HLML_LIBRARY=$lib FAKE_HLML_SCENARIO="$SC/$scenario.json" "$@"
}
# CHECK=STATUS of every finding on SUBJECT, sorted
verdicts() { # FILE SUBJECT
	jq -r --arg s "$2" "[.findings[] | $KS | select(any(.subjects[]; . == \$s)) | \"\(.check | sub(\"^killswitch.\"; \"\"))=\(.status)\"] | sort | join(\" \")" "$1"
}
expect_verdicts() { # FILE SUBJECT EXPECTED NAME
	local got want; got=$(verdicts "$1" "$2"); want=$(tr ' ' '\n' <<<"$3" | LC_ALL=C sort | paste -sd' ')
	if [ "$got" = "$want" ]; then pass "$4"; else fail "$4" "$2: '$got', expected '$want'"; fi
}
DEVS="0000:1c:00.0 0000:1d:00.0 0000:33:00.0 0000:34:00.0 0000:4d:00.0 0000:4e:00.0 0000:b3:00.0 0000:b4:00.0"
KS='select(.check | test("^killswitch\\.(compute_prohibited|gpu_operation_mode|drain|cc_not_ready|device_lost|power_capped|clocks_capped|throttle_active|memory_degraded|vgpu_unlicensed|mig_changed)$") or . == "identity.mismatch")'
# What HLML does not expose skips; the name HLML gives a Gaudi2 ("HL-225",
# as hl-smi shows it) is one of the database's names for it.
SKIPS="cc_not_ready=skip clocks_capped=skip compute_prohibited=skip drain=skip gpu_operation_mode=skip"
HEALTHY="$SKIPS device_lost=pass identity.mismatch=pass memory_degraded=pass mig_changed=skip power_capped=skip throttle_active=pass vgpu_unlicensed=skip"

# --- the library is absent, is not HLML, or the driver does not start: facts, never failures
CHIPAUDIT_HLML_LIBRARY=$TMP/none.so "$CHIPAUDIT" facts >"$TMP/f.json" 2>"$TMP/err"
jq_is '.hlml | "\(.available) \(.reason | test("none.so: cannot open shared object file"))"' "false true" \
	"absent library: HLML not available, dlopen's reason kept" "$TMP/f.json"
expect_exit 0 "absent library: the audit still runs" env CHIPAUDIT_HLML_LIBRARY="$TMP/none.so" "$CHIPAUDIT" audit --json
"$CHIPAUDIT" facts --vendor-library hlml="$TMP/other.so" >"$TMP/f.json"
jq_is '.hlml.library' "$TMP/other.so" "--vendor-library hlml=PATH names the library" "$TMP/f.json"
"$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.hlml.library' "libhlml.so" "the default library is libhlml.so" "$TMP/f.json"
libc=$(ldd "$CHIPAUDIT" | awk '/libc.so/ {print $3}')
"$CHIPAUDIT" facts --vendor-library "hlml=$libc" >"$TMP/f.json"
jq_is '.hlml.reason' "hlml_init: not in the library (not HLML, or too old)" "a library that is not HLML" "$TMP/f.json"
with init-fails -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.hlml | "\(.available) \(.reason) \(.gpus | length)"' "false hlml_init: the habanalabs driver is not loaded 0" \
	"hlml_init fails: its reason, no devices" "$TMP/f.json"

# --- a healthy HLS-Gaudi2 (eight Gaudi2), seen through HLML only
with healthy -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
jq_is '[.accelerators[] | "\(.seen_through):\(.vendor):\(.model)"] | unique | join(",")' "hlml:Intel Habana:Gaudi2" \
	"healthy: devices seen through HLML only, models from the database" "$TMP/r.json"
jq_is '[.accelerators[].pci_address] | join(" ")' "$DEVS" "healthy: PCI addresses from hlml_device_get_pci_info" "$TMP/r.json"
for d in $DEVS; do expect_verdicts "$TMP/r.json" "$d" "$HEALTHY" "healthy: $d judged"; done
jq_is "[.findings[] | $KS | select(.status == \"skip\") | .message | test(\"not exposed by HLML\")] | all" true \
	"healthy: every skip says HLML does not expose it" "$TMP/r.json"
expect_message "$TMP/r.json" identity.mismatch 0000:1c:00.0 \
	"HLML's name \"HL-225\" and PCI ID 1da3:1020 agree with the HLML-only listing and the database (Gaudi2)" \
	"healthy: the name HLML gives is compared with the database"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/r.json" >"$TMP/v" 2>&1; then
	pass "healthy: the report follows docs/report.schema.json"
else
	fail "healthy: the report follows docs/report.schema.json" "$(head -c 600 "$TMP/v")"
fi
with healthy -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.accelerators[0].vendor_library.hlml | "\(.name) \(.serial) \(.uuid) \(.pci.vendor_id):\(.pci.device_id) \(.firmware.fit_version) \(.power_mw.draw)/\(.power_mw.default_limit) \(.clocks_mhz.soc.current)/\(.clocks_mhz.soc.max) \(.throttle.mask) \(.ecc.api) \(.rows.pending)"' \
	"HL-225 AN46001000 01P0-HL2080A0-15-TNF000-00-00-00 1da3:1020 49.0.0 98000/600000 1800/1800 0 memory_error_counter false" \
	"healthy: HLML's values kept as evidence" "$TMP/f.json"
jq_is '.hlml | "\(.hlml_version) \(.driver_version) \(.device_count) \(.missing_functions | length)"' "1.17.0 1.17.0-495fb9f 8 0" \
	"healthy: library and driver versions" "$TMP/f.json"
jq_is '.accelerators[0].runtime | "\(.power_mw.default_limit) \(.slowdown) \(.memory.repair_pending) \(.memory.uncorrectable_errors)"' \
	"600000 [] false 0" "healthy: the runtime record from HLML" "$TMP/f.json"

# --- a power cap and thermal slowdown (clock throttle reasons)
with capped -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
expect_verdicts "$TMP/r.json" 0000:1c:00.0 "${HEALTHY/throttle_active=pass/throttle_active=warn}" "capped: the throttled device warns"
expect_verdicts "$TMP/r.json" 0000:1d:00.0 "$HEALTHY" "capped: its neighbour passes"
expect_message "$TMP/r.json" killswitch.throttle_active 0000:1c:00.0 \
	"Clocks held down by the software power cap with no thermal reason" "capped: HLML's power reason named"
jq_is '[.findings[] | select(.check == "killswitch.throttle_active" and .status == "warn") | .evidence."hlml.throttle.mask" // .evidence.throttle.mask // (.evidence | tostring | test("throttle"))] | length' 1 \
	"capped: one warning" "$TMP/r.json"
jq_is '[.findings[] | select(.check == "killswitch.throttle_active" and .status == "warn") | .remediation | test("hl-smi -q -d PERFORMANCE")] | all' true \
	"capped: the remedy names hl-smi" "$TMP/r.json"
with throttled -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
for d in 0000:1c:00.0 0000:1d:00.0; do
	expect_verdicts "$TMP/r.json" "$d" "${HEALTHY/throttle_active=pass/throttle_active=warn}" "throttled: $d warns"
	expect_message "$TMP/r.json" killswitch.throttle_active "$d" "Clocks slowed for temperature: check the cooling" "throttled: $d for temperature"
done
with throttled -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '[.accelerators[].runtime.slowdown | join("+")] | join(" ")' "software_thermal software_power_cap+software_thermal" \
	"throttled: HLML's reasons in the vendor-neutral names" "$TMP/f.json"

# --- degraded memory: uncorrectable errors, a pending row replacement
with memory-degraded -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
expect_verdicts "$TMP/r.json" 0000:1c:00.0 "${HEALTHY/memory_degraded=pass/memory_degraded=fail}" "memory: uncorrectable errors fail"
expect_message "$TMP/r.json" killswitch.memory_degraded 0000:1c:00.0 "2 uncorrectable ECC errors since the driver loaded" \
	"memory: the count named"
expect_verdicts "$TMP/r.json" 0000:1d:00.0 "${HEALTHY/memory_degraded=pass/memory_degraded=warn}" "memory: a pending replacement warns"
expect_verdicts "$TMP/r.json" 0000:33:00.0 "$HEALTHY" "memory: corrected errors alone pass"
jq_is '[.findings[] | select(.check == "killswitch.memory_degraded" and .status != "pass") | .remediation | test("hl-smi -q -d ECC,ROW_REPLACEMENT")] | all' true \
	"memory: the remedy names hl-smi" "$TMP/r.json"
with memory-degraded -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '[.accelerators[].vendor_library.hlml | "\(.rows.replaced.double_bit)/\(.rows.replaced.single_bit)/\(.rows.pending)/\(.ecc.uncorrected.aggregate)"] | join(" ")' \
	"2/0/true/5 0/3/true/0 0/0/false/0" "memory: replaced rows and counters kept" "$TMP/f.json"

# --- a lost device, and one HLML cannot hand out
with device-lost -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
expect_verdicts "$TMP/r.json" 0000:1c:00.0 "$SKIPS device_lost=fail identity.mismatch=skip memory_degraded=skip mig_changed=skip power_capped=skip throttle_active=skip vgpu_unlicensed=skip" \
	"lost: the lost device fails, the rest is unknown"
expect_message "$TMP/r.json" killswitch.device_lost 0000:1c:00.0 "HLML reports the Gaudi lost (fallen off the bus or inaccessible)" \
	"lost: HLML_ERROR_AIP_IS_LOST read as lost"
expect_message "$TMP/r.json" killswitch.device_lost host "HLML device 1 cannot be reached: no handle: the device is lost" \
	"lost: a device without a handle fails on the host"
expect_verdicts "$TMP/r.json" 0000:33:00.0 "$HEALTHY" "lost: the healthy device passes"
jq_is '[.findings[] | select(.check == "killswitch.device_lost" and .status == "fail") | .remediation | test("hl-smi")] | all' true \
	"lost: the remedies name hl-smi" "$TMP/r.json"

# --- an old library without the newest symbols: the fallbacks answer
with healthy "$FAKE_OLD" -- "$CHIPAUDIT" facts >"$TMP/old.json"
jq_is '.hlml | "\(.missing_functions | join(",")) \(.unavailable.driver_version)"' \
	"hlml_get_firmware_fit_version,hlml_get_fw_os_version,hlml_device_get_memory_error_counter,hlml_device_get_replaced_rows,hlml_device_get_replaced_rows_pending_status,hlml_get_hlml_version,hlml_get_driver_version function not in this HLML (older library)" \
	"old library: missing functions listed, versions null with the reason" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.hlml | "\(.serial) \(.ecc.api) \(.ecc.uncorrected.volatile) \(.rows.pending) \(.unavailable."rows.pending")"' \
	"AN46001000 total_ecc_errors 0 null function not in this HLML (older library)" \
	"old library: serial from hlml_device_get_serial, ECC from hlml_device_get_total_ecc_errors" "$TMP/old.json"
"$CHIPAUDIT" judge --json "$TMP/old.json" >"$TMP/old-r.json"
expect_verdicts "$TMP/old-r.json" 0000:1c:00.0 "$HEALTHY" "old library: judged as the current one"

# --- error returns and hostile values: null with the reason, never a crash
with hostile -- "$CHIPAUDIT" facts >"$TMP/err.json"
expect_exit 2 "hostile: facts validate (unreachable devices fail)" "$CHIPAUDIT" judge "$TMP/err.json"
jq_is '.hlml.unreachable_devices | map("\(.index): \(.error)") | join(", ")' \
	"4: malformed PCI address from the library, 5: PCI address reported twice, 6: malformed PCI address from the library" \
	"hostile: bad addresses make devices unreachable" "$TMP/err.json"
jq_is '.accelerators[0].vendor_library.hlml.unavailable | "\(.name) / \(."ecc.enabled") / \(."rows.pending")"' \
	"the habanalabs driver is not loaded / the habanalabs driver is not loaded / the habanalabs driver is not loaded" \
	"hostile: error returns as reasons" "$TMP/err.json"
jq_is '.accelerators[1].vendor_library.hlml.unavailable | "\(.name) / \(.serial)"' \
	"malformed value from the library: not NUL-terminated / malformed value from the library: not NUL-terminated" \
	"hostile: unterminated strings refused" "$TMP/err.json"
jq_is '.accelerators[2].vendor_library.hlml.unavailable | [."power_mw.draw", ."temperature_c.aip", ."clocks_mhz.soc.current", ."throttle.mask", ."ecc.enabled", ."ecc.uncorrected.volatile", ."rows.replaced.double_bit", ."rows.pending"] | join(" / ")' \
	"value 4000000000 out of range [0, 100000000] / value 5000 out of range [-100, 300] / value 200000 out of range [0, 100000] / malformed value from the library: more than 32 bits / unknown value 7 from the library / malformed value from the library: count out of range / malformed value from the library: more rows than asked for / unknown value 9 from the library" \
	"hostile: values out of range refused with the reason" "$TMP/err.json"
jq_is '.accelerators[3].vendor_library.hlml.unavailable.name' "malformed value from the library" \
	"hostile: a control character in the name refused" "$TMP/err.json"
jq_is '.hlml.unavailable.driver_version' "timed out" "hostile: system call errors" "$TMP/err.json"
with bad-count -- "$CHIPAUDIT" facts >"$TMP/count.json"
jq_is '.hlml | "\(.device_count) \(.unavailable.device_count) \(.gpus | length)"' "null device count 99 out of range [0, 64] 0" \
	"a device count out of range: no device read past it" "$TMP/count.json"

# --- snapshots: HLML's answers captured; --root never loads the live library
with healthy -- "$CHIPAUDIT" snapshot -o "$TMP/s.tar.gz" 2>/dev/null
mkdir -p "$TMP/snap" && tar -xzf "$TMP/s.tar.gz" -C "$TMP/snap"
jq_is '.devices | length' 8 "snapshot: HLML's answers captured" "$TMP/snap/var/lib/chipaudit-capture/hlml.json"
with healthy -- "$CHIPAUDIT" facts | jq -S 'del(.source)' >"$TMP/a.json"
with init-fails -- "$CHIPAUDIT" facts --root "$TMP/snap" | jq -S 'del(.source)' >"$TMP/b.json"
if diff <(jq -S '.hlml, [.accelerators[] | .vendor_library.hlml, .runtime]' "$TMP/a.json") \
	<(jq -S '.hlml, [.accelerators[] | .vendor_library.hlml, .runtime]' "$TMP/b.json") >"$TMP/diff"; then
	pass "snapshot: the capture reads back as the live answers"
else
	fail "snapshot: the capture reads back as the live answers" "$(head -c 800 "$TMP/diff")"
fi
with healthy -- "$CHIPAUDIT" facts --root "$FIXTURES/mixed/root" >"$TMP/f.json"
jq_is '.hlml.reason | test("not in the captured tree")' true "--root: the live HLML is not consulted" "$TMP/f.json"

# --- hostile captures: one line naming the file and the member, exit 65
CAP="$TMP/snap/var/lib/chipaudit-capture/hlml.json"
cp "$CAP" "$TMP/good-capture.json"
capture_bad() { # WHAT JQ-MUTATION PATTERN
	jq "$2" "$TMP/good-capture.json" >"$CAP"
	expect_exit 65 "capture with $1" "$CHIPAUDIT" facts --root "$TMP/snap"
	expect_stderr_line "$3" "capture with $1: named"
}
capture_bad "a power out of range" '.devices[0].power_mw.draw = -1' 'hlml.json: .*devices\[0\]\.power_mw\.draw'
capture_bad "a string for a count" '.devices[1].ecc.uncorrected.volatile = "2"' 'hlml.json: .*devices\[1\]\.ecc\.uncorrected\.volatile'
capture_bad "a bad address" '.devices[2].pci_address = "0000:zz:00.0"' 'hlml.json: .*devices\[2\]\.pci_address'
capture_bad "a device twice" '.devices[3].pci_address = .devices[0].pci_address' 'hlml.json: .*devices\[3\]\.pci_address: .* listed twice'
capture_bad "an unknown reason member" '.devices[0].unavailable = {"bogus": "x"}' 'hlml.json: .*devices\[0\]\.unavailable: "bogus" is not a member'
capture_bad "a control character" '.devices[0].name = "HL\u001b[31m"' 'hlml.json: .*devices\[0\]\.name: not printable'
capture_bad "devices while unavailable" '.available = false' 'hlml.json: .*devices: devices listed where HLML was not available'
capture_bad "lost not a boolean" '.devices[0].lost = 1' 'hlml.json: .*devices\[0\]\.lost'
head -c 300 "$TMP/good-capture.json" >"$CAP"
expect_exit 65 "truncated capture" "$CHIPAUDIT" facts --root "$TMP/snap"
expect_stderr_line "var/lib/chipaudit-capture/hlml.json:[0-9]+:[0-9]+: " "truncated capture: file, line and column"
cp "$TMP/good-capture.json" "$CAP"
expect_exit 0 "the good capture reads back" "$CHIPAUDIT" facts --root "$TMP/snap"

# --- NVML and HLML at once: each backend describes its own accelerators
CHIPAUDIT_NVML_LIBRARY=$FAKE_NVML FAKE_NVML_SCENARIO="$SRCDIR/tests/fake-nvml/scenarios/healthy-h20.json" \
	with healthy -- "$CHIPAUDIT" audit --json >"$TMP/both.json"
jq_is '[.accelerators[] | "\(.vendor)/\(.runtime.backend)"] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' \
	"Intel Habana/hlml=8 NVIDIA/nvml=8" "NVML and HLML: sixteen accelerators, each described by its vendor's library" "$TMP/both.json"

# --- --vendor-library names the backend
expect_exit 64 "--vendor-library: an unknown library" "$CHIPAUDIT" facts --vendor-library gaudi=/x
expect_stderr_line "^chipaudit: --vendor-library gaudi=/x: expected NAME=PATH with NAME one of: nvml amdsmi dcmi hlml$" \
	"--vendor-library: hlml among the known names"

finish
