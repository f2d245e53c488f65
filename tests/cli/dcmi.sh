#!/usr/bin/env bash
# The Ascend backend (DCMI) and the kill-switch and identity checks, through
# the real dlopen path: chipaudit loads the fake libdcmi.so (tests/fake-dcmi)
# named by CHIPAUDIT_DCMI_LIBRARY or --vendor-library dcmi=PATH, which answers
# as its scenario file says. This machine has no NPU on its PCI bus, so live,
# every chip is seen through DCMI only; snapshots of those runs, put into a
# copy of the mixed fixture, join DCMI's facts to its Ascend 910B.
# Arguments: the fake library, its "old driver" build, and the fake NVML.
. "$(dirname "$0")/lib.sh"
FAKE=$(realpath "${1:?fake DCMI library}")
FAKE_OLD=$(realpath "${2:?old fake DCMI library}")
FAKE_NVML=$(realpath "${3:?fake NVML library}")
SC="$SRCDIR/tests/fake-dcmi/scenarios"
unset CHIPAUDIT_DCMI_LIBRARY FAKE_DCMI_SCENARIO CHIPAUDIT_NVML_LIBRARY FAKE_NVML_SCENARIO

# with SCENARIO [LIBRARY] -- CMD...: run CMD against the fake.
with() {
	local scenario=$1 lib=$FAKE; shift
	if [ "$1" != "--" ]; then lib=$1; shift; fi
	shift
	CHIPAUDIT_DCMI_LIBRARY=$lib FAKE_DCMI_SCENARIO="$SC/$scenario.json" "$@"
}
CHIPS="0000:81:00.0 0000:82:00.0 0000:c1:00.0 0000:c2:00.0 0000:a1:00.0 0000:a2:00.0 0000:61:00.0 0000:62:00.0"
# The checks that judge the runtime record (killswitch.xid judges the kernel log).
KS='select(.check | test("^killswitch\\.(compute_prohibited|gpu_operation_mode|drain|cc_not_ready|device_lost|power_capped|clocks_capped|throttle_active|memory_degraded|vgpu_unlicensed|mig_changed)$") or . == "identity.mismatch")'

# --- the library is absent, is not DCMI, or the driver does not start: facts, never failures
CHIPAUDIT_DCMI_LIBRARY=$TMP/none.so "$CHIPAUDIT" facts >"$TMP/f.json" 2>"$TMP/err"
jq_is '.dcmi | "\(.available) \(.reason | test("none.so: cannot open shared object file"))"' "false true" \
	"absent library: DCMI not available, dlopen's reason kept" "$TMP/f.json"
expect_exit 0 "absent library: the audit still runs" env CHIPAUDIT_DCMI_LIBRARY="$TMP/none.so" "$CHIPAUDIT" audit --json
"$CHIPAUDIT" facts --vendor-library dcmi="$TMP/other.so" >"$TMP/f.json"
jq_is '.dcmi.library' "$TMP/other.so" "--vendor-library dcmi=PATH names the library" "$TMP/f.json"
"$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.dcmi.library' "libdcmi.so" "the default library is libdcmi.so" "$TMP/f.json"
libc=$(ldd "$CHIPAUDIT" | awk '/libc.so/ {print $3}')
"$CHIPAUDIT" facts --vendor-library "dcmi=$libc" >"$TMP/f.json"
jq_is '.dcmi.reason' "dcmi_init: not in the library (not DCMI, or too old)" "a library that is not DCMI" "$TMP/f.json"
with init-fails -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.dcmi | "\(.available) \(.reason) \(.devices) \(.gpus | length)"' "false dcmi_init: not ready null 0" \
	"dcmi_init fails: its reason, no devices" "$TMP/f.json"
CHIPAUDIT_DCMI_LIBRARY=$FAKE "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.dcmi.reason' "dcmi_init: internal error" "fake without a scenario: dcmi_init's error" "$TMP/f.json"

# --- a healthy Atlas 800T A2 (eight Ascend 910B), seen through DCMI only
with healthy-910b -- "$CHIPAUDIT" audit --json >"$TMP/r.json"
jq_is '[.accelerators[] | "\(.seen_through):\(.vendor):\(.model)"] | unique | join(",")' "dcmi:Huawei:Ascend 910B" \
	"healthy: chips seen through DCMI only, models from the database" "$TMP/r.json"
jq_is '[.accelerators[].pci_address] | join(" ")' "$CHIPS" "healthy: PCI addresses from dcmi_get_device_pcie_info_v2" "$TMP/r.json"
jq_is "[.findings[] | $KS | \"\(.check)=\(.status)\"] | unique | join(\" \")" \
	"identity.mismatch=pass killswitch.cc_not_ready=skip killswitch.clocks_capped=skip killswitch.compute_prohibited=skip killswitch.device_lost=pass killswitch.drain=skip killswitch.gpu_operation_mode=skip killswitch.memory_degraded=pass killswitch.mig_changed=pass killswitch.power_capped=skip killswitch.throttle_active=skip killswitch.vgpu_unlicensed=skip" \
	"healthy: what DCMI gives passes, what it does not expose skips" "$TMP/r.json"
jq_is "[.findings[] | $KS | .subjects[]] | length" 96 "healthy: 12 checks x 8 chips" "$TMP/r.json"
jq_is "[.findings[] | $KS | select(.status == \"skip\") | .message | test(\"not exposed by DCMI\")] | all" true \
	"healthy: every skip says DCMI does not expose it" "$TMP/r.json"
jq_is '[.findings[] | select(.check == "killswitch.power_capped") | .message] | unique | join("")' \
	"Power limits unknown: not exposed by DCMI (it reports the power draw, no limit)" \
	"healthy: no power cap to judge, and why" "$TMP/r.json"
jq_is "$(printf '[.findings[] | select(.check == "identity.mismatch") | .message] | unique | join("")')" \
	"DCMI's name \"Ascend 910B2\" and PCI ID 19e5:d802 agree with the DCMI-only listing and the database (Ascend 910B)" \
	"healthy: chip name and PCI ID agree" "$TMP/r.json"
jq_is '[.limitations[] | select(.reason | test("seen through dcmi only"))] | length' 8 \
	"healthy: DCMI-only chips are stated as limitations" "$TMP/r.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/r.json" >"$TMP/v" 2>&1; then
	pass "healthy: the report follows docs/report.schema.json"
else
	fail "healthy: the report follows docs/report.schema.json" "$(head -c 600 "$TMP/v")"
fi
with healthy-910b -- "$CHIPAUDIT" facts >"$TMP/f.json"
jq_is '.accelerators[0].vendor_library.dcmi | "\(.card_id)/\(.chip_id) \(.chip.type) \(.chip.name) \(.chip.aicore_count) \(.elabel.serial_number) \(.elabel.source) \(.vdie_id)"' \
	"0/0 Ascend 910B2 24 102004471000 device 3E22C8A4-20E01D0D-91101315-00000000-00000000" "healthy: identity facts" "$TMP/f.json"
jq_is '.accelerators[0].vendor_library.dcmi | "\(.health) \(.power_mw.draw) \(.temperature_c) \(.clocks_mhz.aicore.current)/\(.clocks_mhz.aicore.rated) \(.clocks_mhz.hbm.current) \(.ecc.memory) \(.ecc.enabled) \(.network.health) \(.network.roce_ipv4) \(.vnpu.count)"' \
	"ok 93400 38 1800/1800 1600 hbm true ok 192.168.100.1 0" "healthy: health, power (tenths of a watt to mW), clocks, ECC, RoCE port" "$TMP/f.json"
jq_is '.accelerators[0].runtime | "\(.backend) \(.identity.name) \(.identity.uuid) \(.identity.serial) \(.lost) \(.memory.uncorrectable_errors) \(.memory.retirement_pending) \(.partitions.on)"' \
	"dcmi Ascend 910B2 3E22C8A4-20E01D0D-91101315-00000000-00000000 102004471000 false 0 false false" \
	"healthy: the runtime record" "$TMP/f.json"
jq_is '.dcmi | "\(.dcmi_version) \(.driver_version) \(.card_count) \(.device_count) \(.missing_functions | join(","))"' \
	"25.2.0 25.2.0 8 8 dcmi_get_device_errorcode,dcmi_get_device_aicore_info,dcmi_get_version" \
	"healthy: system facts; only the older names are missing" "$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/j.json"
if diff <(jq -S "[.findings[] | $KS | {check, subject: .subjects[], status}]" "$TMP/r.json") \
	<(jq -S "[.findings[] | $KS | {check, subject: .subjects[], status}]" "$TMP/j.json") >"$TMP/diff"; then
	pass "healthy: facts judge the same"
else
	fail "healthy: facts judge the same" "$(head -c 600 "$TMP/diff")"
fi

# --- one scenario per condition DCMI shows
check_scenario() { # SCENARIO CHECK SUBJECT=STATUS...
	local sc=$1 check=$2; shift 2
	if [ ! -f "$TMP/$sc.json" ]; then
		# the verdict's exit (0-2), and no sanitizer's report (a leak
		# found at exit keeps the verdict's exit code)
		local rc=0
		with "$sc" -- "$CHIPAUDIT" audit --json >"$TMP/$sc.json" 2>"$TMP/$sc.err" || rc=$?
		[ "$rc" -le 2 ] && ! grep -q Sanitizer "$TMP/$sc.err" && pass "$sc: the audit exits with its verdict ($rc)" ||
			fail "$sc: the audit exits with its verdict" "exit $rc" "$(head -c 600 "$TMP/$sc.err")"
	fi
	for pair in "$@"; do
		expect_status "$TMP/$sc.json" "$check" "${pair%=*}" "${pair#*=}" "$sc: $check on ${pair%=*} is ${pair#*=}"
	done
}
check_scenario memory-degraded killswitch.memory_degraded 0000:81:00.0=fail 0000:82:00.0=warn 0000:c1:00.0=pass 0000:c2:00.0=skip
jq_is "$(printf '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:81:00.0")) | .evidence | "\\(.card_id)/\\(.chip_id) \\(."ecc.memory") \\(."ecc.double_bit_errors") \\(."ecc.isolated_pages.double_bit")"] | .[0]')" \
	"0/0 hbm 2 1" "memory-degraded: the HBM counts and the chip's npu-smi ids are the evidence" "$TMP/memory-degraded.json"
jq_is '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:81:00.0")) | .remediation | test("npu-smi info -t ecc -i ID -c CHIP") and test("0000:81:00.0")] | .[0]' \
	true "memory-degraded: the npu-smi command to inspect it, for this chip" "$TMP/memory-degraded.json"
jq_is "$(printf '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:82:00.0")) | .evidence."ecc.next_isolated_pages.double_bit"] | .[0]')" \
	1 "memory-degraded: a page to isolate next is a pending retirement" "$TMP/memory-degraded.json"
jq_is "$(printf '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:c2:00.0")) | .message] | .[0]')" \
	"Memory health unknown: row remapping not exposed by DCMI (no row repair state); page retirement no permission (run as root); ECC no permission (run as root)" \
	"memory-degraded: ECC unreadable is a skip with the reason" "$TMP/memory-degraded.json"

check_scenario device-lost killswitch.device_lost 0000:81:00.0=fail 0000:82:00.0=fail 0000:c1:00.0=pass host=fail,fail
jq_is "$(printf '[.findings[] | select(.check == "killswitch.device_lost" and any(.subjects[]; . == "host")) | .message] | join(" | ")')" \
	"DCMI device 3 cannot be reached: no PCI address: no permission (run as root) | DCMI device 4 cannot be reached: no chip count: the device does not exist" \
	"device-lost: the unreachable chips named" "$TMP/device-lost.json"
jq_is '[.findings[] | select(.check == "killswitch.device_lost" and any(.subjects[]; . == "host")) | .remediation | test("npu-smi info")] | all' \
	true "device-lost: unreachable chips say which tool shows them" "$TMP/device-lost.json"
with device-lost -- "$CHIPAUDIT" facts >"$TMP/lost.json"
jq_is '[.accelerators[] | .vendor_library.dcmi | "\(.health)/\(.lost)"] | join(" ")' "absent/true null/true critical_alarm/false" \
	"device-lost: health 0xFFFFFFFF and the 'does not exist' code make a chip lost; critical health does not" "$TMP/lost.json"
jq_is '.accelerators[2].vendor_library.dcmi.error_codes | map("\(.code) \(.text)") | join(", ")' \
	"2162169857 HBM multi-bit ECC error, 2160820233 null" "device-lost: error codes with DCMI's text where it gives one" "$TMP/lost.json"
jq_is '.dcmi.unreachable_devices | map("\(.index) \(.card_id) \(.chip_id)") | join(", ")' "3 3 0, 4 9 null" \
	"device-lost: unreachable chips keep their card and chip ids" "$TMP/lost.json"

check_scenario identity-mismatch identity.mismatch 0000:81:00.0=fail 0000:82:00.0=fail 0000:c1:00.0=pass 0000:c2:00.0=warn 0000:a1:00.0=fail
jq_is "$(printf '[.findings[] | select(.check == "identity.mismatch") | .message] | join(" | ")')" \
	"DCMI names this NPU \"Ascend 910B2\", its PCI ID 19e5:d801 is the Ascend 910 | DCMI names this NPU \"Ascend 910\", its PCI ID 19e5:d802 is the Ascend 910B | DCMI's name \"Ascend 910B3\" is the Ascend 910B3, a variant of the Ascend 910B that answers on its PCI ID 19e5:d802 (the database's variant_of) | DCMI's name \"Ascend 910B1\" is in no entry of the database; it extends \"910B\" of the Ascend 910B its PCI ID 19e5:d802 is, as a variant sharing that ID would, but that cannot be confirmed | DCMI names this NPU \"Ascend 910B4\", its PCI ID 19e5:d801 is the Ascend 910" \
	"identity-mismatch: the chip's name against its PCI ID; the 910B's variants on its ID" "$TMP/identity-mismatch.json"
jq_is '[.findings[] | select(.check == "identity.mismatch" and .status == "fail") | .remediation | test("npu-smi info -t board")] | all' \
	true "identity-mismatch: npu-smi shows the same" "$TMP/identity-mismatch.json"

check_scenario vnpu killswitch.mig_changed 0000:81:00.0=warn 0000:82:00.0=pass
jq_is "$(printf '[.findings[] | select(.check == "killswitch.mig_changed") | .message] | join(" | ")')" \
	"vNPU on with 2 instances where none is expected (no --expect-mig policy) | vNPU off, as expected" \
	"vnpu: vNPUs named as such" "$TMP/vnpu.json"
with vnpu -- "$CHIPAUDIT" facts >"$TMP/vnpu-f.json"
echo '{"gpus": {"0000:81:00.0": ["vir05_1c_16g", "vir05_1c_16g"], "*": false}}' >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/vnpu-f.json" >"$TMP/p.json"
expect_status "$TMP/p.json" killswitch.mig_changed 0000:81:00.0 pass "vnpu: the templates the policy expects pass"
expect_status "$TMP/p.json" killswitch.mig_changed 0000:82:00.0 pass "vnpu: none where the policy says none"
echo '{"gpus": {"*": ["vir10_3c_32g"]}}' >"$TMP/policy.json"
"$CHIPAUDIT" judge --json --expect-mig "$TMP/policy.json" "$TMP/vnpu-f.json" >"$TMP/p.json"
expect_status "$TMP/p.json" killswitch.mig_changed 0000:81:00.0 fail "vnpu: other templates than the policy's fail"
expect_status "$TMP/p.json" killswitch.mig_changed 0000:82:00.0 fail "vnpu: no vNPU where the policy expects one fails"

for sc in memory-degraded device-lost identity-mismatch vnpu; do
	jq_is '[.findings[] | select(.status == "fail" or .status == "warn") | .remediation | select(. == null)] | length' 0 \
		"$sc: every warning and failure says what clears it" "$TMP/$sc.json"
done

# --- an old driver: only the older names and layouts
with healthy-910b "$FAKE_OLD" -- "$CHIPAUDIT" facts >"$TMP/old.json"
jq_is '[.accelerators[].pci_address] | join(" ")' "$CHIPS" \
	"old driver: cards from dcmi_get_card_num_list, addresses from dcmi_get_device_pcie_info" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.dcmi | "\(.pci.api) \(.chip.api) \(.elabel.source) \(.error_codes_api) \(.clocks_mhz.aicore.current)/\(.clocks_mhz.aicore.rated)"' \
	"pcie_info chip_info card errorcode 1800/1800" "old driver: the fallbacks answered" "$TMP/old.json"
jq_is '.accelerators[0].vendor_library.dcmi.unavailable | "\(.vdie_id) / \(."ecc.next_isolated_pages.double_bit")"' \
	"function not in this DCMI (older driver) / not given by this DCMI (its ECC record ends before the pages to isolate next)" \
	"old driver: a missing function and a shorter record are reasons" "$TMP/old.json"
jq_is '.dcmi | "\(.driver_version) \(.missing_functions | index("dcmi_get_device_pcie_info_v2") != null)"' "25.2.0 true" \
	"old driver: the driver version from dcmi_get_version; missing functions listed" "$TMP/old.json"
"$CHIPAUDIT" judge --json "$TMP/old.json" >"$TMP/old-r.json"
jq_is "$(printf '[.findings[] | select(.check == "killswitch.memory_degraded" and any(.subjects[]; . == "0000:81:00.0")) | "\\(.status): \\(.message)"] | .[0]')" \
	"pass: No remapping failure, no pending repair, no uncorrectable error since the driver loaded; row remapping not examined: not exposed by DCMI (no row repair state); page retirement not examined: not given by this DCMI (its ECC record ends before the pages to isolate next)" \
	"old driver: the memory pass names what it could not examine" "$TMP/old-r.json"

# --- error returns and hostile values: null with the reason, never a crash
with error-returns -- "$CHIPAUDIT" facts >"$TMP/err.json"
expect_exit 2 "error returns: facts validate (the unreachable chips fail)" "$CHIPAUDIT" judge "$TMP/err.json"
jq_is '.dcmi.unreachable_devices | map("\(.index): \(.error)") | join(", ")' \
	"4: malformed PCI address from the library, 5: PCI address reported twice" "error returns: bad addresses make chips unreachable" "$TMP/err.json"
jq_is '.accelerators[0].vendor_library.dcmi.unavailable | "\(.health) / \(."ecc.double_bit_errors") / \(."vnpu.count")"' \
	"no permission (run as root) / no permission (run as root) / no permission (run as root)" "error returns: -8002 as no permission" "$TMP/err.json"
jq_is '.accelerators[1].vendor_library.dcmi.unavailable | "\(."chip.name") / \(."elabel.serial_number")"' \
	"malformed value from the library: not NUL-terminated / malformed value from the library: not NUL-terminated" \
	"error returns: unterminated strings refused" "$TMP/err.json"
jq_is '.accelerators[2].vendor_library.dcmi.unavailable | [."pci.device_id", .health, .error_codes, ."power_mw.draw", .temperature_c, ."clocks_mhz.aicore.current", ."ecc.enabled", ."utilization_pct.aicore", .processes, ."vnpu.count", ."network.health"] | join(" / ")' \
	"malformed value from the library: not a 16-bit PCI ID / unknown value 9 from the library / error count 200 out of range [0, 128] / value -500 out of range [0, 100000000] / value 5000 out of range [-100, 300] / value 200000 out of range [0, 100000] / unknown value 7 from the library / value 250 out of range [0, 100] / process count 99 out of range [0, 32] / value 40 out of range [0, 32] / unknown value 42 from the library" \
	"error returns: hostile values refused with the reason" "$TMP/err.json"
jq_is '.accelerators[3].vendor_library.dcmi.unavailable."chip.name"' "malformed value from the library" \
	"error returns: a control character in the chip name refused" "$TMP/err.json"
jq_is '.accelerators[4].vendor_library.dcmi.unavailable.health' "DCMI error -4242" "error returns: an unknown code" "$TMP/err.json"
jq_is '.dcmi.unavailable.driver_version' "no permission (run as root)" "error returns: system call errors" "$TMP/err.json"
with bad-card-count -- "$CHIPAUDIT" facts >"$TMP/cards.json"
jq_is '.dcmi | "\(.card_count) \(.unavailable.card_count) \(.gpus | length)"' "null card count 99 out of range [0, 64] 0" \
	"a card count out of range: no chip read past the list" "$TMP/cards.json"

# --- NVML and DCMI at once: each backend describes its own accelerators
CHIPAUDIT_NVML_LIBRARY=$FAKE_NVML FAKE_NVML_SCENARIO="$SRCDIR/tests/fake-nvml/scenarios/healthy-h20.json" \
	with healthy-910b -- "$CHIPAUDIT" audit --json >"$TMP/both.json"
jq_is '[.accelerators[] | "\(.vendor)/\(.runtime.backend)"] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' \
	"Huawei/dcmi=8 NVIDIA/nvml=8" "NVML and DCMI: sixteen accelerators, each described by its vendor's library" "$TMP/both.json"
jq_is "[.findings[] | $KS | select(.status == \"fail\" or .status == \"warn\")] | length" 0 \
	"NVML and DCMI: no kill-switch failure on healthy machines" "$TMP/both.json"

# --- snapshots: DCMI's answers captured; --root never loads the live library
with healthy-910b -- "$CHIPAUDIT" snapshot -o "$TMP/s.tar.gz" 2>/dev/null
mkdir -p "$TMP/snap"; tar -xzf "$TMP/s.tar.gz" -C "$TMP/snap"
jq_is '.devices | length' 8 "snapshot: DCMI's answers captured" "$TMP/snap/var/lib/chipaudit-capture/dcmi.json"
with healthy-910b -- "$CHIPAUDIT" facts | jq -S 'del(.source)' >"$TMP/a.json"
with init-fails -- "$CHIPAUDIT" facts --root "$TMP/snap" | jq -S 'del(.source)' >"$TMP/b.json"
if diff "$TMP/a.json" "$TMP/b.json" >"$TMP/diff"; then pass "snapshot: the capture audits as the live machine"; else fail "snapshot: the capture audits as the live machine" "$(head -c 800 "$TMP/diff")"; fi
with healthy-910b -- "$CHIPAUDIT" facts --root "$FIXTURES/mixed/root" >"$TMP/f.json"
jq_is '.dcmi.reason | test("not in the captured tree")' true "--root: the live DCMI is not consulted" "$TMP/f.json"
jq_is '[.limitations[] | select(.source == "dcmi") | .reason | test("cannot examine the Huawei GPUs")] | .[0]' true \
	"--root without a capture: the Ascend chip not examined is a limitation" "$TMP/f.json"

# captures put into a copy of the mixed fixture (an H100, an MI300X and an Ascend 910B at 0000:81:00.0)
fixture_with() { # SCENARIO: a copy of the mixed fixture with SCENARIO's capture in $TMP/tree
	rm -rf "$TMP/tree" "$TMP/x"; cp -a "$FIXTURES/mixed/root" "$TMP/tree"; mkdir -p "$TMP/x" "$TMP/tree/var/lib/chipaudit-capture"
	with "$1" -- "$CHIPAUDIT" snapshot -o "$TMP/x.tar.gz" 2>/dev/null
	tar -xzf "$TMP/x.tar.gz" -C "$TMP/x" var/lib/chipaudit-capture/dcmi.json
	cp "$TMP/x/var/lib/chipaudit-capture/dcmi.json" "$TMP/tree/var/lib/chipaudit-capture/dcmi.json"
}
fixture_with healthy-910b
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
jq_is '.accelerators[] | select(.pci_address == "0000:81:00.0") | "\(.seen_through) \(.driver) \(.vendor_library.dcmi.chip.name)"' \
	"pci devdrv_device_driver 910B2" "mixed: DCMI's facts joined to the Ascend the PCI bus shows" "$TMP/r.json"
jq_is "$(printf '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:81:00.0")) | .message] | .[0]')" \
	"DCMI's name \"Ascend 910B2\" and PCI ID 19e5:d802 agree with the PCI bus and the database (Ascend 910B)" \
	"mixed: identity agrees with the PCI bus" "$TMP/r.json"
expect_status "$TMP/r.json" killswitch.device_lost 0000:81:00.0 pass "mixed: the joined chip is reachable"
fixture_with identity-mismatch
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
jq_is "$(printf '[.findings[] | select(.check == "identity.mismatch" and any(.subjects[]; . == "0000:81:00.0")) | .message] | .[0]')" \
	"DCMI reports PCI ID 19e5:d801, the PCI bus shows 19e5:d802" "identity-mismatch: DCMI's PCI ID against the PCI bus" "$TMP/r.json"
# a chip the bus shows and DCMI does not list, bound to the Ascend driver: a warning
fixture_with vnpu
jq '.devices |= map(select(.pci_address != "0000:81:00.0"))' "$TMP/tree/var/lib/chipaudit-capture/dcmi.json" >"$TMP/c.json"
cp "$TMP/c.json" "$TMP/tree/var/lib/chipaudit-capture/dcmi.json"
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
expect_status "$TMP/r.json" killswitch.device_lost 0000:81:00.0 warn "mixed: an Ascend on the bus that DCMI does not list is a warning"
jq_is "$(printf '[.findings[] | select(.check == "killswitch.device_lost" and any(.subjects[]; . == "0000:81:00.0")) | .message] | .[0]')" \
	"The PCI bus shows this Huawei NPU but DCMI does not list it: the driver did not initialise it, or it is hidden from this namespace" \
	"mixed: the unlisted chip said in words" "$TMP/r.json"

# --- hostile captures: one line naming the file and the member, exit 65
fixture_with healthy-910b
cp "$TMP/tree/var/lib/chipaudit-capture/dcmi.json" "$TMP/good-capture.json"
cap_bad() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$TMP/good-capture.json" >"$TMP/tree/var/lib/chipaudit-capture/dcmi.json"
	expect_exit 65 "capture with $1" "$CHIPAUDIT" facts --root "$TMP/tree"
	expect_stderr_line "$3" "capture with $1: named"
}
cap_bad available-string '.available = "yes"' 'dcmi.json: dcmi.available: expected true or false'
cap_bad power-negative '.devices[0].power_mw.draw = -5' 'dcmi.json: dcmi.devices\[0\].power_mw.draw: -5 out of range'
cap_bad address '.devices[1].pci_address = "../../etc"' 'dcmi.devices\[1\].pci_address: "../../etc" is not a PCI address'
cap_bad duplicate '.devices[1].pci_address = .devices[0].pci_address' 'dcmi.devices\[1\].pci_address: 0000:81:00.0 listed twice'
cap_bad health '.devices[0].health = "fine"' 'dcmi.devices\[0\].health: "fine" is not a known value'
cap_bad vnpu-count '.devices[0].vnpu.count = 3' 'dcmi.devices\[0\].vnpu.instances: 0 listed, vnpu.count says 3'
cap_bad error-codes '.devices[0].error_codes = [{"code": "x"}]' 'dcmi.devices\[0\].error_codes\[0\].code: expected an integer'
cap_bad unavailable '.devices[0].unavailable = {"x.y": "why"}' 'dcmi.devices\[0\].unavailable: "x.y" is not a member'
cap_bad devices '.devices = {}' 'dcmi.devices: expected an array'
cap_bad unavailable-with-devices '.available = false' 'dcmi.devices: devices listed where DCMI was not available'
cap_bad not-printable '.devices[0].chip.name = "910B\u001b[31m"' 'dcmi.devices\[0\].chip.name: not printable text'
cap_bad pci-id '.devices[0].pci.device_id = "D802"' 'dcmi.devices\[0\].pci.device_id: expected 4 lowercase hex digits'
cap_bad lost '.devices[0].lost = "no"' 'dcmi.devices\[0\].lost: expected true or false'
head -c 300 "$TMP/good-capture.json" >"$TMP/tree/var/lib/chipaudit-capture/dcmi.json"
expect_exit 65 "truncated capture" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line "var/lib/chipaudit-capture/dcmi.json:[0-9]+:[0-9]+: " "truncated capture: file, line and column"
printf '' >"$TMP/tree/var/lib/chipaudit-capture/dcmi.json"
expect_exit 65 "empty capture" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line "var/lib/chipaudit-capture/dcmi.json" "empty capture: the file named"

# --- hostile facts files
cp "$TMP/good-capture.json" "$TMP/tree/var/lib/chipaudit-capture/dcmi.json"
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/good.json"
i81=$(jq '[.accelerators[].pci_address] | index("0000:81:00.0")' "$TMP/good.json")
facts_bad() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$TMP/good.json" >"$TMP/$1.json"
	expect_exit 65 "facts with $1" "$CHIPAUDIT" judge "$TMP/$1.json"
	expect_stderr_line "$1.json: $3" "facts with $1: named"
}
facts_bad dcmi-gpus '.dcmi.gpus += ["0000:99:00.0"]' 'dcmi.gpus\[8\]: 0000:99:00.0 is not an accelerator with DCMI facts'
facts_bad dcmi-address ".accelerators[$i81].vendor_library.dcmi.pci_address = \"0000:82:00.0\"" \
	"accelerators\[$i81\].vendor_library.dcmi.pci_address: 0000:82:00.0 is not the accelerator's address"
facts_bad dcmi-ecc ".accelerators[$i81].vendor_library.dcmi.ecc.double_bit_errors = -1" \
	"accelerators\[$i81\].vendor_library.dcmi.ecc.double_bit_errors: -1 out of range"
facts_bad dcmi-count '.dcmi.gpus = .dcmi.gpus[1:]' 'dcmi.gpus: lists 7 GPUs, the accelerators carry DCMI facts for 8'
facts_bad dcmi-twice ".accelerators[$i81].vendor_library.nvml = {}" \
	"accelerators\[$i81\].vendor_library.nvml: its section is missing|more than one vendor library"
# the record is made from DCMI's values on every read: a forged one is not believed
jq ".accelerators[$i81].runtime.lost = true | .accelerators[$i81].runtime.memory.uncorrectable_errors = 9" "$TMP/good.json" >"$TMP/forged.json"
findings() { "$CHIPAUDIT" judge --json "$1" | jq -S '[.findings[] | {check, status, subjects, message}]'; }
if cmp -s <(findings "$TMP/good.json") <(findings "$TMP/forged.json"); then pass "runtime: a forged DCMI record is not believed"
else fail "runtime: a forged DCMI record is not believed" "$(diff <(findings "$TMP/good.json") <(findings "$TMP/forged.json") | head -20)"; fi

# --- --vendor-library names the backend
expect_exit 64 "--vendor-library: an unknown library" "$CHIPAUDIT" facts --vendor-library ascend=/x
expect_stderr_line "^chipaudit: --vendor-library ascend=/x: expected NAME=PATH with NAME one of:( [a-z]+)* dcmi( [a-z]+)*$" \
	"--vendor-library: dcmi among the known names"

# --- the NPU's own state: health with its error codes, and its RoCE port
# (killswitch_npu.c). npu-alarms: a minor alarm (warn), ok with a code standing
# (warn), a major alarm (fail); the RoCE port unreachable (fail), its detection
# not started for want of an address (warn), a fault (fail).
with npu-alarms -- "$CHIPAUDIT" audit --json --no-history >"$TMP/npu.json" 2>/dev/null
for want in 81:00.0=warn,pass 82:00.0=warn,pass c1:00.0=fail,pass c2:00.0=pass,fail a1:00.0=pass,warn a2:00.0=pass,fail; do
	addr=0000:${want%%=*} st=${want#*=}
	expect_status "$TMP/npu.json" killswitch.npu_health "$addr" "${st%,*}" "npu-alarms: killswitch.npu_health on $addr is ${st%,*}"
	expect_status "$TMP/npu.json" killswitch.npu_network "$addr" "${st#*,}" "npu-alarms: killswitch.npu_network on $addr is ${st#*,}"
done
expect_message "$TMP/npu.json" killswitch.npu_health 0000:82:00.0 "Health ok; error codes standing: 0x80CB8009" \
	"npu-alarms: a standing code named"
expect_message "$TMP/npu.json" killswitch.npu_network 0000:c2:00.0 "RoCE port unhealthy: unreachable" "npu-alarms: the port's state named"
expect_message "$TMP/npu.json" killswitch.npu_network 0000:a1:00.0 "RoCE port not checked by DCMI's detection: ip_not_set" \
	"npu-alarms: detection not started is a warning, not a pass"
jq_is '[.findings[] | select(.check == "killswitch.npu_network" and .status == "fail") | .remediation | test("hccn_tool -i ID -net_health -g")] | unique | join(",")' \
	true "npu-alarms: the remedy names hccn_tool" "$TMP/npu.json"
# device-lost: a critical alarm with its codes and their texts fails; an
# absent chip and one that does not exist are skips that point to device_lost.
with device-lost -- "$CHIPAUDIT" audit --json --no-history >"$TMP/npu-lost.json" 2>/dev/null
expect_message "$TMP/npu-lost.json" killswitch.npu_health 0000:c1:00.0 \
	"Health critical_alarm; error codes: 0x80E01801 (HBM multi-bit ECC error), 0x80CB8009" "device-lost: critical alarm with its codes"
expect_status "$TMP/npu-lost.json" killswitch.npu_health 0000:81:00.0 skip "device-lost: an absent chip's health is a skip"
expect_status "$TMP/npu-lost.json" killswitch.npu_network 0000:82:00.0 skip "device-lost: a lost chip's port is not asked: skip"
# error-returns: hostile values (health 9, network 42) and refused calls are
# skips with the reason, never passes.
with error-returns -- "$CHIPAUDIT" audit --json --no-history >"$TMP/npu-err.json" 2>/dev/null
expect_message "$TMP/npu-err.json" killswitch.npu_health 0000:c1:00.0 "Health unknown: unknown value 9 from the library" \
	"error-returns: a health value out of range is unknown"
expect_message "$TMP/npu-err.json" killswitch.npu_network 0000:c1:00.0 "RoCE port health unknown: unknown value 42 from the library" \
	"error-returns: a network value out of range is unknown"
expect_message "$TMP/npu-err.json" killswitch.npu_health 0000:81:00.0 "Health unknown: no permission (run as root)" \
	"error-returns: a refused call is a skip with its reason"
# No Ascend at all (the NVIDIA-only h100 fixture): no finding of these checks.
"$CHIPAUDIT" audit --root "$FIXTURES/h100/root" --json --no-history >"$TMP/npu-none.json" 2>/dev/null || true
jq_is '[.findings[] | select(.check | startswith("killswitch.npu"))] | length' 0 \
	"no Ascend NPU: these checks have no subject" "$TMP/npu-none.json"
finish
