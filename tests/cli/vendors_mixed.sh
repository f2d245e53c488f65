#!/usr/bin/env bash
# Every vendor backend at once on tests/fixtures/mixed (an H100 at
# 0000:01:00.0, an MI300X at 0000:41:00.0, an Ascend 910B at 0000:81:00.0,
# a Gaudi2 at 0000:b4:00.0):
# each fake library (NVML, AMD SMI, DCMI, HLML) answers through the real
# dlopen path of `chipaudit snapshot`, its capture is put into a copy of the
# fixture, and the copy is judged with all four captures read back at once.
# Arguments: the fake NVML, AMD SMI, DCMI and HLML libraries.
. "$(dirname "$0")/lib.sh"
NVML=$(realpath "${1:?fake NVML}") AMDSMI=$(realpath "${2:?fake AMD SMI}")
DCMI=$(realpath "${3:?fake DCMI}") HLML=$(realpath "${4:?fake HLML}")
unset CHIPAUDIT_NVML_LIBRARY CHIPAUDIT_AMDSMI_LIBRARY CHIPAUDIT_DCMI_LIBRARY CHIPAUDIT_HLML_LIBRARY
unset FAKE_NVML_SCENARIO FAKE_AMDSMI_SCENARIO FAKE_DCMI_SCENARIO FAKE_HLML_SCENARIO
CAPS=var/lib/chipaudit-capture
KS='select(.check | test("^killswitch\\.(compute_prohibited|gpu_operation_mode|drain|cc_not_ready|device_lost|power_capped|clocks_capped|throttle_active|memory_degraded|vgpu_unlicensed|mig_changed)$") or . == "identity.mismatch")'
verdicts() { # FILE SUBJECT: CHECK=STATUS of every finding on SUBJECT, sorted
	jq -r --arg s "$2" "[.findings[] | $KS | select(any(.subjects[]; . == \$s)) | \"\(.check | sub(\"^killswitch.\"; \"\"))=\(.status)\"] | sort | join(\" \")" "$1"
}
expect_verdicts() { # FILE SUBJECT EXPECTED NAME
	local got want; got=$(verdicts "$1" "$2"); want=$(tr ' ' '\n' <<<"$3" | LC_ALL=C sort | paste -sd' ')
	if [ "$got" = "$want" ]; then pass "$4"; else fail "$4" "$2: '$got', expected '$want'"; fi
}
# capture NAME JQ ENV...: NAME's capture from a snapshot taken with ENV, filtered by JQ, into the tree
capture() {
	local name=$1 filter=$2; shift 2
	rm -rf "$TMP/x"; mkdir -p "$TMP/x"
	env "$@" "$CHIPAUDIT" snapshot -o "$TMP/x.tar.gz" 2>/dev/null
	tar -xzf "$TMP/x.tar.gz" -C "$TMP/x" "$CAPS/$name.json"
	jq "$filter" "$TMP/x/$CAPS/$name.json" >"$TMP/tree/$CAPS/$name.json"
}
rm -rf "$TMP/tree"; cp -a "$FIXTURES/mixed/root" "$TMP/tree"; mkdir -p "$TMP/tree/$CAPS"
# NVML: the healthy H100 PCIe's first GPU, made the fixture's H100 SXM (its
# address, PCI IDs and the name NVML gives an H100 SXM)
capture nvml '.devices = [.devices[0] | .pci_address = "0000:01:00.0" | .bus_id = "00000000:01:00.0" | .pci.device_id = "2330" | .pci.subsystem_device_id = "16c1" | .name = "NVIDIA H100 80GB HBM3"] | .device_count = 1' \
	CHIPAUDIT_NVML_LIBRARY="$NVML" FAKE_NVML_SCENARIO="$SRCDIR/tests/fake-nvml/scenarios/healthy-h100.json"
# AMD SMI and DCMI: the devices at the fixture's MI300X and 910B addresses
capture amdsmi '.devices |= map(select(.pci_address == "0000:41:00.0"))' \
	CHIPAUDIT_AMDSMI_LIBRARY="$AMDSMI" FAKE_AMDSMI_SCENARIO="$SRCDIR/tests/fake-amdsmi/scenarios/healthy-mi300x.json"
capture dcmi '.' CHIPAUDIT_DCMI_LIBRARY="$DCMI" FAKE_DCMI_SCENARIO="$SRCDIR/tests/fake-dcmi/scenarios/healthy-910b.json"
# HLML: the healthy scenario's device at the fixture's Gaudi2 address
capture hlml '.devices |= map(select(.pci_address == "0000:b4:00.0")) | .device_count = 1' CHIPAUDIT_HLML_LIBRARY="$HLML" FAKE_HLML_SCENARIO="$SRCDIR/tests/fake-hlml/scenarios/healthy.json"

"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json"
jq_is '[.nvml, .amdsmi, .dcmi, .hlml | "\(.available):\(.gpus | length)"] | join(" ")' "true:1 true:1 true:8 true:1" \
	"all four captures read back at once" "$TMP/f.json"
"$CHIPAUDIT" audit --root "$TMP/tree" --json >"$TMP/r.json"
jq_is '[.accelerators[] | "\(.vendor)/\(.runtime.backend)/\(.seen_through // "pci")"] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' \
	"AMD/amdsmi/pci=1 Huawei/dcmi/dcmi=7 Huawei/dcmi/pci=1 Intel Habana/hlml/pci=1 NVIDIA/nvml/pci=1" \
	"each accelerator described by its vendor's library, the fixture's four joined to the PCI bus" "$TMP/r.json"
expect_verdicts "$TMP/r.json" 0000:01:00.0 \
	"cc_not_ready=pass clocks_capped=pass compute_prohibited=pass device_lost=pass drain=pass gpu_operation_mode=skip identity.mismatch=pass memory_degraded=pass mig_changed=pass power_capped=pass throttle_active=pass vgpu_unlicensed=pass" \
	"the H100, judged on NVML's capture"
expect_verdicts "$TMP/r.json" 0000:41:00.0 \
	"cc_not_ready=skip clocks_capped=pass compute_prohibited=skip device_lost=pass drain=skip gpu_operation_mode=skip identity.mismatch=pass memory_degraded=pass mig_changed=pass power_capped=pass throttle_active=pass vgpu_unlicensed=skip" \
	"the MI300X, judged on AMD SMI's capture"
for d in 0000:81:00.0 0000:82:00.0; do
	expect_verdicts "$TMP/r.json" "$d" \
		"cc_not_ready=skip clocks_capped=skip compute_prohibited=skip device_lost=pass drain=skip gpu_operation_mode=skip identity.mismatch=pass memory_degraded=pass mig_changed=pass power_capped=skip throttle_active=skip vgpu_unlicensed=skip" \
		"the Ascend chip $d, judged on DCMI's capture"
done
for d in 0000:b4:00.0; do
	expect_verdicts "$TMP/r.json" "$d" \
		"cc_not_ready=skip clocks_capped=skip compute_prohibited=skip device_lost=pass drain=skip gpu_operation_mode=skip identity.mismatch=pass memory_degraded=pass mig_changed=skip power_capped=skip throttle_active=pass vgpu_unlicensed=skip" \
		"the Gaudi2 $d, judged on HLML's capture"
done
jq_is "[.findings[] | $KS | select(.status == \"fail\" or .status == \"warn\")] | length" 0 \
	"no kill-switch or identity warning or failure on four healthy libraries" "$TMP/r.json"
jq_is "[.findings[] | $KS | select(any(.subjects[]; . == \"host\"))] | length" 0 "no device unreachable" "$TMP/r.json"
finish
