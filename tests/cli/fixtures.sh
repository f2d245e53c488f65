#!/usr/bin/env bash
# Each fixture tree produces exactly the facts and findings recorded beside it
# (tests/fixtures/NAME/expected-facts.json and expected-findings.json; rebuild
# them with tests/fixtures/regen-expected.sh and review the diff).
. "$(dirname "$0")/lib.sh"

for dir in "$FIXTURES"/*/; do
	fx=$(basename "$dir")
	[ -f "$dir/expected-facts.json" ] || continue
	"$CHIPAUDIT" facts --root "$dir/root" >"$TMP/facts.json" 2>"$TMP/err"
	if diff -u "$dir/expected-facts.json" "$TMP/facts.json" >"$TMP/diff"; then
		pass "$fx: facts as expected"
	else
		fail "$fx: facts as expected" "$(head -c 1500 "$TMP/diff")"
	fi
	if [ -f "$dir/expected-findings.json" ]; then
		"$CHIPAUDIT" judge --json "$TMP/facts.json" >"$TMP/report.json"
		jq -S '[.findings[] | {check, status, subject: .subjects[]}]' "$TMP/report.json" >"$TMP/findings.json"
		if diff -u <(jq -S . "$dir/expected-findings.json") "$TMP/findings.json" >"$TMP/diff"; then
			pass "$fx: findings as expected"
		else
			fail "$fx: findings as expected" "$(head -c 1500 "$TMP/diff")"
		fi
	fi
done

# Spot checks that say in words what the expected files hold.
"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" >"$TMP/h20.json"
jq_is '[.accelerators[].model] | unique | join(",")' "H20" "h20x8: eight H20, nothing else" "$TMP/h20.json"
jq_is '.accelerators | length' 8 "h20x8: NVSwitches, BMC display and NICs are not accelerators" "$TMP/h20.json"
jq_is '.accelerators[0].upstream_bridges | join(" ")' "0000:15:01.0 0000:16:00.0 0000:17:00.0" "h20x8: bridges above the first GPU" "$TMP/h20.json"
jq_is '.accelerators[0].bars | map("\(.index):\(.size)") | join(" ")' "0:16777216 1:137438953472 3:33554432" "h20x8: BAR sizes" "$TMP/h20.json"
jq_is '.accelerators[0].expansion_rom.size' 524288 "h20x8: expansion ROM" "$TMP/h20.json"
jq_is '.accelerators[4].numa_node' 1 "h20x8: fifth GPU on NUMA node 1" "$TMP/h20.json"
jq_is '.accelerators[0].link | "\(.current_speed_gts) x\(.current_width)"' "32 x16" "h20x8: Gen5 x16 link" "$TMP/h20.json"

"$CHIPAUDIT" facts --root "$FIXTURES/mixed/root" >"$TMP/mixed.json"
jq_is '[.accelerators[] | "\(.vendor) \(.model)"] | join(", ")' "NVIDIA H100 SXM, AMD MI300X, Huawei Ascend 910B, Intel Habana Gaudi2" "mixed: four vendors" "$TMP/mixed.json"
jq_is '.accelerators[1].sriov | "\(.total_vfs)/\(.enabled_vfs)"' "1/0" "mixed: MI300X SR-IOV state" "$TMP/mixed.json"

"$CHIPAUDIT" facts --root "$FIXTURES/vm/root" >"$TMP/vm.json"
jq_is '.accelerators | length' 0 "vm: virtio devices are not accelerators" "$TMP/vm.json"
jq_is '.host.hostname' vm "vm: hostname" "$TMP/vm.json"

# Unknown is not none. A capture of the eight-H20 host without
# /sys/bus/pci/devices (a container's view, or a snapshot taken where it was
# mode 000): its GPUs are seen through NVML only, and /sys/class/iommu still
# lists two units. Nothing can be said of accelerators or their IOMMU groups:
# an error, and skips that say why, never "no accelerator" or "in no group".
cp -a "$FIXTURES/h20x8/root" "$TMP/nopci"
rm -rf "$TMP/nopci/sys/bus/pci/devices"
expect_exit 2 "PCI bus unreadable: the audit cannot pass" "$CHIPAUDIT" audit --root "$TMP/nopci" --json
cp "$TMP/out" "$TMP/nopci.json"
jq_is '.facts.pci_bus | "\(.readable) \(.reason)"' "false /sys/bus/pci/devices: No such file or directory" \
	"PCI bus unreadable: the facts say so and why" "$TMP/nopci.json"
jq_is '[.findings[] | select(.check == "host.inventory") | .status] | join(",")' "error" \
	"PCI bus unreadable: host.inventory is an error" "$TMP/nopci.json"
jq_is '[.findings[] | select(.check | startswith("backdoor.iommu.")) | .status] | unique | join(",")' "skip" \
	"PCI bus unreadable, IOMMU units listed: the IOMMU checks skip" "$TMP/nopci.json"
jq_is '[.findings[] | select(.check == "backdoor.iommu.absent") | .message] | sort | join(" | ")' \
	"Seen through nvml only: sysfs does not show the device, so its IOMMU group cannot be examined | The PCI bus could not be listed (/sys/bus/pci/devices: No such file or directory): which devices the IOMMU must confine is unknown" \
	"PCI bus unreadable: backdoor.iommu.absent says why for the host and the GPUs" "$TMP/nopci.json"
jq_is '[.findings[] | select(.status == "pass" and (.check | startswith("backdoor.pci."))) | .check] | join(",")' "" \
	"PCI bus unreadable: no PCI layout check passes on what sysfs did not show" "$TMP/nopci.json"

finish
