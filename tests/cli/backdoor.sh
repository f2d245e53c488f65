#!/usr/bin/env bash
# Backdoor exposure: one fixture tree per planted condition gives
# exactly the findings that condition calls for, and the clean server none
# that fail. Module and firmware hashes are of real files in the trees;
# malformed kernel files, module trailers, configuration space, manifests
# and bulletins are named in one line with a sysexits code.
. "$(dirname "$0")/lib.sh"

MANIFEST="$FIXTURES/backdoor-clean/manifest.json"

# nonpass FIXTURE [JUDGE-OPTION...]: the findings of the issue-4 checks
# (backdoor.*, but not evidence's backdoor.drift.*, which compares with an
# earlier report and is tested in drift.sh) that are not a pass, "status
# check subject" sorted, into $TMP/nonpass; the report in $TMP/report.json
# and the facts in $TMP/facts.json.
nonpass() {
	local fx=$1; shift
	if ! "$CHIPAUDIT" facts --root "$FIXTURES/$fx/root" >"$TMP/facts.json" 2>"$TMP/err"; then
		echo "facts failed: $(cat "$TMP/err")" >"$TMP/nonpass"
		return
	fi
	"$CHIPAUDIT" judge --json "$@" "$TMP/facts.json" >"$TMP/report.json" 2>"$TMP/err"
	jq -r '.findings[] | select(.check | startswith("backdoor.") and (startswith("backdoor.drift.") | not)) | select(.status != "pass") | .subjects[] as $s | "\(.status) \(.check) \($s)"' \
		"$TMP/report.json" | sort >"$TMP/nonpass"
}

# expect_nonpass NAME LINES: $TMP/nonpass holds exactly LINES (any order).
expect_nonpass() {
	printf '%s\n' "$2" | sort >"$TMP/want"
	if diff -u "$TMP/want" "$TMP/nonpass" >"$TMP/diff"; then pass "$1"; else fail "$1" "$(head -c 1500 "$TMP/diff")"; fi
}

# What the clean server gives that is not a pass: the H20's ROM and SR-IOV
# are not stated in data/ (unknown is not pass), and NVIDIA's modules are
# out of tree (taint O).
CLEAN="skip backdoor.pci.rom 0000:18:00.0
skip backdoor.pci.rom 0000:9a:00.0
skip backdoor.pci.sriov 0000:18:00.0
skip backdoor.pci.sriov 0000:9a:00.0
warn backdoor.kernel.tainted host"

nonpass backdoor-clean --manifest "$MANIFEST"
expect_nonpass "clean: only the unknown layout parts and the O taint" "$CLEAN"
jq_is '[.findings[] | select(.status == "fail")] | length' 0 "clean: no check fails" "$TMP/report.json"
jq_is '.trust.label' '3!' "clean: trust level 3, with the taint as runtime issue" "$TMP/report.json"
jq_is '[.trust.levels[] | select(.met)] | length' 3 "clean: levels 1-3 met" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.module.integrity") | .message | test("signed by chipaudit test Secure Boot Module Signature key .*matches the golden manifest")] | all' true \
	"clean: every module signed, verified and matching the manifest" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.module.integrity")] | length' 4 "clean: the four NVIDIA modules examined" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.firmware.integrity")][0].message' \
	"All 2 firmware files in /lib/firmware/nvidia/580.159.03 match the golden manifest" "clean: firmware matches" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.driver.cve")][0].message' \
	"Driver nvidia 580.159.03 is at or above the fix in every bulletin for branch R580 (9 bulletins)" "clean: driver 580.159.03 patched" "$TMP/report.json"
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/report.json" >"$TMP/v" 2>&1; then
	pass "clean: report with its trust summary validates against the schema"
else
	fail "clean: report validates against the schema" "$(cat "$TMP/v")"
fi

# The hashes are those of the files in the tree, as sha256sum computes them.
ok=1
while read -r path sha; do
	want=$(sha256sum "$FIXTURES/backdoor-clean/root$path" | cut -d' ' -f1)
	[ "$want" = "$sha" ] || { ok=0; echo "# $path: $sha, sha256sum says $want"; }
done < <(jq -r '(.modules.list[].file, .firmware[].files[]) | "\(.path) \(.sha256)"' "$TMP/facts.json")
if [ "$ok" = 1 ]; then pass "clean: module and firmware sha256 equal sha256sum's"; else fail "clean: sha256 equal sha256sum's"; fi
jq_is '[.modules.list[].file.compression] | unique | join(",")' zst "clean: DKMS modules are zstd-compressed" "$TMP/facts.json"
serial=$(openssl x509 -in "$FIXTURES/keys/module-signing.crt" -noout -serial | cut -d= -f2 | tr A-F a-f)
jq_is '[.modules.list[].file.signature | "\(.id_type) \(.hash) \(.key_id)"] | unique | join(",")' "PKCS#7 sha256 $serial" \
	"clean: signature trailer read from the decompressed module (type, digest, issuer serial)" "$TMP/facts.json"
jq_is '.pcie[0].bridges | map(.port_type) | join(",")' "root port,switch upstream port,switch downstream port" \
	"clean: port types from the PCI Express capability" "$TMP/facts.json"

nonpass backdoor-passthrough --manifest "$MANIFEST"
expect_nonpass "passthrough: iommu.passthrough fails for both GPUs" "$CLEAN
fail backdoor.iommu.passthrough 0000:18:00.0
fail backdoor.iommu.passthrough 0000:9a:00.0"
jq_is '[.findings[] | select(.check == "backdoor.iommu.passthrough")][0] | "\(.message | split(" ")[0:3] | join(" ")) \(.evidence.type) \(.evidence.cmdline | join(" "))"' \
	"IOMMU group 40 identity intel_iommu=on iommu.strict=1 iommu=pt" "passthrough: the group named, its type and the command-line words as evidence" "$TMP/report.json"
jq_is '.trust.level' 0 "passthrough: trust level 0" "$TMP/report.json"

nonpass backdoor-no-iommu --manifest "$MANIFEST"
expect_nonpass "no IOMMU: iommu.absent fails, group checks skip" "$CLEAN
fail backdoor.iommu.absent host
skip backdoor.iommu.passthrough 0000:18:00.0
skip backdoor.iommu.passthrough 0000:9a:00.0
skip backdoor.iommu.shared_group 0000:18:00.0
skip backdoor.iommu.shared_group 0000:9a:00.0"
jq_is '[.findings[] | select(.check == "backdoor.iommu.absent")][0].evidence | "\(.units | length) \(.cmdline | join(" ")) \(.accelerators_outside_iommu | length)"' \
	"0 intel_iommu=off 2" "no IOMMU: units, command line and ungrouped accelerators as evidence" "$TMP/report.json"

nonpass backdoor-shared-group --manifest "$MANIFEST"
expect_nonpass "shared group: shared_group and acs warn for the first GPU" "$CLEAN
warn backdoor.iommu.shared_group 0000:18:00.0
warn backdoor.pci.acs 0000:18:00.0"
jq_is '[.findings[] | select(.check == "backdoor.iommu.shared_group" and .status == "warn")][0].evidence.others | map("\(.name) \(.vendor_id):\(.device_id)") | join(",")' \
	"0000:19:00.0 15b3:1021" "shared group: the other member listed" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.pci.acs" and .status == "warn")][0].evidence.gaps[0].bridge' "0000:17:00.0" \
	"shared group: the downstream port without ACS named" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.pci.acs" and .status == "warn")][0].evidence | "\(.ports) \(.gaps | length) \(.unknown | length)"' \
	"3 1 0" "shared group: the ports examined counted, the one without ACS among them" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.iommu.shared_group" and .status == "warn")][0].evidence | keys | join(",")' \
	"others" "shared group: the other members as evidence (the group number is the accelerator's iommu_group)" "$TMP/report.json"

nonpass backdoor-ats --manifest "$MANIFEST"
expect_nonpass "ATS: pci.ats warns for the first GPU" "$CLEAN
warn backdoor.pci.ats 0000:18:00.0"

nonpass backdoor-extra-function --manifest "$MANIFEST"
expect_nonpass "extra function: pci.extra_function fails for the first GPU" "$CLEAN
fail backdoor.pci.extra_function 0000:18:00.0"
jq_is '[.findings[] | select(.check == "backdoor.pci.extra_function" and .status == "fail")][0].evidence.extra[0].pci_address' \
	"0000:18:00.1" "extra function: the function named" "$TMP/report.json"

# judged without a manifest (so the missing signature is what is seen)
nonpass backdoor-unsigned-module
expect_nonpass "unsigned module: module.integrity warns for nvidia; lockdown and sig_enforce off; taint OE" "$CLEAN
warn backdoor.firmware.integrity host
warn backdoor.kernel.lockdown host
warn backdoor.kernel.sig_enforce host
warn backdoor.module.integrity host"
jq_is '[.findings[] | select(.check == "backdoor.module.integrity" and .status == "warn")][0].evidence.module' nvidia \
	"unsigned module: the module named" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.module.integrity" and .status == "warn")][0].evidence | "\(.flags) \(.loaded) \(.file.signature.present) \(.file.sha256 | length) \(has("facts"))"' \
	"OE true false 64 false" "unsigned module: flags, load state and the file as evidence, not a copy of the module's facts" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.kernel.tainted")][0].evidence | "\(.tainted) \(.letters) \(.security_relevant)"' \
	"12288 OE OE" "unsigned module: taint decoded" "$TMP/report.json"
jq_is '[.modules.list[] | select(.name == "nvidia")][0] | "\(.flags) \(.file.signature.present)"' "OE false" \
	"unsigned module: (OE) flags and no signature trailer in the facts" "$TMP/facts.json"
"$CHIPAUDIT" judge --json --manifest "$MANIFEST" "$TMP/facts.json" >"$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.module.integrity" and .status == "fail")] | map(.evidence.module) | join(",")' nvidia \
	"unsigned module: against the golden manifest its file fails" "$TMP/report.json"

nonpass backdoor-lockdown-none --manifest "$MANIFEST"
expect_nonpass "lockdown none: kernel.lockdown warns" "$CLEAN
warn backdoor.kernel.lockdown host"
jq_is '[.findings[] | select(.check == "backdoor.kernel.sig_enforce")][0].status' pass \
	"lockdown none: signatures still enforced by sig_enforce" "$TMP/report.json"

nonpass backdoor-firmware-modified --manifest "$MANIFEST"
expect_nonpass "firmware modified: firmware.integrity fails" "$CLEAN
fail backdoor.firmware.integrity host"
jq_is '[.findings[] | select(.check == "backdoor.firmware.integrity")][0].evidence.mismatch | map(.path) | join(",")' \
	"/lib/firmware/nvidia/580.159.03/gsp_ga10x.bin" "firmware modified: the file named" "$TMP/report.json"
nonpass backdoor-firmware-modified
jq_is '[.findings[] | select(.check == "backdoor.firmware.integrity")][0] | "\(.status) \(.evidence.unverified | length)"' "warn 2" \
	"firmware modified: without a manifest, unverified is a warning, not a pass" "$TMP/report.json"

nonpass backdoor-vulnerable-driver --manifest "$MANIFEST"
expect_nonpass "vulnerable driver: driver.cve fails" "$CLEAN
fail backdoor.driver.cve host
warn backdoor.firmware.integrity host"
jq_is '[.findings[] | select(.check == "backdoor.driver.cve")][0] | "\(.remediation) | \(.evidence.affected | map(.bulletin) | join(","))"' \
	"Install driver 535.309.01 or later (branch R535). | NVIDIA-5630,NVIDIA-5670,NVIDIA-5703,NVIDIA-5747,NVIDIA-5821" \
	"vulnerable driver: bulletins and the fixed version to install" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.driver.cve")][0].evidence.affected[2].cves | map("\(.id)=\(.cvss)") | join(" ")' \
	"CVE-2025-23280=7 CVE-2025-23282=7 CVE-2025-23300=5.5 CVE-2025-23330=5.5 CVE-2025-23332=5 CVE-2025-23345=4.4" \
	"vulnerable driver: CVEs with CVSS" "$TMP/report.json"

# The text report shows the trust ladder.
"$CHIPAUDIT" audit --manifest "$MANIFEST" --root "$FIXTURES/backdoor-clean/root" >"$TMP/out" 2>"$TMP/err"
expect_stdout '^Host trust: level 3! of 4' "text report: trust level"
expect_stdout '^  \[ \] level 4: verified accelerator' "text report: the level not met"

# A snapshot carries the hashed files: re-gathering gives the same facts.
"$CHIPAUDIT" snapshot --root "$FIXTURES/backdoor-clean/root" -o "$TMP/clean.tar.gz" 2>/dev/null
mkdir -p "$TMP/snap" && tar -xzf "$TMP/clean.tar.gz" -C "$TMP/snap"
"$CHIPAUDIT" facts --root "$FIXTURES/backdoor-clean/root" >"$TMP/a.json"
"$CHIPAUDIT" facts --root "$TMP/snap" >"$TMP/b.json"
if diff -q "$TMP/a.json" "$TMP/b.json" >/dev/null; then
	pass "snapshot of the clean server re-gathers the same facts"
else
	fail "snapshot re-gathers the same facts" "$(diff "$TMP/a.json" "$TMP/b.json" | head -20)"
fi

# --- --manifest: strict validation ------------------------------------------
expect_exit 66 "--manifest missing file" "$CHIPAUDIT" judge --manifest "$TMP/none.json" "$TMP/a.json"
expect_stderr_line "^chipaudit: --manifest .*none.json: No such file or directory$" "--manifest missing file named"
badman() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$MANIFEST" >"$TMP/$1.json"
	expect_exit 65 "--manifest with $1" "$CHIPAUDIT" judge --manifest "$TMP/$1.json" "$TMP/a.json"
	expect_stderr_line "$1.json: $3" "--manifest $1 named"
}
badman schema '.schema = "x"' 'schema: "x" is not chipaudit-manifest/1'
badman sha '.files[1].sha256 = "ABC"' 'files\[1\].sha256: expected 64 lowercase hex digits'
badman relative '.files[0].path = "lib/firmware/x.bin"' 'files\[0\].path: "lib/firmware/x.bin" is not an absolute normalised path'
badman dotdot '.files[0].path = "/lib/firmware/../../etc/shadow"' 'files\[0\].path: .* is not an absolute normalised path'
badman duplicate '.files[1].path = .files[0].path' 'files\[1\].path: .* listed twice'
badman size '.files[0].size = -1' 'files\[0\].size: -1 out of range'
badman driver '.driver = "nv idia"' 'driver: "nv idia" is not a kernel module name'
badman nofiles 'del(.files)' 'manifest.files: missing'
printf '{"schema":' >"$TMP/trunc.json"
expect_exit 65 "--manifest truncated JSON" "$CHIPAUDIT" judge --manifest "$TMP/trunc.json" "$TMP/a.json"
expect_stderr_line "trunc.json:1:[0-9]+: " "--manifest truncated JSON: line and column"

# --- data/bulletins.json and data/manifests/ from --data-dir ------------------
mkdir -p "$TMP/data/manifests"
cp "$SRCDIR"/data/*.json "$TMP/data/"
cp "$MANIFEST" "$TMP/data/manifests/nvidia-580.159.03.json"
"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/a.json" >"$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.firmware.integrity")][0].evidence.match[0].manifest' \
	"data/manifests/nvidia-580.159.03.json" "shipped manifests are read from DIR/manifests/" "$TMP/report.json"
jq '.bulletins[0].branches[0].first_fixed = "999.1"' "$SRCDIR/data/bulletins.json" >"$TMP/data/bulletins.json"
expect_exit 2 "broken bulletins.json: an error finding" "$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/a.json"
expect_stderr_line 'bulletins.json: bulletins\[0\].branches\[0\].first_fixed: "999.1" is not a version of branch R570' "broken bulletins.json named"
jq_is '[.findings[] | select(.status == "error") | .check] | unique | join(",")' \
	"backdoor.driver.cve,backdoor.firmware.integrity,backdoor.module.integrity" "broken bulletins: the checks that need it say error" "$TMP/out"
jq '.bulletins[1].cves[0].id = "CVE-25"' "$SRCDIR/data/bulletins.json" >"$TMP/data/bulletins.json"
"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/a.json" >/dev/null 2>"$TMP/err"
expect_stderr_line 'bulletins\[1\].cves\[0\].id: "CVE-25" is not a CVE id' "bad CVE id named"
cp "$SRCDIR/data/bulletins.json" "$TMP/data/"
echo '{"schema": "chipaudit-manifest/1"}' >"$TMP/data/manifests/broken.json"
"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/a.json" >/dev/null 2>"$TMP/err"
expect_stderr_line 'manifests/broken.json: manifest.driver: missing' "broken shipped manifest named"

# --- hostile kernel files in a captured tree --------------------------------
tree() { rm -rf "$TMP/tree"; cp -a "$FIXTURES/backdoor-clean/root" "$TMP/tree"; }
kbad() { # NAME FILE CONTENT PATTERN
	tree
	printf '%s' "$3" >"$TMP/tree$2"
	expect_exit 65 "$1" "$CHIPAUDIT" facts --root "$TMP/tree"
	expect_stderr_line "$4" "$1 named"
}
kbad "tainted not a number" /proc/sys/kernel/tainted $'lots\n' '/proc/sys/kernel/tainted: malformed value "lots"'
kbad "lockdown without brackets" /sys/kernel/security/lockdown $'none integrity\n' '/sys/kernel/security/lockdown: malformed'
kbad "lockdown unknown mode" /sys/kernel/security/lockdown $'[paranoid]\n' '/sys/kernel/security/lockdown: malformed'
kbad "sig_enforce not Y/N" /sys/module/module/parameters/sig_enforce $'1\n' 'sig_enforce: malformed value "1", expected Y or N'
kbad "SecureBoot variable truncated" "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c" $'\x06\x01' 'SecureBoot-8be4df61.*: 2 bytes, expected'
kbad "/proc/modules garbage" /proc/modules $'nvidia 123\n' '/proc/modules: line 1: 2 fields, expected 6 or 7'
kbad "/proc/modules bad flags" /proc/modules $'nvidia 1 0 - Live 0x0 (Q9)\n' "/proc/modules: line 1: flags \"\\(Q9\\)\" hold '9'"
kbad "/proc/modules bad state" /proc/modules $'nvidia 1 0 - Dead 0x0\n' '/proc/modules: line 1: state "Dead"'
kbad "/proc/modules bad user" /proc/modules $'nvidia 1 1 ../x, Live 0x0\n' '/proc/modules: line 1: used-by entry "../x"'
kbad "group type unknown" /sys/kernel/iommu_groups/40/type $'whatever\n' '/sys/kernel/iommu_groups/40/type: unknown domain type "whatever"'
kbad "driver version garbage" /sys/module/nvidia/version $'580 95\n' '/sys/module/nvidia/version: malformed version "580 95"'
kbad "module srcversion garbage" /sys/module/nvidia_uvm/srcversion $'has space\n' '/sys/module/nvidia_uvm/srcversion: malformed value'
tree
printf 'updates/dkms/../../../../etc/shadow.ko:\n' >"$TMP/tree/lib/modules/6.8.0-49-generic/modules.dep"
expect_exit 65 "modules.dep path with .." "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line 'modules.dep: line 1: ".*shadow.ko" is not "PATH.ko: DEPENDENCIES"' "modules.dep .. named"
tree
head -c 10 "$TMP/tree/sys/bus/pci/devices/0000:18:00.0/config" >"$TMP/c"
cp "$TMP/c" "$TMP/tree/sys/bus/pci/devices/0000:18:00.0/config"
expect_exit 65 "configuration space of 10 bytes" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line '0000:18:00.0/config: 10 bytes, expected at least the 64-byte header' "short config named"

# A device whose capability list loops is evidence, not a read error.
tree
printf '\x60' | dd of="$TMP/tree/sys/bus/pci/devices/0000:18:00.0/config" bs=1 seek=$((0x61)) conv=notrunc 2>/dev/null
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json"
jq_is '.pcie[0].malformed' "capability list loops at 0x60" "looping capability list recorded" "$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.pci.ats" and any(.subjects[]; . == "0000:18:00.0"))][0].status' warn \
	"looping capability list: ATS warns, never passes" "$TMP/report.json"

# As an unprivileged user reads it: 64 bytes of config; ATS and ACS skip, said once.
tree
find "$TMP/tree/sys/devices" -name config -type f | while read -r c; do
	head -c 64 "$c" >"$TMP/c" && cp "$TMP/c" "$c"
done
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.pci.ats" or .check == "backdoor.pci.acs") | .status] | unique | join(",")' skip \
	"64-byte config: ATS and ACS skip" "$TMP/report.json"
jq_is '[.limitations[] | select(.source == "/sys/bus/pci/devices/*/config")] | length' 1 "64-byte config: one limitation" "$TMP/f.json"

# A signature trailer that does not hold together fails the module.
tree
mod="$TMP/tree/lib/modules/6.8.0-49-generic/updates/dkms/nvidia-drm.ko.zst"
{ head -c 4096 /dev/zero; printf '\x00\x00\x02\x00\x00\x00\x00\x00\x7f\xff\xff\xff~Module signature appended~\n'; } | zstd -q -c >"$mod"
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json"
jq_is '[.modules.list[] | select(.name == "nvidia_drm")][0].file.signature.malformed' \
	"sig_len 2147483647 does not fit the 4096 bytes before the trailer" "malformed trailer recorded" "$TMP/f.json"
"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/report.json"
jq_is '[.findings[] | select(.check == "backdoor.module.integrity" and .evidence.module == "nvidia_drm")][0].status' fail \
	"malformed trailer: module.integrity fails" "$TMP/report.json"
# A compressed module that does not decompress: its signature is unknown, not absent.
printf 'not zstd' >"$mod"
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/f.json" 2>/dev/null
jq_is '[.modules.list[] | select(.name == "nvidia_drm")][0].file.signature' null "undecompressable module: signature unknown" "$TMP/f.json"
jq_is '[.limitations[] | select(.source | endswith("nvidia-drm.ko.zst")) | .reason | test("signature not examined")] | any' true \
	"undecompressable module: a limitation says why" "$TMP/f.json"

# Hostile facts: each backdoor section is validated before any check runs.
"$CHIPAUDIT" facts --root "$FIXTURES/backdoor-clean/root" >"$TMP/good.json"
fbad() { # NAME JQ-MUTATION PATTERN
	jq "$2" "$TMP/good.json" >"$TMP/$1.json"
	expect_exit 65 "facts with $1" "$CHIPAUDIT" judge "$TMP/$1.json"
	expect_stderr_line "$1.json: $3" "$1 named"
}
fbad group-type '.iommu.groups[0].type = "passthrough-ish"' 'iommu.groups\[0\].type: "passthrough-ish" is not'
fbad units '.iommu.units = "dmar0"' 'iommu.units: expected an array'
fbad ats '.pcie[0].ats.enabled = "yes"' 'pcie\[0\].ats.enabled: expected true or false'
fbad acs '.pcie[0].bridges[0].acs.control = 70000' 'pcie\[0\].bridges\[0\].acs.control: 70000 out of range'
fbad bridge '.pcie[0].bridges[0].pci_address = "../x"' 'pcie\[0\].bridges\[0\].pci_address: "../x" is not a PCI address'
fbad tainted '.kernel.tainted = -1' 'kernel.tainted: -1 out of range'
fbad lockdown '.kernel.lockdown = "off"' 'kernel.lockdown: "off" is not none, integrity or confidentiality'
fbad sha '.modules.list[0].file.sha256 = "zz"' 'modules.list\[0\].file.sha256: expected 64 lowercase hex digits'
fbad flags '.modules.list[0].flags = "O;"' 'modules.list\[0\]: name, flags or taint hold characters'
fbad fwfile '.firmware[0].files[0] = {"path": "/x", "size": null, "sha256": null, "error": null}' 'firmware\[0\].files\[0\]: neither sha256 nor error'
fbad version '.drivers[0].version = "580 .1"' 'drivers\[0\].version: "580 .1" is not a version'

finish
