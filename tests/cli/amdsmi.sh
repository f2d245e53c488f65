#!/usr/bin/env bash
# The AMD SMI backend and the kill-switch and identity checks on AMD GPUs,
# through the real dlopen path: chipaudit loads the fake libamd_smi.so
# (tests/fake-amdsmi) named by CHIPAUDIT_AMDSMI_LIBRARY or --vendor-library
# amdsmi=PATH, which answers as its scenario file says. Live, this machine's
# PCI bus shows no AMD GPU, so each is seen through AMD SMI only; captures
# extracted over tests/fixtures/mixed join the MI300X of its PCI bus.
# Arguments: the fake library (24.7) and its 24.5 (ROCm 6.1) build.
. "$(dirname "$0")/lib.sh"
FAKE=$(realpath "${1:?fake AMD SMI library}")
FAKE_OLD=$(realpath "${2:?old fake AMD SMI library}")
SC="$SRCDIR/tests/fake-amdsmi/scenarios"
CAP=var/lib/chipaudit-capture/amdsmi.json
unset CHIPAUDIT_AMDSMI_LIBRARY FAKE_AMDSMI_SCENARIO
# no NVML either: the NVIDIA side of these runs is "not available"
export CHIPAUDIT_NVML_LIBRARY=$TMP/no-nvml.so

# with SCENARIO [LIBRARY] -- CMD...: run CMD against the fake.
with() {
	local scenario=$1 lib=$FAKE; shift
	if [ "$1" != "--" ]; then lib=$1; shift; fi
	shift
	CHIPAUDIT_AMDSMI_LIBRARY=$lib FAKE_AMDSMI_SCENARIO="$SC/$scenario.json" "$@"
}
# The kill-switch and identity checks the backend feeds.
KS='select(.check | test("^killswitch\\.(compute_prohibited|gpu_operation_mode|drain|cc_not_ready|device_lost|power_capped|clocks_capped|throttle_active|memory_degraded|vgpu_unlicensed|mig_changed)$") or . == "identity.mismatch")'
# findings FILE SUBJECT: "check=status" of KS on SUBJECT, one line, sorted.
findings() {
	jq -r --arg s "$2" "[.findings[] | $KS | select(any(.subjects[]; . == \$s)) | \"\(.check | sub(\"^killswitch\\\\.\"; \"\"))=\(.status)\"] | sort | join(\" \")" "$1"
}
expect_findings() { # FILE SUBJECT EXPECTED NAME
	local got; got=$(findings "$1" "$2")
	if [ "$got" = "$3" ]; then pass "$4"; else fail "$4" "got:      $got" "expected: $3"; fi
}

# What AMD SMI has no notion of skips with that said, on every AMD GPU.
NOTHING="cc_not_ready=skip compute_prohibited=skip drain=skip gpu_operation_mode=skip"
healthy() { # the findings of a healthy GPU, with CHECK=STATUS overrides
	local line="$NOTHING clocks_capped=pass device_lost=pass identity.mismatch=pass memory_degraded=pass mig_changed=pass power_capped=pass throttle_active=pass vgpu_unlicensed=skip"
	for o in "$@"; do line=$(echo "$line" | tr ' ' '\n' | sed "s/^${o%=*}=.*/$o/" | sort | tr '\n' ' '); done
	echo "$line" | tr ' ' '\n' | grep -v '^$' | sort | tr '\n' ' ' | sed 's/ $//'
}

# --- the library is absent, is not AMD SMI, or the driver is not loaded: facts, never failures
CHIPAUDIT_AMDSMI_LIBRARY=$TMP/none.so "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.amdsmi | "\(.available) \(.reason | test("none.so: cannot open shared object file"))"' "false true" \
	"absent library: AMD SMI not available, dlopen's reason kept" "$TMP/f.json"
expect_exit 0 "absent library: the audit still runs" env CHIPAUDIT_AMDSMI_LIBRARY="$TMP/none.so" "$CHIPAUDIT" audit --json
libc=$(ldd "$CHIPAUDIT" | awk '/libc.so/ {print $3}')
"$CHIPAUDIT" facts --vendor-library amdsmi="$libc" >"$TMP/f.json"
jq_is '.amdsmi | "\(.available) \(.reason)"' "false amdsmi_init: not in the library (not AMD SMI, or too old)" \
	"--vendor-library amdsmi=PATH: a library that is not AMD SMI" "$TMP/f.json"
jq_is '.amdsmi.library' "$libc" "--vendor-library amdsmi=PATH names the library" "$TMP/f.json"
with init-fails -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.amdsmi | "\(.available) \(.reason)"' "false amdsmi_init: amdgpu driver not loaded" "driver not loaded" "$TMP/f.json"
CHIPAUDIT_AMDSMI_LIBRARY=$FAKE "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.amdsmi.reason' "amdsmi_init: amdgpu driver not loaded" "fake without a scenario: driver not loaded" "$TMP/f.json"
expect_exit 64 "--vendor-library: an unknown library" "$CHIPAUDIT" facts --vendor-library rocm=/x
expect_stderr_line "^chipaudit: --vendor-library rocm=/x: expected NAME=PATH with NAME one of: nvml amdsmi dcmi hlml$" \
	"--vendor-library: amdsmi among the known names"

# --- a healthy MI300X server and a healthy MI308X one, seen through AMD SMI only
for model in mi300x mi308x; do
	with healthy-$model -- "$CHIPAUDIT" audit --json >"$TMP/$model.json"
	jq_is '[.accelerators[] | "\(.model)@\(.pci_address):\(.seen_through)"] | join(" ")' \
		"${model^^}@0000:41:00.0:amdsmi ${model^^}@0000:c1:00.0:amdsmi" "healthy $model: models from the database" "$TMP/$model.json"
	expect_findings "$TMP/$model.json" 0000:41:00.0 "$(healthy)" "healthy $model: exact findings"
	expect_findings "$TMP/$model.json" 0000:c1:00.0 "$(healthy)" "healthy $model: the second GPU the same"
done
jq_is "[.findings[] | $KS | select(.status == \"skip\" and any(.subjects[]; . == \"0000:41:00.0\")) | .message] | join(\" | \")" \
	"Compute mode unknown: AMD SMI has no compute mode (no setting that refuses compute work) | GPU operation mode unknown: AMD SMI has no GPU operation mode | Drain state unknown: AMD SMI has no drain state | Confidential computing state unknown: AMD SMI reports no confidential computing state | Virtualization mode unknown: AMD SMI (24.7) reports no virtualization mode" \
	"healthy: what AMD SMI does not expose is a skip that says so" "$TMP/mi300x.json"
jq_is '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	"AMD SMI's name \"AMD Instinct MI308X\" and PCI ID 1002:74a2 agree with the AMD SMI-only listing and the database (MI308X)" \
	"healthy MI308X: name and PCI ID agree" "$TMP/mi308x.json"
jq_is '[.findings[] | select(.check == "killswitch.power_capped" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	"Enforced power limit 650 W, at the default 650 W" "healthy MI308X: its 650 W cap" "$TMP/mi308x.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/mi300x.json" >"$TMP/v" 2>&1; then
	pass "healthy MI300X: the report follows docs/report.schema.json"
else
	fail "healthy MI300X: the report follows docs/report.schema.json" "$(head -c 600 "$TMP/v")"
fi
with healthy-mi300x -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.accelerators[0].vendor_library.amdsmi | "\(.name) \(.uuid) \(.board.serial) \(.vbios.version) \(.driver.name) \(.power_mw.cap) \(.power_mw.default_cap) \(.overdrive_mhz.gfx.limit_max) \(.partition.compute)/\(.partition.memory) \(.throttle.source)"' \
	"AMD Instinct MI300X 41ff74a1-0000-1000-8000-0000005a5a00 692251000000 022.040.003.043.000001 amdgpu 750000 750000 2100 SPX/NPS1 violation_status" \
	"healthy MI300X: AMD SMI facts" "$TMP/f.json"
jq_is '.amdsmi | "\(.library_version) \(.struct_layout) \(.device_count) \(.missing_functions | length)"' "24.7.0.0 24.6+ 2 0" \
	"healthy MI300X: system facts" "$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/j.json"
if diff <(jq -S "[.findings[] | $KS | {check, subjects, status, message}]" "$TMP/mi300x.json") \
	<(jq -S "[.findings[] | $KS | {check, subjects, status, message}]" "$TMP/j.json") >"$TMP/diff"; then
	pass "healthy MI300X: facts judge the same"
else
	fail "healthy MI300X: facts judge the same" "$(head -c 600 "$TMP/diff")"
fi

# --- one scenario per condition: exact findings per GPU
run() { with "$1" "${2:-$FAKE}" -- "$CHIPAUDIT" audit --json >"$TMP/$1.json"; }
run power-capped
expect_findings "$TMP/power-capped.json" 0000:41:00.0 "$(healthy power_capped=warn)" "power-capped: a cap below the default warns"
expect_findings "$TMP/power-capped.json" 0000:c1:00.0 "$(healthy)" "power-capped: the other GPU healthy"
jq_is '[.findings[] | select(.check == "killswitch.power_capped" and any(.subjects[]; . == "0000:41:00.0")) | "\(.message) / \(.evidence."power_mw.cap") \(.evidence."power_mw.default_cap") / \(.remediation | test("amd-smi metric -g 0000:41:00.0 --power"))"] | .[0]' \
	"Power capped at 500 W, below the default 750 W: the limit was requested through AMD SMI (amd-smi set --power-cap) / 500000 750000 / true" \
	"power-capped: the message, AMD SMI's values as evidence, the amd-smi command" "$TMP/power-capped.json"
run clocks-capped
expect_findings "$TMP/clocks-capped.json" 0000:41:00.0 "$(healthy clocks_capped=warn)" "clocks-capped: the GFX soft maximum below the board's warns"
expect_findings "$TMP/clocks-capped.json" 0000:c1:00.0 "$(healthy clocks_capped=warn)" "clocks-capped: the memory clock's warns"
expect_findings "$TMP/clocks-capped.json" 0000:51:00.0 "$(healthy)" "clocks-capped: the other GPU healthy"
run throttled
expect_findings "$TMP/throttled.json" 0000:41:00.0 "$(healthy throttle_active=fail)" "throttled: PROCHOT with no thermal cause fails"
expect_findings "$TMP/throttled.json" 0000:c1:00.0 "$(healthy throttle_active=warn)" "throttled: the package power limit warns"
expect_findings "$TMP/throttled.json" 0000:51:00.0 "$(healthy throttle_active=warn)" "throttled: PROCHOT with a thermal cause warns"
expect_findings "$TMP/throttled.json" 0000:61:00.0 "$(healthy)" "throttled: the other GPU healthy"
jq_is '[.findings[] | select(.check == "killswitch.throttle_active" and any(.subjects[]; . == "0000:41:00.0")) | "\(.evidence."throttle.source") \(.evidence."violation.active".prochot) \(.evidence."violation.percent".prochot)"] | .[0]' \
	"violation_status true 35" "throttled: the violation status is the evidence" "$TMP/throttled.json"
run memory-degraded
expect_findings "$TMP/memory-degraded.json" 0000:41:00.0 "$(healthy memory_degraded=fail)" "memory-degraded: uncorrectable ECC errors fail"
expect_findings "$TMP/memory-degraded.json" 0000:c1:00.0 "$(healthy memory_degraded=warn)" "memory-degraded: a bad page pending retirement warns"
expect_findings "$TMP/memory-degraded.json" 0000:51:00.0 "$(healthy memory_degraded=fail)" "memory-degraded: a page that could not be retired fails"
expect_findings "$TMP/memory-degraded.json" 0000:61:00.0 "$(healthy)" "memory-degraded: the other GPU healthy"
jq_is '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:c1:00.0")) | "\(.message) / \(.evidence."bad_pages.pending") / \(.remediation | test("amd-smi bad-pages -g 0000:c1:00.0"))"] | .[0]' \
	"A memory repair is pending (page retirement): it takes effect at the next reset / 1 / true" \
	"memory-degraded: the pending page, its evidence and the amd-smi command" "$TMP/memory-degraded.json"
run device-lost
expect_findings "$TMP/device-lost.json" 0000:41:00.0 "$(healthy device_lost=fail power_capped=skip)" \
	"device-lost: 'device not found' for a listed GPU is lost; its power unknown"
expect_findings "$TMP/device-lost.json" 0000:51:00.0 "$(healthy)" "device-lost: the other GPU healthy"
jq_is '[.findings[] | select(.check == "killswitch.device_lost" and any(.subjects[]; . == "host")) | "\(.status) \(.message)"] | .[0]' \
	"fail AMD SMI device 1 cannot be reached: no PCI address: I/O error" "device-lost: the GPU without an address is a failure on the host" "$TMP/device-lost.json"
run identity-mismatch
expect_findings "$TMP/identity-mismatch.json" 0000:41:00.0 "$(healthy identity.mismatch=fail)" "identity-mismatch: fails"
jq_is "$(printf '[.findings[] | select(.check == "identity.mismatch") | .message] | .[0]')" \
	'AMD SMI names this GPU "AMD Instinct MI300X", its PCI ID 1002:74a2 is the MI308X' "identity-mismatch: name against PCI ID" "$TMP/identity-mismatch.json"
run partitions
expect_findings "$TMP/partitions.json" 0000:41:00.0 "$(healthy mig_changed=warn)" "partitions: CPX with no policy warns"
expect_findings "$TMP/partitions.json" 0000:c1:00.0 "$(healthy)" "partitions: SPX passes"
jq_is '[.accelerators[] | .pci_address] | join(" ")' "0000:41:00.0 0000:c1:00.0" \
	"partitions: the eight handles of one CPX GPU are one accelerator" "$TMP/partitions.json"
jq_is '[.findings[] | select(.check == "killswitch.mig_changed" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	"compute partition on with 8 instances where none is expected (no --expect-mig policy)" "partitions: eight CPX partitions" "$TMP/partitions.json"
with partitions -- "$CHIPAUDIT" facts >"$TMP/part.json"
echo '{"gpus": {"0000:41:00.0": ["CPX", "CPX", "CPX", "CPX", "CPX", "CPX", "CPX", "CPX"], "*": false}}' >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/part.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:41:00.0 pass "partitions: the layout the policy expects passes"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:c1:00.0 pass "partitions: SPX where the policy expects none"
echo '{"gpus": {"*": ["DPX", "DPX"]}}' >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/part.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:41:00.0 fail "partitions: other partitions than the policy's fail"
run error-returns
expect_findings "$TMP/error-returns.json" 0000:41:00.0 \
	"$(healthy clocks_capped=skip identity.mismatch=skip memory_degraded=skip mig_changed=skip power_capped=skip throttle_active=skip)" \
	"error-returns: no permission: every check that needs a value skips"
jq_is '[.findings[] | select(.check == "killswitch.power_capped" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	"Power limits unknown: no permission (run as root)" "error-returns: the library's reason given" "$TMP/error-returns.json"
for sc in power-capped clocks-capped throttled memory-degraded device-lost identity-mismatch partitions; do
	jq_is '[.findings[] | select(.status == "fail" or .status == "warn") | select(.check | test("^killswitch|^identity.mismatch")) | .remediation | select(. == null)] | length' 0 \
		"$sc: every warning and failure says what clears it" "$TMP/$sc.json"
done

# --- an old library (24.5, ROCm 6.1): older layouts, older calls
with healthy-mi300x "$FAKE_OLD" -- "$CHIPAUDIT" facts >"$TMP/old.json"
jq_is '.amdsmi | "\(.available) \(.library_version) \(.struct_layout) \(.missing_functions | join(","))"' \
	"true 24.5.2.0 24.5 amdsmi_get_gpu_device_bdf,amdsmi_get_violation_status,amdsmi_get_gpu_accelerator_partition_profile" \
	"old library: its version, its layout and what it lacks" "$TMP/old.json"
jq_is '[.accelerators[] | .pci_address] | join(" ")' "0000:41:00.0 0000:c1:00.0" "old library: addresses from amdsmi_get_gpu_bdf_id" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.amdsmi | "\(.name) / \(.board.serial) / \(.board.manufacturer) / \(.pci.device_id) / \(.throttle.source)"' \
	"AMD Instinct MI300X / 692251000000 / AMD / 74a1 / gpu_metrics" "old library: the 24.5 records read in their layout" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.amdsmi.unavailable | "\(.compute_units) / \(."clocks_mhz.gfx.locked") / \(."violation.active.prochot") / \(."partition.count")"' \
	"not in AMD SMI before 24.7 / not in AMD SMI before 24.6 / function not in this AMD SMI (older ROCm) / function not in this AMD SMI (older ROCm)" \
	"old library: what it lacks is a reason, never a guess" "$TMP/old.json"
run healthy-mi300x "$FAKE_OLD"
expect_findings "$TMP/healthy-mi300x.json" 0000:41:00.0 "$(healthy)" "old library: healthy findings"
run throttled "$FAKE_OLD"
expect_findings "$TMP/throttled.json" 0000:41:00.0 "$(healthy throttle_active=fail)" "old library: PROCHOT from the throttler bits fails"
expect_findings "$TMP/throttled.json" 0000:c1:00.0 "$(healthy throttle_active=warn)" "old library: PPT from the throttler bits warns"
expect_findings "$TMP/throttled.json" 0000:51:00.0 "$(healthy throttle_active=warn)" "old library: PROCHOT with TEMP_GPU warns"
jq_is '[.findings[] | select(.check == "killswitch.throttle_active" and any(.subjects[]; . == "0000:51:00.0")) | .evidence."throttle.active" | join(",")] | .[0]' \
	"temp_gpu,prochot_gfx" "old library: the throttler bits decoded" "$TMP/throttled.json"
run partitions "$FAKE_OLD"
jq_is '[.findings[] | select(.check == "killswitch.mig_changed" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	"compute partition on with 8 instances where none is expected (no --expect-mig policy)" \
	"old library: CPX partitions counted from the handles at the GPU's address" "$TMP/partitions.json"

# --- hostile values: null with the reason, never a crash or a wrong verdict
with hostile -- "$CHIPAUDIT" facts >"$TMP/h.json"
expect_exit 2 "hostile: the facts validate and are judged" "$CHIPAUDIT" judge "$TMP/h.json"
jq_is '.accelerators[0].vendor_library.amdsmi.unavailable | "\(.name) / \(.uuid) / \(."partition.compute")"' \
	"malformed value from the library: not NUL-terminated / malformed value from the library: not NUL-terminated / malformed value from the library: not NUL-terminated" \
	"hostile: strings with no NUL refused" "$TMP/h.json"
jq_is '.accelerators[1].vendor_library.amdsmi.unavailable | "\(."power_mw.cap") / \(."temperature_c.hotspot") / \(."pci.device_id") / \(."partition.compute") / \(."partition.count") / \(."xgmi.error_status") / \(."bad_pages.pending") / \(."violation.active.prochot") / \(."vbios.version") / \(."clocks_mhz.gfx.locked")"' \
	"value 4611686018427387 out of range [0, 100000000] / value 5000 out of range [-100, 300] / value out of range for a PCI ID / malformed value from the library / value 900 out of range [1, 64] / unknown value from the library / unknown page status from the library / malformed value from the library / AMD SMI status 4242 / malformed value from the library" \
	"hostile: values out of range, unknown codes and names refused with the reason" "$TMP/h.json"
jq_is '.accelerators[1].vendor_library.amdsmi.processes[0] | "\(.pid) \(.name) \(.vram_bytes)"' "null null null" \
	"hostile: a process record's bad members are null" "$TMP/h.json"
jq_is '.accelerators[2].vendor_library.amdsmi.unavailable."bad_pages.pending"' "bad page count out of range" \
	"hostile: a bad page count of four billion is refused, not allocated" "$TMP/h.json"
jq_is '.amdsmi.unreachable_devices[0] | "\(.index) \(.error)"' "2 no PCI address: malformed PCI address (domain out of range)" \
	"hostile: an address no PCI bus has makes the GPU unreachable" "$TMP/h.json"
run hostile
expect_findings "$TMP/hostile.json" 0000:c1:00.0 \
	"$(healthy identity.mismatch=skip mig_changed=skip power_capped=skip throttle_active=skip)" \
	"hostile: unknown is never healthy (a malformed PROCHOT flag is not 'no slowdown')"
jq_is '[.findings[] | select(.check == "killswitch.throttle_active" and any(.subjects[]; . == "0000:c1:00.0")) | .message] | .[0]' \
	"Clock event reasons unknown: malformed value from the library" "hostile: the slowdown's reason" "$TMP/hostile.json"
jq_is '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:c1:00.0")) | .message] | .[0] | test("page retirement not examined: unknown page status from the library")' \
	true "hostile: a memory pass names the bad pages it could not examine" "$TMP/hostile.json"

# --- snapshots: AMD SMI's answers captured; --root never loads the live library
with healthy-mi300x -- "$CHIPAUDIT" snapshot -o "$TMP/s.tar.gz" 2>/dev/null
mkdir -p "$TMP/snap"; tar -xzf "$TMP/s.tar.gz" -C "$TMP/snap"
jq_is '.devices | length' 2 "snapshot: AMD SMI's answers captured" "$TMP/snap/$CAP"
with healthy-mi300x -- "$CHIPAUDIT" facts | jq -S 'del(.source)' >"$TMP/a.json"
with init-fails -- "$CHIPAUDIT" facts --root "$TMP/snap" | jq -S 'del(.source)' >"$TMP/b.json"
if diff "$TMP/a.json" "$TMP/b.json" >"$TMP/diff"; then pass "snapshot: the capture audits as the live machine"; else fail "snapshot: the capture audits as the live machine" "$(head -c 800 "$TMP/diff")"; fi
with healthy-mi300x -- "$CHIPAUDIT" facts --root "$FIXTURES/vm/root" >"$TMP/f.json"
jq_is '.amdsmi.reason | test("not in the captured tree")' true "--root: the live AMD SMI is not consulted" "$TMP/f.json"

# Captures joined to the PCI bus of tests/fixtures/mixed (an MI300X at 0000:41:00.0).
mixed_with() { # SCENARIO [LIBRARY]: a copy of the mixed fixture with SCENARIO's capture, in $TMP/tree
	rm -rf "$TMP/tree" "$TMP/x"; cp -a "$FIXTURES/mixed/root" "$TMP/tree"; mkdir -p "$TMP/x" "$TMP/tree/var/lib/chipaudit-capture"
	with "$1" "${2:-$FAKE}" -- "$CHIPAUDIT" snapshot -o "$TMP/x.tar.gz" 2>/dev/null
	tar -xzf "$TMP/x.tar.gz" -C "$TMP/x" "$CAP"
	cp "$TMP/x/$CAP" "$TMP/tree/$CAP"
}
"$CHIPAUDIT" audit --root "$FIXTURES/mixed/root" --json >"$TMP/r.json"
expect_findings "$TMP/r.json" 0000:41:00.0 \
	"cc_not_ready=skip clocks_capped=skip compute_prohibited=skip device_lost=skip drain=skip gpu_operation_mode=skip memory_degraded=skip mig_changed=skip power_capped=skip throttle_active=skip vgpu_unlicensed=skip" \
	"mixed without a capture: the MI300X skips each check"
jq_is '[.findings[] | select(.check == "killswitch.power_capped" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	'AMD SMI not available: AMD SMI'"'"'s answers are not in the captured tree (/var/lib/chipaudit-capture/amdsmi.json): take the snapshot with `chipaudit snapshot` on the machine' \
	"mixed without a capture: the skip says why" "$TMP/r.json"
mixed_with healthy-mi300x
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
jq_is '[.accelerators[] | "\(.pci_address):\(.vendor_id):\(.seen_through)"] | join(" ")' \
	"0000:01:00.0:10de:pci 0000:41:00.0:1002:pci 0000:81:00.0:19e5:pci 0000:b4:00.0:1da3:pci 0000:c1:00.0:1002:amdsmi" \
	"mixed: AMD SMI's GPU joined to the PCI bus, the other listed as AMD SMI's only" "$TMP/r.json"
expect_findings "$TMP/r.json" 0000:41:00.0 "$(healthy)" "mixed with a capture: the MI300X is judged"
jq_is '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:41:00.0")) | .message] | .[0]' \
	"AMD SMI's name \"AMD Instinct MI300X\" and PCI ID 1002:74a1 agree with the PCI bus and the database (MI300X)" \
	"mixed with a capture: AMD SMI and the PCI bus agree" "$TMP/r.json"
mixed_with identity-mismatch
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
jq_is '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:41:00.0")) | "\(.status) \(.message)"] | .[0]' \
	"fail AMD SMI reports PCI ID 1002:74a2, the PCI bus shows 1002:74a1" "identity-mismatch: AMD SMI's PCI ID against the PCI bus" "$TMP/r.json"
mixed_with throttled "$FAKE_OLD"
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.throttle_active 0000:41:00.0 fail "old library's capture: read back and judged"
mixed_with device-lost
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.device_lost 0000:41:00.0 fail "device-lost capture: the lost GPU fails"
mixed_with partitions
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json"
jq '.accelerators[1].vendor_library.amdsmi.partition.compute = "SPX"' "$TMP/f.json" >"$TMP/g.json"
"$CHIPAUDIT" judge --json "$TMP/g.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:41:00.0 pass "facts: the runtime record is made again from AMD SMI's values"
jq '.accelerators[1].runtime.partitions.on = false' "$TMP/f.json" >"$TMP/g.json"
"$CHIPAUDIT" judge --json "$TMP/g.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:41:00.0 warn "facts: a forged runtime record is not believed"

# --- hostile captures: one line naming the file and the member, exit 65
mixed_with healthy-mi300x
cp "$TMP/tree/$CAP" "$TMP/good-capture.json"
cap_bad() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$TMP/good-capture.json" >"$TMP/tree/$CAP"
	expect_exit 65 "capture with $1" "$CHIPAUDIT" facts --root "$TMP/tree"
	expect_stderr_line "$3" "capture with $1: named"
}
cap_bad available-string '.available = "yes"' 'amdsmi.json: amdsmi.available: expected true or false'
cap_bad power-negative '.devices[0].power_mw.cap = -5' 'amdsmi.json: amdsmi.devices\[0\].power_mw.cap: -5 out of range'
cap_bad address '.devices[1].pci_address = "../../etc"' 'amdsmi.devices\[1\].pci_address: "../../etc" is not a PCI address'
cap_bad duplicate '.devices[1].pci_address = .devices[0].pci_address' 'amdsmi.devices\[1\].pci_address: 0000:41:00.0 listed twice'
cap_bad partition '.devices[0].partition.compute = "XPX"' 'amdsmi.devices\[0\].partition.compute: "XPX" is not a known value'
cap_bad throttlers '.devices[0].throttle.active = ["prochot_gfx"]' 'throttle.active: does not match the bits 0000000000000000'
cap_bad throttle-bits '.devices[0].throttle.indep_status = "8"' 'throttle.indep_status: expected 16 lowercase hex digits'
cap_bad unavailable '.devices[0].unavailable = {"x.y": "why"}' 'amdsmi.devices\[0\].unavailable: "x.y" is not a member'
cap_bad process '.devices[0].processes = [{"pid": "1"}]' 'processes\[0\].pid: expected an integer'
cap_bad devices '.devices = {}' 'amdsmi.devices: expected an array'
cap_bad unavailable-with-devices '.available = false' 'amdsmi.devices: devices listed where AMD SMI was not available'
cap_bad not-printable '.devices[0].name = "AMD\u001b[31m MI300X"' 'amdsmi.devices\[0\].name: not printable text'
cap_bad violation '.devices[0].violation.percent.ppt = 101' 'violation.percent.ppt: 101 out of range'
head -c 300 "$TMP/good-capture.json" >"$TMP/tree/$CAP"
expect_exit 65 "truncated capture" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line "var/lib/chipaudit-capture/amdsmi.json:[0-9]+:[0-9]+: " "truncated capture: file, line and column"

# --- hostile facts files
cp "$TMP/good-capture.json" "$TMP/tree/$CAP"
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/good.json"
facts_bad() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$TMP/good.json" >"$TMP/$1.json"
	expect_exit 65 "facts with $1" "$CHIPAUDIT" judge "$TMP/$1.json"
	expect_stderr_line "$1.json: $3" "facts with $1: named"
}
facts_bad amdsmi-gpus '.amdsmi.gpus = ["0000:99:00.0", "0000:c1:00.0"]' 'amdsmi.gpus\[0\]: 0000:99:00.0 is not an accelerator with AMD SMI facts'
facts_bad amdsmi-address '.accelerators[1].vendor_library.amdsmi.pci_address = "0000:c1:00.0"' "accelerators\[1\].vendor_library.amdsmi.pci_address: 0000:c1:00.0 is not the accelerator's address"
facts_bad amdsmi-ecc '.accelerators[1].vendor_library.amdsmi.ecc.uncorrectable = "3"' 'accelerators\[1\].vendor_library.amdsmi.ecc.uncorrectable: expected an integer'
facts_bad amdsmi-count '.amdsmi.gpus = .amdsmi.gpus[1:]' 'amdsmi.gpus: lists 1 GPUs, the accelerators carry AMD SMI facts for 2'
facts_bad two-libraries '.accelerators[1].vendor_library.nvml = {}' 'accelerators\[1\].vendor_library: more than one vendor library describes it'

finish
