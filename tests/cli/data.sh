#!/usr/bin/env bash
# data/ against the real world: real XID lines through the kernel-log parser
# and killswitch.xid (tests/data/xid), accelerators of vendors data/ does not
# know, and the accelerator database's names and figures.
. "$(dirname "$0")/lib.sh"
DATA="$SRCDIR/tests/data"

# --- real XID lines, one per kernel log: the XID, the process and the verdict
mkdir -p "$TMP/x/dev" "$TMP/x/sys/bus/pci/devices"   # a captured tree: an empty PCI bus
n=0
while IFS=$'\t' read -r xid process verdict source line; do
	case $xid in '#'*|'') continue ;; esac
	n=$((n + 1))
	printf '4,%d,%d,-;%s\n' "$n" "$((n * 1000))" "$line" >"$TMP/x/dev/kmsg"
	name="xid line $n ($source, XID $xid)"
	if ! "$CHIPAUDIT" facts --root "$TMP/x" >"$TMP/xf.json" 2>"$TMP/err"; then
		fail "$name: facts" "$(head -c 400 "$TMP/err")"
		continue
	fi
	if [ "$xid" = none ]; then
		jq_is '"\(.kernel_xids.total) \([.limitations[] | select(.reason | test("XID report not understood"))] | length)"' \
			"0 1" "$name: not understood, a limitation" "$TMP/xf.json"
		continue
	fi
	jq_is '.kernel_xids.events[0] | "\(.xid) \(.process)"' "$xid $process" "$name: parsed" "$TMP/xf.json"
	"$CHIPAUDIT" judge --json "$TMP/xf.json" >"$TMP/xr.json"
	jq_is '[.findings[] | select(.check == "killswitch.xid") | .status] | join(",")' "$verdict" \
		"$name: $verdict" "$TMP/xr.json"
done <"$DATA/xid/lines.tsv"
[ "$n" -ge 20 ] && pass "xid: $n real lines read" || fail "xid: only $n lines in lines.tsv"

# --- accelerators of vendors and models data/ does not know are listed, named
"$CHIPAUDIT" facts --root "$FIXTURES/kunlun-h20/root" >"$TMP/k.json"
jq_is '[.accelerators[] | "\(.pci_address) \(.vendor) \(.model) \(.class)"] | join(", ")' \
	"0000:18:00.0 NVIDIA H20 0302, 0000:2a:00.0 NVIDIA H20 0302, 0000:b1:00.0 Baidu Kunlun 1200" \
	"kunlun-h20: the Kunlun is listed beside the H20s, named" "$TMP/k.json"
# The same machine judged with a data/ that knows neither Baidu nor its card,
# as before: the class alone lists it, as an unknown model with a limitation.
mkdir -p "$TMP/data"
cp "$SRCDIR"/data/*.json "$TMP/data/"
jq '.vendors |= map(select(.vendor_id != "1d22" and .vendor_id != "1e52"))' "$SRCDIR/data/vendors.json" >"$TMP/data/vendors.json"
jq '.models |= map(select(.vendor_id != "1d22" and .vendor_id != "1e52"))' "$SRCDIR/data/accelerators.json" >"$TMP/data/accelerators.json"
"$CHIPAUDIT" --data-dir "$TMP/data" facts --root "$FIXTURES/kunlun-h20/root" >"$TMP/k2.json"
jq_is '[.accelerators[] | select(.vendor_id == "1d22") | "\(.pci_address) \(.vendor) \(.model) \(.pci_name)"] | join(",")' \
	"0000:b1:00.0 Baidu Technology null Kunlun AI Accelerator" \
	"unknown vendor: a class 1200 device of a vendor not in vendors.json is listed, named by pci.ids" "$TMP/k2.json"
jq_is '[.limitations[] | select(.source == "0000:b1:00.0") | .reason] | join(";")' \
	'1d22:3684 (class 1200, pci.ids: "Kunlun AI Accelerator"): an accelerator of a vendor not in data/vendors.json; listed as an unknown model' \
	"unknown vendor: a limitation names it" "$TMP/k2.json"
"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/k2.json" >"$TMP/kr.json"
jq_is '[.findings[] | select(any(.subjects[]; . == "0000:b1:00.0")) | "\(.check)=\(.status)"] | join(" ")' \
	"identity.database=warn export.classification=skip export.measured_class_differs=skip backdoor.iommu.passthrough=pass backdoor.iommu.shared_group=pass backdoor.pci.ats=pass backdoor.pci.acs=pass backdoor.pci.extra_function=skip backdoor.pci.rom=skip backdoor.pci.sriov=skip backdoor.pci.bar_mismatch=skip backdoor.pci.subsystem_unknown=skip attestation.signature=skip attestation.certificate_chain=skip attestation.revocation=skip attestation.rim=skip attestation.firmware_measurements=skip identity.fingerprint=skip killswitch.performance_below_spec=skip spyware.memory_remanence=skip" \
	"unknown vendor: the Kunlun's exact findings" "$TMP/kr.json"
"$CHIPAUDIT" --data-dir "$TMP/data" facts --root "$FIXTURES/dropped-ids/root" >"$TMP/d2.json"
jq_is '[.accelerators[] | select(.vendor_id == "1e52") | "\(.pci_address) \(.model)"] | join(",")' "0000:e1:00.0 null" \
	"unknown vendor: a Tenstorrent Wormhole is listed by its class" "$TMP/d2.json"
"$CHIPAUDIT" facts --root "$FIXTURES/dropped-ids/root" >"$TMP/d.json"
jq_is '[.accelerators[] | "\(.device_id) \(.vendor) \(.model)"] | join(", ")' \
	"20b7 NVIDIA A30, 2236 NVIDIA A10, 233a NVIDIA H800 NVL, 401e Tenstorrent Wormhole" \
	"dropped-ids: the IDs data/ lacked are named; 233a is the H800 NVL" "$TMP/d.json"
jq_is '[.limitations[] | select(.reason | test("unknown model"))] | length' 0 \
	"dropped-ids: no unknown model left" "$TMP/d.json"
cp "$SRCDIR/data/vendors.json" "$SRCDIR/data/accelerators.json" "$TMP/data/"

# --- scripts/pciids-check: pci.ids against data/ (Debian's pci.ids package)
PCIIDS=/usr/share/misc/pci.ids
if [ -r "$PCIIDS" ]; then
	expect_exit 0 "pciids-check: no data-center part of a known vendor missing from data/ ($PCIIDS)" \
		"$SYS_PYTHON" "$SRCDIR/scripts/pciids-check" --quiet
	expect_stdout '^0 data-center parts missing' "pciids-check: says so"
	jq '.models |= map(select(.name != "A100 SXM4 40GB"))' "$SRCDIR/data/accelerators.json" >"$TMP/data/accelerators.json"
	expect_exit 1 "pciids-check: an A100 removed from data/ fails" "$SYS_PYTHON" "$SRCDIR/scripts/pciids-check" --data "$TMP/data"
	expect_stdout '^MISSING data-center part: 10de:20b0 .*A100' "pciids-check: the missing part named"
	cp "$SRCDIR/data/accelerators.json" "$TMP/data/"
	head -c 20000 "$PCIIDS" >"$TMP/trunc.ids"
	expect_exit 2 "pciids-check: a truncated pci.ids" "$SYS_PYTHON" "$SRCDIR/scripts/pciids-check" --pci-ids "$TMP/trunc.ids"
	expect_stderr_line "trunc.ids: no class list at the end: truncated" "pciids-check: the truncation named"
	printf '10de  NVIDIA\n not a pci.ids line\nC 12  Processing accelerators\n' >"$TMP/bad.ids"
	expect_exit 2 "pciids-check: a malformed line" "$SYS_PYTHON" "$SRCDIR/scripts/pciids-check" --pci-ids "$TMP/bad.ids"
	expect_stderr_line "bad.ids:2: not a pci.ids line" "pciids-check: the line named"
	echo '{' >"$TMP/data/vendors.json"
	expect_exit 2 "pciids-check: a malformed vendors.json" "$SYS_PYTHON" "$SRCDIR/scripts/pciids-check" --data "$TMP/data"
	expect_stderr_line "vendors.json: not JSON" "pciids-check: the file named"
	cp "$SRCDIR/data/vendors.json" "$TMP/data/"
else
	echo "# $PCIIDS absent (Debian package pci.ids): pciids-check not run"
fi

# --- bulletins: the driver versions of branch R470, covered until June 2024
FX="$FIXTURES/h20x8/expected-facts.json"
cve_status() { # VERSION -> "status first-bulletin-affected"
	jq --arg v "$1" '.drivers[0].version = $v' "$FX" >"$TMP/bf.json"
	"$CHIPAUDIT" judge --json "$TMP/bf.json" |
		jq -r '[.findings[] | select(.check == "backdoor.driver.cve")][0] | "\(.status) \(.evidence.affected | map(.bulletin) | join("+"))"'
}
got=$(cve_status 470.223.02)
[ "$got" = "fail NVIDIA-5520+NVIDIA-5551" ] && pass "bulletins: R470 470.223.02 is affected by 5520 and 5551" || fail "bulletins: R470 470.223.02" "got: $got"
got=$(cve_status 470.239.06)
[ "$got" = "fail NVIDIA-5551" ] && pass "bulletins: R470 470.239.06 is still affected by 5551 (fixed in 470.256.02)" || fail "bulletins: R470 470.239.06" "got: $got"
got=$(cve_status 470.256.02)
[ "$got" = "warn " ] && pass "bulletins: R470 470.256.02 is past 5551, and later bulletins do not cover R470" || fail "bulletins: R470 470.256.02" "got: $got"
got=$(cve_status 535.161.07)
[ "${got%% *}" = fail ] && [ "${got#* }" != "${got#*NVIDIA-5551}" ] && [ "${got#*NVIDIA-5520}" = "$got" ] &&
	pass "bulletins: R535 535.161.07 is past 5520, affected by 5551" || fail "bulletins: R535 535.161.07" "got: $got"

# --- export figures recorded from public sources (docs/data-accelerators.md)
for row in "Ascend 910B|6016|3A090.a" "Ascend 910B3|5008|3A090.a" "Ascend 910B4|4480|null" "Ascend 910C|12800|3A090.a" \
	"MLU370|1536|none" "MLU370-X8|2048|null" "RTX 5090 D|4750|none" "RTX 5090 D V2|4750|none"; do
	IFS='|' read -r model tpp eccn <<<"$row"
	"$CHIPAUDIT" classify --model "$model" --rules 2026-06-01 --json >"$TMP/c.json"
	jq_is '.chips[0] | "\(.tpp) \(.eccn)"' "$tpp $eccn" "classify: $model TPP $tpp, ECCN $eccn" "$TMP/c.json"
done
"$CHIPAUDIT" classify --model "RTX 5090 D" --rules 2026-06-01 --json >"$TMP/c.json"
jq_is '.chips[0] | "\(.matched | join(",")) \([.exclusions[] | select(.applies) | .id] | join(","))"' "3A090.a.2 Note 2 to 3A090" \
	"classify: RTX 5090 D meets 3A090.a.2 (not .b), excluded by Note 2" "$TMP/c.json"

# --- daemons.json: gpud and fleetint recognised by their process names
rm -rf "$TMP/sp"; cp -a "$FIXTURES/spyware/root" "$TMP/sp"
echo gpud >"$TMP/sp/proc/1650/comm"      # nv-hostengine's process, listening on 0.0.0.0:5555
echo fleetint >"$TMP/sp/proc/1402/comm"  # nvidia-persistenced's, a unix socket only
"$CHIPAUDIT" facts --root "$TMP/sp" >"$TMP/sp.json"
jq_is '[.processes.daemons[] | select(.running) | "\(.name):\(.processes[0].pid)"] | join(" ")' \
	"dcgm-exporter:2310 gpud:1650 fleetintd:1402" "daemons: gpud and fleetintd found by process name" "$TMP/sp.json"
"$CHIPAUDIT" judge --json "$TMP/sp.json" >"$TMP/spr.json"
jq_is '[.findings[] | select(.check == "spyware.daemon.exposed" and (.evidence | tostring | test("gpud"))) | .status] | join(",")' \
	"warn" "daemons: gpud listening on every interface is reported as exposed" "$TMP/spr.json"

# --- scripts/nvml-compare.py reads every field of nvidia-smi's XML, in the
# layouts of drivers 418 to 595 (telegraf's files, tests/data/nvidia-smi)
NS="$DATA/nvidia-smi"
while IFS=$'\t' read -r xml expected; do
	"$SYS_PYTHON" "$NS/full-facts.py" "$NS/$xml" >"$TMP/nf.json"
	"$SYS_PYTHON" "$SRCDIR/scripts/nvml-compare.py" "$TMP/nf.json" "$NS/$xml" >"$TMP/nc.out"
	got=$(awk '$1 == "absent" {print $3}' "$TMP/nc.out" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$expected" ]; then pass "nvml-compare: $xml: no field absent that the XML has"
	else fail "nvml-compare: $xml: no field absent that the XML has" "absent: $got" "expected: $expected"; fi
done <"$NS/expected-absent.tsv"
"$SYS_PYTHON" "$NS/full-facts.py" "$NS/tesla-t4.xml" >"$TMP/nf.json"
"$SYS_PYTHON" "$SRCDIR/scripts/nvml-compare.py" "$TMP/nf.json" "$NS/tesla-t4.xml" >"$TMP/out"
expect_stdout 'power_mw.enforced_limit \(W\) nvml=0.0 nvidia-smi=70.0$' "nvml-compare: driver 515 power_readings read (enforced_power_limit)"
"$SYS_PYTHON" "$NS/full-facts.py" "$NS/rtx-3080-v13.xml" >"$TMP/nf.json"
"$SYS_PYTHON" "$SRCDIR/scripts/nvml-compare.py" "$TMP/nf.json" "$NS/rtx-3080-v13.xml" >"$TMP/out"
expect_stdout 'power_mw.draw \(W\) nvml=0.0 nvidia-smi=139.62$' "nvml-compare: v13 draw compared with average_power_draw, not instant (142.33)"
echo '<nvidia_smi_log><gpu id="00000000:01:00.0">' >"$TMP/trunc.xml"
expect_exit 2 "nvml-compare: a truncated XML" "$SYS_PYTHON" "$SRCDIR/scripts/nvml-compare.py" "$TMP/nf.json" "$TMP/trunc.xml"
expect_stderr_line "nvml-compare: .*" "nvml-compare: one line"

# --- data/xids.json is validated when there is an XID to look up: each bad
# entry is an error finding naming it. The facts: the first XID line of
# lines.tsv in the kernel log.
first=$(awk -F'\t' '$1 !~ /^#/ && $1 != "" && $1 != "none" { print $5; exit }' "$DATA/xid/lines.tsv")
printf '4,1,1000,-;%s\n' "$first" >"$TMP/x/dev/kmsg"
"$CHIPAUDIT" facts --root "$TMP/x" >"$TMP/xe.json"
jq_is '.kernel_xids.events | length' 1 "xids.json: facts with one XID event" "$TMP/xe.json"
# xids_bad NAME JQ-EDIT PATTERN: the edited table gives an error finding matching PATTERN.
xids_bad() {
	jq "$2" "$SRCDIR/data/xids.json" >"$TMP/data/xids.json"
	"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/xe.json" >"$TMP/xr.json" 2>"$TMP/err"
	local got
	got=$(jq -r '[.findings[] | select(.check == "killswitch.xid" and .status == "error") | .message] | join(";")' "$TMP/xr.json")
	if printf '%s' "$got" | grep -Eq -- "$3"; then pass "xids.json: $1"; else fail "xids.json: $1" "error findings: $got" "wanted: $3"; fi
}
xids_bad "an unknown action" '.xids[0].action = "REBOOT_PLEASE"' 'xids\[0\]\.action: "REBOOT_PLEASE" is not an action'
xids_bad "no action and no kind" '.xids[0].action = null' 'xids\[0\]\.kind: missing'
xids_bad "a kind without its reason" '.xids[0].kind = "fault"' 'xids\[0\]\.kind_why: missing'
xids_bad "a text rule of no kind" '.xids[153].by_text[0].kind = "bad"' 'xids\[153\]\.by_text\[0\]\.kind: "bad" is not a kind'
xids_bad "an empty text rule" '.xids[153].by_text[0].contains = ""' 'xids\[153\]\.by_text\[0\]\.contains: empty'
xids_bad "an action of no kind" '.actions.IGNORE.kind = "maybe"' 'actions\.IGNORE\.kind: "maybe" is not a kind'
xids_bad "before_ampere not an object" '.xids[60].before_ampere = 3' 'xids\[60\]\.before_ampere: expected an object'
xids_bad "no actions table" 'del(.actions)' 'xids\.json\.actions: missing'
# with no NVIDIA GPU and no XID event there is nothing to look up: the table
# is not read, and killswitch.xid gives no finding
printf '' >"$TMP/x/dev/kmsg"
"$CHIPAUDIT" facts --root "$TMP/x" >"$TMP/xn.json"
"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/xn.json" >"$TMP/xr.json"
jq_is '[.findings[] | select(.check == "killswitch.xid")] | length' 0 \
	"xids.json: not read where no GPU and no XID needs it" "$TMP/xr.json"
cp "$SRCDIR/data/xids.json" "$TMP/data/"

# Every maker that accelerators.json names has a row in vendors.json's
# "makers" (its country or null): a new maker must be looked up, not left out.
missing=$(jq -n -r --slurpfile a "$SRCDIR/data/accelerators.json" --slurpfile v "$SRCDIR/data/vendors.json" \
	'([$a[0].models[].vendor] | unique) - [$v[0].makers[].name] | join(",")')
[ -z "$missing" ] && pass "vendors.json makers: every maker of accelerators.json listed" ||
	fail "vendors.json makers: every maker of accelerators.json listed" "missing: $missing"
finish
