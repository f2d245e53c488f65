#!/usr/bin/env bash
# The NVML backend and the kill-switch checks, through the real dlopen path:
# chipaudit loads the fake libnvidia-ml.so (tests/fake-nvml) named by
# CHIPAUDIT_NVML_LIBRARY, which answers as its scenario file says. This
# machine has no GPU on its PCI bus, so live, every GPU is seen through NVML
# only (as in a container); snapshots of those runs, extracted over the
# fixture trees, join NVML's facts to the GPUs of the PCI bus.
# Arguments: the fake library, and its "old driver" build.
. "$(dirname "$0")/lib.sh"
FAKE=$(realpath "${1:?fake NVML library}")
FAKE_OLD=$(realpath "${2:?old fake NVML library}")
SC="$SRCDIR/tests/fake-nvml/scenarios"
unset CHIPAUDIT_NVML_LIBRARY FAKE_NVML_SCENARIO

# with SCENARIO [LIBRARY] -- CMD...: run CMD against the fake.
with() {
	local scenario=$1 lib=$FAKE; shift
	if [ "$1" != "--" ]; then lib=$1; shift; fi
	shift
	CHIPAUDIT_NVML_LIBRARY=$lib FAKE_NVML_SCENARIO="$SC/$scenario.json" "$@"
}
# status_of FILE CHECK SUBJECT: the statuses of CHECK's findings on SUBJECT.

# --- the library is absent, is not NVML, or the driver is not loaded: facts, never failures
CHIPAUDIT_NVML_LIBRARY=$TMP/none.so "$CHIPAUDIT" facts >"$TMP/f.json" 2>"$TMP/err"
jq_is '.nvml.available' false "absent library: NVML not available" "$TMP/f.json"
jq_is '.nvml.reason | test("none.so: cannot open shared object file")' true "absent library: dlopen's reason kept" "$TMP/f.json"
expect_exit 0 "absent library: the audit still runs" env CHIPAUDIT_NVML_LIBRARY="$TMP/none.so" "$CHIPAUDIT" audit --json
"$CHIPAUDIT" facts --nvml-library "$TMP/other.so" >"$TMP/f.json"
jq_is '.nvml.library' "$TMP/other.so" "--nvml-library names the library" "$TMP/f.json"
libc=$(ldd "$CHIPAUDIT" | awk '/libc.so/ {print $3}')
"$CHIPAUDIT" facts --nvml-library "$libc" >"$TMP/f.json"
jq_is '.nvml.reason' "nvmlInit_v2: not in the library (not NVML, or too old)" "a library that is not NVML" "$TMP/f.json"
with init-fails -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.nvml | "\(.available) \(.reason)"' "false nvmlInit: NVIDIA driver not loaded" "driver not loaded" "$TMP/f.json"
CHIPAUDIT_NVML_LIBRARY=$FAKE "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.nvml.reason' "nvmlInit: NVIDIA driver not loaded" "fake without a scenario: driver not loaded" "$TMP/f.json"

# The checks of this issue (the other killswitch.* ids belong to the measurement
# and drift families and judge other facts).
KS='select(.check | test("^killswitch\\.(compute_prohibited|drain|cc_not_ready|device_lost|power_capped|clocks_capped|throttle_active|memory_degraded|xid|vgpu_unlicensed|mig_changed)$") or . == "identity.mismatch")'

# --- a healthy H20 server, seen through NVML only
with healthy-h20 -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
jq_is '[.accelerators[] | .seen_through] | unique | join(",")' "nvml" "healthy H20: GPUs seen through NVML only" "$TMP/r.json"
jq_is '[.accelerators[] | "\(.model)@\(.pci_address)"] | join(" ")' \
	"H20@0000:18:00.0 H20@0000:2a:00.0 H20@0000:3a:00.0 H20@0000:5d:00.0 H20@0000:9a:00.0 H20@0000:ab:00.0 H20@0000:ba:00.0 H20@0000:db:00.0" \
	"healthy H20: NVML's bus ids normalised, models from the database" "$TMP/r.json"
jq_is "[.findings[] | $KS | .status] | unique | join(\",\")" "pass" \
	"healthy H20: every kill-switch check passes" "$TMP/r.json"
jq_is "[.findings[] | $KS | .subjects[]] | length" 96 \
	"healthy H20: 12 checks x 8 GPUs" "$TMP/r.json"
jq_is "[.findings[] | $KS] | length" 12 \
	"healthy H20: eight GPUs that say the same, one finding per check" "$TMP/r.json"
jq_is '[.limitations[] | select(.reason | test("seen through nvml only"))] | length' 8 \
	"healthy H20: NVML-only GPUs are stated as limitations" "$TMP/r.json"
# sysfs shows neither these GPUs nor (here) an IOMMU unit: that proves nothing
# about their DMA, so backdoor.iommu.absent skips each one and says why.
jq_is '[.findings[] | select(.check == "backdoor.iommu.absent") | "\(.status) \(.subjects | length)"] | join(",")' \
	"skip 8" "healthy H20 through NVML only: backdoor.iommu.absent skips, no false critical" "$TMP/r.json"
jq_is '[.findings[] | select(.check | test("^backdoor\\.(iommu|pci)\\.") and . != "backdoor.pci.subsystem_unknown") | select(.status != "skip") | .check] | join(",")' "" \
	"healthy H20 through NVML only: no IOMMU or PCI layout verdict on what sysfs does not show" "$TMP/r.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/r.json" >"$TMP/v" 2>&1; then
	pass "healthy H20: the report with NVML-only GPUs follows docs/report.schema.json"
else
	fail "healthy H20: the report with NVML-only GPUs follows docs/report.schema.json" "$(head -c 600 "$TMP/v")"
fi
with healthy-h20 -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.accelerators[0].vendor_library.nvml | "\(.bus_id) \(.name) \(.power_mw.default_limit) \(.clock_event_reasons.active | join("+")) \(.clock_event_reasons.api)"' \
	"00000000:18:00.0 NVIDIA H20 400000 gpu_idle clocks_event_reasons" "healthy H20: NVML facts" "$TMP/f.json"
jq_is '.nvml | "\(.driver_version) \(.cuda_driver_version) \(.device_count) \(.missing_functions | length)"' "570.124.06 12.8 8 0" \
	"healthy H20: system facts" "$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/j.json"
if diff <(jq -S "[.findings[] | $KS | {check, subject: .subjects[], status}]" "$TMP/r.json") \
	<(jq -S "[.findings[] | $KS | {check, subject: .subjects[], status}]" "$TMP/j.json") >"$TMP/diff"; then
	pass "healthy H20: facts judge the same"
else
	fail "healthy H20: facts judge the same" "$(head -c 600 "$TMP/diff")"
fi

# --- one scenario per condition
check_scenario() { # SCENARIO CHECK SUBJECT=STATUS...
	local sc=$1 check=$2; shift 2
	with "$sc" -- "$CHIPAUDIT" audit --json >"$TMP/$sc.json"
	for pair in "$@"; do
		expect_status "$TMP/$sc.json" "$check" "${pair%=*}" "${pair#*=}" "$sc: $check on ${pair%=*} is ${pair#*=}"
	done
}
check_scenario compute-prohibited killswitch.compute_prohibited 0000:18:00.0=fail 0000:2a:00.0=pass
check_scenario drain killswitch.drain 0000:18:00.0=fail 0000:2a:00.0=pass
check_scenario cc-not-ready killswitch.cc_not_ready 0000:18:00.0=fail
check_scenario cc-ready killswitch.cc_not_ready 0000:18:00.0=pass 0000:2a:00.0=pass
# The GPU's attestation, verified offline in the audit. NVIDIA's published
# Hopper sample answered to the audit's fresh nonce is a replay: the
# signature check fails on the nonce, while the chain (5 certificates to the
# pinned root) verifies; revocation is not checked without OCSP data; a GPU
# without a report is a skip saying why.
check_scenario cc-sample attestation.signature 0000:18:00.0=fail 0000:2a:00.0=skip
check_scenario cc-sample attestation.certificate_chain 0000:18:00.0=pass 0000:2a:00.0=skip
check_scenario cc-sample attestation.revocation 0000:18:00.0=skip 0000:2a:00.0=skip
jq_is '.findings[] | select(.check == "attestation.signature" and .status == "fail") | .message | test("^the report answers nonce 931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb, not the one sent \\([0-9a-f]{64}\\): a replayed or substituted report$")' \
	true "cc-sample: the replayed report named by its nonce and ours" "$TMP/cc-sample.json"
jq_is '.findings[] | select(.check == "attestation.certificate_chain" and .status == "pass") | .evidence | [.driver_version, .vbios_version] | @csv' \
	'"550.90.07","96.00.9F.00.01"' "cc-sample: the report's driver and VBIOS versions as evidence" "$TMP/cc-sample.json"
jq_is '.findings[] | select(.check == "attestation.signature" and .status == "skip") | .message' \
	"NVML gave no attestation report: not supported by this GPU or driver" "cc-sample: a GPU without a report says why" "$TMP/cc-sample.json"
# With NVIDIA's sample RIMs: at the audit's time (2025-11-29) their signers'
# certificates have expired, so attestation.rim fails; the replayed
# report's measurements are not compared at all.
D="$SRCDIR/tests/data/nvtrust"
with cc-sample -- "$CHIPAUDIT" audit --json --rim "$D/Driver_RIM_test_no_gpu.swidtag" \
	--rim "$D/1010_0200_882_96005E0001_PROD.swidtag" >"$TMP/cc-rim.json"
expect_status "$TMP/cc-rim.json" attestation.rim 0000:18:00.0 fail "cc-sample --rim: attestation.rim fails (expired signers)"
expect_status "$TMP/cc-rim.json" attestation.firmware_measurements 0000:18:00.0 skip \
	"cc-sample --rim: a replayed report's measurements are not compared"
jq_is '.findings[] | select(.check == "attestation.firmware_measurements" and (.subjects | index("0000:18:00.0"))) | .message' \
	"the report's signature did not verify (attestation.signature): its measurements prove nothing" \
	"cc-sample --rim: says why nothing is compared" "$TMP/cc-rim.json"
# The fake library's own report (a header and the nonce, no SPDM) is refused
# as malformed; confidential computing off (healthy-h20) is a skip naming
# what would enable it.
check_scenario cc-ready attestation.signature 0000:18:00.0=fail 0000:2a:00.0=skip
check_scenario healthy-h20 attestation.signature 0000:18:00.0=skip
jq_is '[.findings[] | select(.check == "attestation.signature") | .message] | unique | .[0] | startswith("confidential computing is off on this GPU")' \
	true "CC off: the skip says what would give a report" "$TMP/healthy-h20.json"
check_scenario device-lost killswitch.device_lost 0000:18:00.0=fail 0000:3a:00.0=pass host=fail
check_scenario power-capped killswitch.power_capped 0000:18:00.0=warn 0000:2a:00.0=fail
check_scenario clocks-capped killswitch.clocks_capped 0000:18:00.0=warn 0000:2a:00.0=warn
check_scenario throttle-active killswitch.throttle_active 0000:18:00.0=fail 0000:2a:00.0=fail 0000:3a:00.0=warn 0000:5d:00.0=warn
check_scenario memory-degraded killswitch.memory_degraded 0000:18:00.0=fail 0000:2a:00.0=warn 0000:3a:00.0=fail 0000:5d:00.0=warn
check_scenario vgpu-unlicensed killswitch.vgpu_unlicensed 0000:18:00.0=fail 0000:2a:00.0=pass
check_scenario mig-changed killswitch.mig_changed 0000:18:00.0=warn 0000:2a:00.0=pass
check_scenario identity-mismatch identity.mismatch 0000:18:00.0=fail
# GPU operation mode: All On, Low DP, Low DP pending, Compute, Compute with All On
# pending, not supported (the H20 template, as on most data-centre GPUs)
check_scenario operation-mode killswitch.gpu_operation_mode 0000:18:00.0=pass 0000:2a:00.0=fail 0000:3a:00.0=warn \
	0000:5d:00.0=pass 0000:9a:00.0=pass 0000:ab:00.0=skip
jq_is '[.findings[] | select(.check == "killswitch.gpu_operation_mode") | "\(.subjects | join(" ")): \(.message)"] | join(" | ")' \
	"0000:18:00.0: GPU operation mode All On | 0000:2a:00.0: GPU operation mode Low Double Precision: FP64 throughput is cut | 0000:3a:00.0: GPU operation mode All On, Low Double Precision pending: FP64 throughput will be cut at the next reboot | 0000:5d:00.0: GPU operation mode Compute (graphics off; compute and FP64 at full rate) | 0000:9a:00.0: GPU operation mode Compute (graphics off; compute and FP64 at full rate); All On pending at the next reboot | 0000:ab:00.0: GPU operation mode unknown: not supported by this GPU or driver" \
	"operation-mode: each mode and pending change said in words" "$TMP/operation-mode.json"
with operation-mode -- "$CHIPAUDIT" facts >"$TMP/gom.json"
jq_is '[.accelerators[] | "\(.vendor_library.nvml.gpu_operation_mode.current)/\(.vendor_library.nvml.gpu_operation_mode.pending)"] | join(" ")' \
	"all_on/all_on low_dp/low_dp all_on/low_dp compute/compute compute/all_on null/null" \
	"operation-mode: current and pending recorded in facts" "$TMP/gom.json"
jq_is '.accelerators[5].vendor_library.nvml.unavailable | "\(."gpu_operation_mode.current") / \(."gpu_operation_mode.pending")"' \
	"not supported by this GPU or driver / not supported by this GPU or driver" \
	"operation-mode: NOT_SUPPORTED recorded as not supported, not as All On" "$TMP/gom.json"
"$CHIPAUDIT" judge --json "$TMP/gom.json" >"$TMP/gom-j.json"
jq_is '[.findings[] | select(.check == "killswitch.gpu_operation_mode") | .status] | join(",")' "pass,fail,warn,pass,pass,skip" \
	"operation-mode: the facts judge the same" "$TMP/gom-j.json"
check_scenario healthy-h100 identity.mismatch 0000:41:00.0=pass 0000:c1:00.0=pass
for sc in compute-prohibited drain cc-not-ready device-lost power-capped clocks-capped throttle-active memory-degraded vgpu-unlicensed identity-mismatch operation-mode; do
	jq_is '[.findings[] | select(.status == "fail" or .status == "warn") | .remediation | select(. == null)] | length' 0 \
		"$sc: every warning and failure says what clears it" "$TMP/$sc.json"
done
jq_is '[.findings[] | select(.check == "killswitch.power_capped" and any(.subjects[]; . == "0000:2a:00.0")) | .evidence | "\(."power_mw.enforced_limit") \(."power_mw.limit") \(."power_mw.default_limit")"] | .[0]' \
	"200000 400000 400000" "power-capped: the values are the evidence" "$TMP/power-capped.json"
jq_is '[.findings[] | select(.check == "killswitch.power_capped" and any(.subjects[]; . == "0000:2a:00.0")) | .remediation | test("nvidia-smi -q -d POWER -i 0000:2a:00.0")] | .[0]' \
	true "power-capped: the command to inspect it, for this GPU" "$TMP/power-capped.json"
jq_is '[.findings[] | select(.check == "killswitch.device_lost" and any(.subjects[]; . == "host")) | .message] | .[0]' \
	"NVML device 1 cannot be reached: no handle: GPU is lost (fallen off the bus or inaccessible)" "device-lost: the unreachable GPU named" "$TMP/device-lost.json"
jq_is '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:18:00.0")) | .message] | .[0]' \
	'NVML names this GPU "NVIDIA H100 80GB HBM3", its PCI ID 10de:2329 is the H20' "identity-mismatch: name against PCI ID" "$TMP/identity-mismatch.json"
jq_is '[.findings[] | select(.check == "killswitch.throttle_active" and any(.subjects[]; . == "0000:18:00.0")) | .evidence."clock_event_reasons.active" | join(",")] | .[0]' \
	"hw_slowdown" "throttle-active: the reasons decoded" "$TMP/throttle-active.json"

# --- confidential computing evidence: a fresh nonce, echoed in the report
with cc-ready -- "$CHIPAUDIT" facts >"$TMP/cc.json"
jq -r '.accelerators[0].vendor_library.nvml.confidential_computing.attestation.nonce' "$TMP/cc.json" | base64 -d >"$TMP/nonce" 2>/dev/null
jq -r '.accelerators[0].vendor_library.nvml.confidential_computing.attestation.report' "$TMP/cc.json" | base64 -d >"$TMP/report" 2>/dev/null
if [ "$(stat -c %s "$TMP/nonce")" = 32 ] && cmp -s "$TMP/nonce" <(tail -c +28 "$TMP/report" | head -c 32) && [ "$(stat -c %s "$TMP/report")" = 1200 ]; then
	pass "cc: the report carries the 32-byte nonce chipaudit sent"
else
	fail "cc: the report carries the 32-byte nonce chipaudit sent" "nonce $(stat -c %s "$TMP/nonce") bytes, report $(stat -c %s "$TMP/report") bytes"
fi
with cc-ready -- "$CHIPAUDIT" facts >"$TMP/cc2.json"
if cmp -s <(jq -r '.accelerators[0].vendor_library.nvml.confidential_computing.attestation.nonce' "$TMP/cc.json") \
	<(jq -r '.accelerators[0].vendor_library.nvml.confidential_computing.attestation.nonce' "$TMP/cc2.json"); then
	fail "cc: a fresh nonce each run"
else
	pass "cc: a fresh nonce each run"
fi
jq_is '.accelerators[0].vendor_library.nvml.confidential_computing.certificates.chain | @base64d | startswith("-----BEGIN CERTIFICATE-----")' true \
	"cc: the certificate chain kept" "$TMP/cc.json"
jq_is '.accelerators[1].vendor_library.nvml.unavailable."confidential_computing.attestation.report"' "size out of range" \
	"cc: a report larger than its buffer is refused" "$TMP/cc.json"
with healthy-h20 -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.accelerators[0].vendor_library.nvml.confidential_computing' null "cc off: no attestation asked" "$TMP/f.json"

# --- an old driver: only the first versions of the calls
with healthy-h20 "$FAKE_OLD" -- "$CHIPAUDIT" facts >"$TMP/old.json"
jq_is '.nvml.available' true "old driver: NVML available through nvmlInit" "$TMP/old.json"
jq_is '[.accelerators[].pci_address] | join(" ")' \
	"0000:18:00.0 0000:2a:00.0 0000:3a:00.0 0000:5d:00.0 0000:9a:00.0 0000:ab:00.0 0000:ba:00.0 0000:db:00.0" \
	"old driver: bus ids from nvmlDeviceGetPciInfo's first layout" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.nvml | "\(.clock_event_reasons.api) \(.memory.total_bytes) \(.power_mw.draw)"' \
	"clocks_throttle_reasons 102625181696 72000" "old driver: fallbacks used" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.nvml.unavailable.serial' "function not in this NVML (older driver)" "old driver: a missing function is a reason" "$TMP/old.json"
jq_is '.nvml.missing_functions | index("nvmlDeviceGetGspFirmwareVersion") != null and index("nvmlInit_v2") == null' true \
	"old driver: missing functions listed" "$TMP/old.json"
jq_is '.nvml.cuda_driver_version' 12.8 "old driver: nvmlSystemGetCudaDriverVersion" "$TMP/old.json"
"$CHIPAUDIT" judge "$TMP/old.json" >/dev/null 2>"$TMP/err"
rc=$?
# other families judge this VM too (no IOMMU under NVML-only GPUs fails), so
# the point here is that old-driver facts validate and are judged: 0, 1 or 2
if [ "$rc" -le 2 ]; then pass "old driver: facts judge"; else fail "old driver: facts judge" "exit $rc: $(cat "$TMP/err")"; fi
"$CHIPAUDIT" judge --json "$TMP/old.json" >"$TMP/old-r.json"
expect_status "$TMP/old-r.json" killswitch.compute_prohibited 0000:18:00.0 skip "old driver: compute mode unknown is a skip"

# --- error returns and hostile values: null with the reason, never a crash
with error-returns -- "$CHIPAUDIT" facts >"$TMP/err.json"
expect_exit 2 "error returns: facts validate (the unreachable GPU fails)" "$CHIPAUDIT" judge "$TMP/err.json"
jq_is '.nvml.unreachable_devices[0] | "\(.index) \(.error)"' "4 no PCI bus id: no permission (run as root)" \
	"error returns: a GPU without a bus id is unreachable" "$TMP/err.json"
jq_is '.accelerators[0].vendor_library.nvml.unavailable.compute_mode' "no permission (run as root)" "error returns: NO_PERMISSION" "$TMP/err.json"
jq_is '.accelerators[1].vendor_library.nvml.unavailable.name' "NVML error 4242" "error returns: an unknown code" "$TMP/err.json"
jq_is '.accelerators[3].vendor_library.nvml.unavailable | "\(.name) / \(.temperature_c) / \(.compute_mode) / \(."power_mw.draw")"' \
	"malformed value from the library: not NUL-terminated / value 5000 out of range [-100, 300] / unknown value 9 from the library / value 4294967295 out of range [0, 100000000]" \
	"error returns: hostile values refused with the reason" "$TMP/err.json"
jq_is '.nvml.unavailable."confidential_computing.feature"' "no permission (run as root)" "error returns: system call errors" "$TMP/err.json"

# --- MIG policy
with mig-changed -- "$CHIPAUDIT" facts >"$TMP/mig.json"
jq_is '[.accelerators[0].vendor_library.nvml.mig.instances[].profile] | join(",")' "3g.48gb,3g.48gb" "mig: instances and profiles" "$TMP/mig.json"
echo '{"gpus": {"0000:18:00.0": ["3g.48gb", "3g.48gb"], "*": false}}' >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/mig.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:18:00.0 pass "mig: the layout the policy expects passes"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:2a:00.0 pass "mig: MIG off where the policy expects it off"
uuid=$(jq -r '.accelerators[0].vendor_library.nvml.uuid' "$TMP/mig.json")
echo "{\"gpus\": {\"$uuid\": [\"7g.96gb\"]}}" >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/mig.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:18:00.0 fail "mig: other instances than the policy's fail (by UUID)"
echo '{"gpus": {"*": false}}' >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/mig.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.mig_changed 0000:18:00.0 fail "mig: MIG on where the policy says off fails"
echo '{"gpus": {"../etc": false}}' >"$TMP/bad.json"
expect_exit 65 "mig: a malformed policy" "$CHIPAUDIT" judge --expect-mig "$TMP/bad.json" "$TMP/mig.json"
expect_stderr_line 'bad.json: policy.gpus: "../etc" is not' "mig: the policy's problem named"
echo '{"gpus": {"*": [1]}}' >"$TMP/bad.json"
expect_exit 65 "mig: a profile that is not a string" "$CHIPAUDIT" audit --expect-mig "$TMP/bad.json"
expect_exit 66 "mig: a missing policy file" "$CHIPAUDIT" judge --expect-mig "$TMP/nowhere.json" "$TMP/mig.json"
expect_stderr_line "nowhere.json: No such file" "mig: the missing file named"

# --- snapshots: NVML's answers captured; --root never loads the live library
with healthy-h20 -- "$CHIPAUDIT" snapshot -o "$TMP/h20.tar.gz" 2>/dev/null
mkdir -p "$TMP/snap"; tar -xzf "$TMP/h20.tar.gz" -C "$TMP/snap"
jq_is '.devices | length' 8 "snapshot: NVML's answers captured" "$TMP/snap/var/lib/chipaudit-capture/nvml.json"
with healthy-h20 -- "$CHIPAUDIT" facts | jq -S 'del(.source)' >"$TMP/a.json"
with init-fails -- "$CHIPAUDIT" facts --root "$TMP/snap" | jq -S 'del(.source)' >"$TMP/b.json"
if diff "$TMP/a.json" "$TMP/b.json" >"$TMP/diff"; then pass "snapshot: the capture audits as the live machine"; else fail "snapshot: the capture audits as the live machine" "$(head -c 800 "$TMP/diff")"; fi
with healthy-h20 -- "$CHIPAUDIT" facts --root "$FIXTURES/vm/root" >"$TMP/f.json"
jq_is '.nvml.reason | test("not in the captured tree")' true "--root: the live NVML is not consulted" "$TMP/f.json"

# The fixtures' captures are what the backend writes today.
ln -sf "$FAKE" "$TMP/libnvidia-ml.so.1"
for s in healthy-h20 healthy-h100; do
	rm -rf "$TMP/cap"; mkdir "$TMP/cap"
	LD_LIBRARY_PATH=$TMP FAKE_NVML_SCENARIO="$SC/$s.json" "$CHIPAUDIT" snapshot -o "$TMP/cap.tar.gz" 2>/dev/null
	tar -xzf "$TMP/cap.tar.gz" -C "$TMP/cap" var/lib/chipaudit-capture/nvml.json
	if diff <(jq -S . "$SRCDIR/tests/fake-nvml/captures/$s.json") <(jq -S . "$TMP/cap/var/lib/chipaudit-capture/nvml.json") >"$TMP/diff"; then
		pass "$s: the committed capture is the backend's output"
	else
		fail "$s: the committed capture is the backend's output" "run tests/fake-nvml/make-captures.sh" "$(head -c 600 "$TMP/diff")"
	fi
done

# Captures joined to a fixture's PCI bus.
fixture_with() { # SCENARIO FIXTURE: a copy of FIXTURE with SCENARIO's capture in $TMP/tree
	rm -rf "$TMP/tree" "$TMP/x"; cp -a "$FIXTURES/$2/root" "$TMP/tree"; mkdir "$TMP/x"
	with "$1" -- "$CHIPAUDIT" snapshot -o "$TMP/x.tar.gz" 2>/dev/null
	tar -xzf "$TMP/x.tar.gz" -C "$TMP/x" var/lib/chipaudit-capture/nvml.json
	cp "$TMP/x/var/lib/chipaudit-capture/nvml.json" "$TMP/tree/var/lib/chipaudit-capture/nvml.json"
}
"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" >"$TMP/f.json"
jq_is '[.accelerators[] | "\(.seen_through):\(.vendor_library.nvml.name)"] | unique | join(",")' "pci:NVIDIA H20" "h20x8: NVML facts joined to the PCI GPUs" "$TMP/f.json"
jq_is '.limitations | length' 0 "h20x8: nothing left unexamined" "$TMP/f.json"
fixture_with nvml-only h20x8
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json"
jq_is '[.accelerators[] | "\(.pci_address):\(.seen_through)"] | .[0] + " " + .[8]' "0000:18:00.0:pci 0000:77:00.0:nvml" \
	"nvml-only: a GPU NVML reports and the PCI bus does not is still listed" "$TMP/f.json"
jq_is '.accelerators[8] | "\(.model) \(.vendor) \(.driver) \(.class)"' "H20 NVIDIA null null" "nvml-only: identity from NVML, sysfs facts null" "$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.device_lost 0000:2a:00.0 warn "nvml-only: a PCI GPU NVML does not list is a warning"
expect_status "$TMP/r.json" killswitch.device_lost 0000:77:00.0 pass "nvml-only: the NVML-only GPU is audited"
fixture_with identity-mismatch h20x8
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
jq_is '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:2a:00.0")) | .message] | .[0]' \
	"NVML reports PCI ID 10de:2330, the PCI bus shows 10de:2329" "identity-mismatch: NVML's PCI ID against the PCI bus" "$TMP/r.json"

# --- the kernel log: XIDs decoded per GPU
rm -rf "$TMP/tree"; cp -a "$FIXTURES/h20x8/root" "$TMP/tree"
cat >"$TMP/tree/dev/kmsg" <<'KMSG'
6,1192,13425230,-;NVRM: loading NVIDIA UNIX x86_64 Kernel Module  570.124.06  Release Build  (dvs-builder@U16-I3-A03-1-1)
4,5001,86400000000,-;NVRM: Xid (PCI:0000:18:00): 79, pid=1101234, name=nvc:[driver], GPU has fallen off the bus.
4,5002,86400000100,-;NVRM: GPU 0000:18:00.0: GPU has fallen off the bus.
4,5003,86500000000,-;NVRM: Xid (PCI:0000:2a:00): 13, pid=2211, name=python3, Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0): Out Of Range Address
4,5004,86600000000,c;NVRM: Xid (PCI:0000:3a:00): 63, pid=1896, Row Remapper: New row marked for remapping, reset gpu to activate.
 SUBSYSTEM=pci
 DEVICE=+pci:0000:3a:00.0
4,5005,86700000000,-;NVRM: Xid (0000:5d:00): 999, some future fault
4,5006,86800000000,-;NVRM: Xid (PCI:0000:77:00): 119, pid='N/A', Timeout waiting for RPC from GSP! Expected function 76 (GSP_RM_CONTROL).
4,5007,86900000000,-;NVRM: Xid (PCI:0000:18:00: 79 mangled
KMSG
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.xid 0000:18:00.0 fail "xid: XID 79 is a fault"
expect_status "$TMP/r.json" killswitch.xid 0000:2a:00.0 pass "xid: XID 13 is the application's"
expect_status "$TMP/r.json" killswitch.xid 0000:3a:00.0 warn "xid: XID 63 (remap pending) is degraded"
expect_status "$TMP/r.json" killswitch.xid 0000:5d:00.0 warn "xid: an XID not in data/xids.json is a warning"
expect_status "$TMP/r.json" killswitch.xid 0000:9a:00.0 pass "xid: no XID, pass"
expect_status "$TMP/r.json" killswitch.xid host fail "xid: a GPU that is not listed is judged on the host"
expect_status "$TMP/r.json" killswitch.device_lost 0000:18:00.0 fail "xid: XID 79 makes the GPU lost"
jq_is '[.findings[] | select(.check == "killswitch.xid" and any(.subjects[]; . == "0000:18:00.0")) | .evidence.events[0] | "\(.xid) \(.kind) \(.pid) \(.meaning)"] | .[0]' \
	"79 fault 1101234 GPU has fallen off the bus" "xid: decoded with its meaning" "$TMP/r.json"
jq_is '[.limitations[] | select(.reason | test("XID report not understood"))] | length' 1 "xid: an unparsable XID line is a limitation" "$TMP/r.json"
"$CHIPAUDIT" snapshot --root "$TMP/tree" -o "$TMP/k.tar.gz" 2>/dev/null
rm -rf "$TMP/k"; mkdir "$TMP/k"; tar -xzf "$TMP/k.tar.gz" -C "$TMP/k"
if [ "$(grep -c 'NVRM: Xid' "$TMP/k/dev/kmsg")" = 6 ] && [ "$(wc -l <"$TMP/k/dev/kmsg")" = 6 ]; then
	pass "xid: a snapshot keeps the XID records only"
else
	fail "xid: a snapshot keeps the XID records only" "$(head -c 600 "$TMP/k/dev/kmsg")"
fi
if diff <("$CHIPAUDIT" facts --root "$TMP/tree" | jq -S .kernel_xids) <("$CHIPAUDIT" facts --root "$TMP/k" | jq -S .kernel_xids) >/dev/null; then
	pass "xid: the snapshot gives the same events"
else
	fail "xid: the snapshot gives the same events"
fi
printf '6,1,2,-;ok\nnot a record\n' >"$TMP/tree/dev/kmsg"
expect_exit 65 "xid: a malformed kernel log record" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line "/dev/kmsg: record 2: not a kernel log record" "xid: the malformed record named"
printf '6,1,2,-;ok\0\n' >"$TMP/tree/dev/kmsg"
expect_exit 65 "xid: a NUL byte in the kernel log" "$CHIPAUDIT" facts --root "$TMP/tree"
head -c 70000 /dev/zero | tr '\0' 'x' >"$TMP/tree/dev/kmsg"
expect_exit 65 "xid: a record longer than 64 KiB" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line "/dev/kmsg: record 1: longer than 65536 bytes" "xid: the long record named"
rm "$TMP/tree/dev/kmsg"
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.xid 0000:18:00.0 skip "xid: no kernel log in the capture is a skip"

# --- hostile captures: one line naming the file and the member, exit 65
cap_bad() { # NAME JQ-MUTATION PATTERN
	rm -rf "$TMP/tree"; cp -a "$FIXTURES/h20x8/root" "$TMP/tree"
	jq "$2" "$FIXTURES/h20x8/root/var/lib/chipaudit-capture/nvml.json" >"$TMP/tree/var/lib/chipaudit-capture/nvml.json"
	expect_exit 65 "capture with $1" "$CHIPAUDIT" facts --root "$TMP/tree"
	expect_stderr_line "$3" "capture with $1: named"
}
cap_bad available-string '.available = "yes"' 'nvml.json: nvml.available: expected true or false'
cap_bad power-negative '.devices[0].power_mw.draw = -5' 'nvml.json: nvml.devices\[0\].power_mw.draw: -5 out of range'
cap_bad address '.devices[1].pci_address = "../../etc"' 'nvml.devices\[1\].pci_address: "../../etc" is not a PCI address'
cap_bad duplicate '.devices[1].pci_address = .devices[0].pci_address' 'nvml.devices\[1\].pci_address: 0000:18:00.0 listed twice'
cap_bad compute-mode '.devices[0].compute_mode = "off"' 'nvml.devices\[0\].compute_mode: "off" is not a known value'
cap_bad reasons '.devices[0].clock_event_reasons.active = ["hw_slowdown"]' 'clock_event_reasons.active: does not match the bits'
cap_bad reason-bits '.devices[0].clock_event_reasons.current = "8"' 'clock_event_reasons.current: expected 16 lowercase hex digits'
cap_bad unavailable '.devices[0].unavailable = {"x.y": "why"}' 'nvml.devices\[0\].unavailable: "x.y" is not a member'
cap_bad base64 '.devices[0].confidential_computing = {"attestation": {"report": "!!!!"}}' 'attestation.report: not base64'
cap_bad mig-item '.devices[0].mig.instances = [{"gpu_instance_id": "1"}]' 'mig.instances\[0\].gpu_instance_id: expected an integer'
cap_bad devices '.devices = {}' 'nvml.devices: expected an array'
cap_bad unavailable-with-devices '.available = false' 'nvml.devices: devices listed where NVML was not available'
cap_bad not-printable '.devices[0].name = "NVIDIA\u001b[31m H20"' 'nvml.devices\[0\].name: not printable text'
rm -rf "$TMP/tree"; cp -a "$FIXTURES/h20x8/root" "$TMP/tree"
head -c 300 "$FIXTURES/h20x8/root/var/lib/chipaudit-capture/nvml.json" >"$TMP/tree/var/lib/chipaudit-capture/nvml.json"
expect_exit 65 "truncated capture" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line "var/lib/chipaudit-capture/nvml.json:[0-9]+:[0-9]+: " "truncated capture: file, line and column"

# --- hostile facts files
"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" >"$TMP/good.json"
facts_bad() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$TMP/good.json" >"$TMP/$1.json"
	expect_exit 65 "facts with $1" "$CHIPAUDIT" judge "$TMP/$1.json"
	expect_stderr_line "$1.json: $3" "facts with $1: named"
}
facts_bad nvml-gpus '.nvml.gpus = ["0000:99:00.0"]' 'nvml.gpus\[0\]: 0000:99:00.0 is not an accelerator with NVML facts'
facts_bad nvml-address '.accelerators[0].vendor_library.nvml.pci_address = "0000:2a:00.0"' "accelerators\[0\].vendor_library.nvml.pci_address: 0000:2a:00.0 is not the accelerator's address"
facts_bad nvml-drain '.accelerators[2].vendor_library.nvml.drain_state = 1' 'accelerators\[2\].vendor_library.nvml.drain_state: expected true or false'
facts_bad nvml-gom '.accelerators[0].vendor_library.nvml.gpu_operation_mode = {"current": "turbo", "pending": null}' \
	'accelerators\[0\].vendor_library.nvml.gpu_operation_mode.current: "turbo" is not a known value'
facts_bad nvml-count '.nvml.gpus = .nvml.gpus[1:]' 'nvml.gpus: lists 7 GPUs, the accelerators carry NVML facts for 8'
facts_bad xid-address '.kernel_xids.events = [{"sequence":1,"boot_usec":1,"pci_address":"x","xid":79,"text":""}]' 'kernel_xids.events\[0\].pci_address: "x" is not a PCI address'
facts_bad xid-number '.kernel_xids.events = [{"sequence":1,"boot_usec":1,"pci_address":"0000:18:00.0","xid":-1,"text":""}]' 'kernel_xids.events\[0\].xid: -1 out of range'

# --- a pass rests only on what NVML gave: a PCI ID NVML did not give is not
# "agreement", and a memory verdict names the sources it could not examine
"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" >"$TMP/h20.json"
jq '.accelerators[0].vendor_library.nvml.pci.vendor_id = null | .accelerators[0].vendor_library.nvml.unavailable["pci.vendor_id"] = "no permission"
    | .accelerators[1].vendor_library.nvml.row_remapping.failure = null | .accelerators[1].vendor_library.nvml.row_remapping.pending = null
    | .accelerators[1].vendor_library.nvml.unavailable["row_remapping.failure"] = "not supported by this GPU or driver"
    | .accelerators[1].vendor_library.nvml.unavailable["row_remapping.pending"] = "not supported by this GPU or driver"' \
	"$TMP/h20.json" >"$TMP/partial.json"
"$CHIPAUDIT" judge --json "$TMP/partial.json" >"$TMP/partial-r.json"
expect_status "$TMP/partial-r.json" identity.mismatch 0000:18:00.0 skip "NVML's PCI ID unknown: identity.mismatch skips"
jq_is '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:18:00.0")) | .message] | join("")' \
	"NVML's PCI ID unknown: no permission" "NVML's PCI ID unknown: the reason given" "$TMP/partial-r.json"
jq_is '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:2a:00.0")) | "\(.status): \(.message)"] | join("")' \
	"pass: No remapping failure, no pending repair, no uncorrectable error since the driver loaded; row remapping not examined: not supported by this GPU or driver" \
	"memory without row remapping: the pass says what was not examined" "$TMP/partial-r.json"

# --- scripts/nvml-compare.py, which scripts/device-check runs against
# nvidia-smi on a GPU machine, tried on a hand-written nvidia-smi XML
XML="$SRCDIR/tests/fake-nvml/nvidia-smi-drain.xml"
CMP() { "$SYS_PYTHON" "$SRCDIR/scripts/nvml-compare.py" "$@"; }
with drain -- "$CHIPAUDIT" facts >"$TMP/drain.json"
expect_exit 0 "compare: the same values agree" CMP "$TMP/drain.json" "$XML"
expect_stdout "^109 same, 0 DIFF, 0 live, 0 absent$" "compare: every field compared"
sed -e '/00000000:2A:00.0/,/<\/gpu>/s#<vbios_version>96.00.A5.00.01#<vbios_version>96.00.A5.00.02#' \
    -e '/00000000:2A:00.0/,/<\/gpu>/s#<current_power_limit>400.00 W#<current_power_limit>300.00 W#' \
    -e '/00000000:2A:00.0/,/<\/gpu>/s#<gpu_temp>31 C#<gpu_temp>45 C#' "$XML" >"$TMP/smi.xml"
expect_exit 1 "compare: a difference fails" CMP "$TMP/drain.json" "$TMP/smi.xml"
expect_stdout '^DIFF   0000:2a:00.0 vbios_version nvml="96.00.A5.00.01" nvidia-smi="96.00.A5.00.02"$' "compare: the VBIOS difference named"
expect_stdout '^DIFF   0000:2a:00.0 power_mw.enforced_limit \(W\) nvml=400.0 nvidia-smi=300.0$' "compare: the power limit difference named"
expect_stdout '^live   0000:2a:00.0 temperature_c nvml=31 nvidia-smi=45$' "compare: a sampled value is live, not a difference"
expect_stdout '^106 same, 2 DIFF, 1 live, 0 absent$' "compare: the counts"
sed -e 's#clocks_event_reason#clocks_throttle_reason#g' -e 's#instant_power_draw#power_draw#g' \
    -e 's#current_power_limit#enforced_power_limit#g' -e 's#requested_power_limit#power_limit#g' "$XML" >"$TMP/old.xml"
expect_exit 0 "compare: an older driver's element names" CMP "$TMP/drain.json" "$TMP/old.xml"
sed -e '/<gpu id="00000000:2A:00.0">/,/<\/gpu>/d' "$XML" >"$TMP/one.xml"
expect_exit 1 "compare: a GPU nvidia-smi does not list" CMP "$TMP/drain.json" "$TMP/one.xml"
expect_stdout '^DIFF   0000:2a:00.0 gpu nvml="listed by chipaudit only"' "compare: the missing GPU named"
sed -e 's#<total>97871 MiB#<total>97871 Mebibytes#' "$XML" >"$TMP/bad.xml"
expect_exit 1 "compare: an unparsable value is a difference" CMP "$TMP/drain.json" "$TMP/bad.xml"
head -c 500 "$XML" >"$TMP/trunc.xml"
expect_exit 2 "compare: truncated XML" CMP "$TMP/drain.json" "$TMP/trunc.xml"

# --- facts of schema 1 (NVML's values at accelerators[].nvml) read as schema 2
V1=$SRCDIR/tests/fixtures/facts-v1
findings() { "$CHIPAUDIT" judge --json "$1" | jq -S '[.findings[] | {check, status, subjects, message, evidence}]'; }
to_v2='.schema_version = 2 | .accelerators |= map(if .nvml then .vendor_library = {nvml: .nvml} | del(.nvml) else . end)'
for f in killswitch-degraded h20x8; do
	jq "$to_v2" "$V1/$f.json" >"$TMP/$f-v2.json"
	if cmp -s <(findings "$V1/$f.json") <(findings "$TMP/$f-v2.json"); then pass "schema 1: $f judged as its schema 2 form"
	else fail "schema 1: $f judged as its schema 2 form" "$(diff <(findings "$V1/$f.json") <(findings "$TMP/$f-v2.json") | head -20)"; fi
done
jq_is '[.findings[] | select(.check | startswith("killswitch.")) | .status] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' \
	"fail=2 pass=10 skip=4 warn=2" "schema 1: the degraded GPU's kill-switch findings" <("$CHIPAUDIT" judge --json "$V1/killswitch-degraded.json")
# a report judge wrote from schema 1 facts (no facts inside: its accelerators
# as they were) against one of the same machine now: nothing changed
"$CHIPAUDIT" judge --json "$SRCDIR/tests/fixtures/h20x8/expected-facts.json" >"$TMP/judge-now.json"
"$CHIPAUDIT" diff --json "$V1/h20x8-judge-report.json" "$TMP/judge-now.json" >"$TMP/diff.json"
jq_is '.changes | length' 0 "schema 1: a judge report's accelerators read in schema 2's form" "$TMP/diff.json"
# the runtime record is made from the library's values on every read: one
# written into the file is never believed
jq '.accelerators[0].runtime.compute.gate = "refused" | .accelerators[0].runtime.memory.repair_failed = true' \
	"$TMP/killswitch-degraded-v2.json" >"$TMP/forged.json"
if cmp -s <(findings "$TMP/killswitch-degraded-v2.json") <(findings "$TMP/forged.json"); then pass "runtime: a forged record is not believed"
else fail "runtime: a forged record is not believed" "$(diff <(findings "$TMP/killswitch-degraded-v2.json") <(findings "$TMP/forged.json") | head -20)"; fi
jq '.accelerators[0].runtime = {backend: "nvml"} | del(.accelerators[0].vendor_library)' "$TMP/killswitch-degraded-v2.json" >"$TMP/bare.json"
expect_exit 65 "runtime: a record without the library's values refused" "$CHIPAUDIT" judge "$TMP/bare.json"
expect_stderr_line "bare.json: accelerators\[0\]\.runtime: without the vendor values it is made of" "runtime: the record named"
jq '.accelerators[0].vendor_library.rocm = {}' "$TMP/killswitch-degraded-v2.json" >"$TMP/lib.json"
expect_exit 65 "vendor_library: an unknown library refused" "$CHIPAUDIT" judge "$TMP/lib.json"
expect_stderr_line "lib.json: accelerators\[0\]\.vendor_library\.rocm: not a vendor library this build knows" "vendor_library: the unknown library named"

# --- --vendor-library NAME=PATH, and --nvml-library as its older spelling
"$CHIPAUDIT" facts --vendor-library nvml="$TMP/other.so" >"$TMP/f.json"
jq_is '.nvml.library' "$TMP/other.so" "--vendor-library nvml=PATH names the library" "$TMP/f.json"
expect_exit 64 "--vendor-library: an unknown library" "$CHIPAUDIT" facts --vendor-library rocm=/x
expect_stderr_line "^chipaudit: --vendor-library rocm=/x: expected NAME=PATH with NAME one of: nvml amdsmi dcmi hlml$" "--vendor-library: the known names listed"
expect_exit 64 "--vendor-library: no =" "$CHIPAUDIT" facts --vendor-library nvml
expect_exit 64 "--vendor-library: an empty path" "$CHIPAUDIT" facts --vendor-library nvml=
expect_stderr_line "^chipaudit: --vendor-library nvml=: the library's path is empty$" "--vendor-library: the empty path named"

finish
