#!/usr/bin/env bash
# Drift checks on pairs of facts (the baseline, then now) made from the h20x8
# fixture's real facts (modules, firmware and drivers as the backdoor probes
# write them, NVML limits from its captured NVML answers, its device users)
# and the measured and spyware fixtures' (as the capability and spyware areas
# write them), edited with jq. Then audits of a fixture tree judged against
# the previous report in history.
. "$(dirname "$0")/lib.sh"

"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" >"$TMP/base-plain.json"
finding() { # CHECK SUBJECT FILE -> "status: message"
	jq -r --arg c "$1" --arg s "$2" '[.findings[] | select(.check == $c and any(.subjects[]; . == $s))] | map("\(.status): \(.message)") | join(" | ")' "$3"
}
expect_finding() { # NAME CHECK SUBJECT PATTERN FILE
	local got
	got=$(finding "$2" "$3" "$5")
	if printf '%s' "$got" | grep -Eq -- "$4"; then pass "$1"; else fail "$1" "got: $got" "wanted: $4"; fi
}
mk() { jq "$1" "$TMP/base-plain.json" >"$TMP/$2.json"; }
judge() { "$CHIPAUDIT" judge --json "$@" >"$TMP/r.json" 2>"$TMP/err"; }

# No baseline: every drift check is a skip that says why.
judge "$TMP/base-plain.json"
for c in killswitch.drift.performance backdoor.drift.firmware killswitch.drift.caps spyware.drift.new_talker; do
	expect_finding "$c: skip without a baseline" "$c" host "^skip: No earlier report of this host" "$TMP/r.json"
done
# The fixture's facts against themselves: its 4 NVIDIA modules and 2 GSP
# firmware files compared, the 8 NVML limits of each GPU, its 2 device users
# (nvidia-persistenced, nv-fabricmanager: unix sockets only); no measurement.
judge --baseline "$TMP/base-plain.json" "$TMP/base-plain.json"
expect_finding "firmware: the fixture's real digests compared" backdoor.drift.firmware host "^pass: 6 module and firmware digests compared with .*base-plain.json: none changed" "$TMP/r.json"
expect_finding "performance: skip without measurements" killswitch.drift.performance host "^skip: .*accelerators\[\]\.measured\.dense_tops" "$TMP/r.json"
expect_finding "caps: the fixture's NVML limits compared" killswitch.drift.caps 0000:db:00.0 "^pass: No power or clock limit lowered since .*base-plain.json \(8 compared\)$" "$TMP/r.json"
expect_finding "new_talker: the fixture's device users do not talk" spyware.drift.new_talker host "^pass: No device user talks to the network \(compared with .*base-plain.json\)$" "$TMP/r.json"
# The same tree without its captured NVML answers, as a snapshot taken
# without chipaudit: no limits; facts gathered without /proc: no processes.
cp -a "$FIXTURES/h20x8/root" "$TMP/nonvml"
rm "$TMP/nonvml/var/lib/chipaudit-capture/nvml.json"
"$CHIPAUDIT" facts --root "$TMP/nonvml" >"$TMP/nonvml.json"
judge --baseline "$TMP/base-plain.json" "$TMP/nonvml.json"
expect_finding "caps: skip without limits" killswitch.drift.caps host "^skip: No accelerator has power or clock limits in both this report and .*base-plain.json \(accelerators\[\]\.vendor_library\.nvml\.power_mw, \.clocks_mhz\)$" "$TMP/r.json"
mk '.processes = null' noprocs
judge --baseline "$TMP/base-plain.json" "$TMP/noprocs.json"
expect_finding "new_talker: skip without processes" spyware.drift.new_talker host "^skip: No process facts in both this report and .*base-plain.json \(processes\.device_users\)$" "$TMP/r.json"
# Facts gathered without the module and firmware examination: a skip naming the members.
mk 'del(.modules, .firmware)' bare
judge --baseline "$TMP/bare.json" "$TMP/base-plain.json"
expect_finding "firmware: skip without digests" backdoor.drift.firmware host "^skip: .*modules\.list\[\]\.file\.sha256, firmware\[\]\.files\[\]\.sha256" "$TMP/r.json"

# --- performance: the first GPU measured as h20-healthy.json has it (every
# member `chipaudit measure` writes), its FP16 and FP8 figures set: 900 TOPS
# at first, then 880 (-2%), then 700 (-22%).
MEASURED="$FIXTURES/measured/h20-healthy.json"
tops() { jq --slurpfile m "$MEASURED" ".accelerators[0].measured = (\$m[0].accelerators[0].measured | .dense_tops.fp16 = $1 | .dense_tops.fp8 = $2)" "$TMP/base-plain.json" >"$TMP/$3.json"; }
tops 900 1800 p0; tops 880 1790 p1; tops 700 1800 p2; tops 850 1700 p3; tops 795 1790 p4
judge --baseline "$TMP/p0.json" "$TMP/p1.json"
expect_finding "performance: -2% passes" killswitch.drift.performance 0000:18:00.0 "^pass: Measured throughput within 10% of .*p0.json \(largest change: fp16 -2.2%\)" "$TMP/r.json"
judge --baseline "$TMP/p0.json" "$TMP/p2.json"
expect_finding "performance: -22% fails" killswitch.drift.performance 0000:18:00.0 "^fail: Measured fp16 throughput fell 22.2% \(900.0 -> 700.0 TOPS\) against .*p0.json, more than the 10% margin" "$TMP/r.json"
jq_is '.findings[] | select(.check == "killswitch.drift.performance" and any(.subjects[]; . == "0000:18:00.0")) | .evidence | "\(.precision) \(.baseline_tops) \(.measured_tops) \(.loss_percent)"' "fp16 900 700 22.2" "performance evidence" "$TMP/r.json"
judge --drift-margin 25 --baseline "$TMP/p0.json" "$TMP/p2.json"
expect_finding "performance: --drift-margin 25 tolerates -22%" killswitch.drift.performance 0000:18:00.0 "^pass" "$TMP/r.json"
# Slow drift: each step under the margin, the sum over it.
judge --baseline "$TMP/p3.json" --reference "$TMP/p0.json" "$TMP/p4.json"
expect_finding "performance: slow drift caught against the first report" killswitch.drift.performance 0000:18:00.0 "^fail: Measured fp16 throughput fell 11.7% \(900.0 -> 795.0 TOPS\) against .*p0.json" "$TMP/r.json"
judge --baseline "$TMP/p3.json" "$TMP/p4.json"
expect_finding "performance: the same step alone passes" killswitch.drift.performance 0000:18:00.0 "^pass" "$TMP/r.json"
# Another part in the slot is not a slower one.
tops 100 200 p5; jq '.accelerators[0].device_id = "2330"' "$TMP/p5.json" >"$TMP/p5b.json" && mv "$TMP/p5b.json" "$TMP/p5.json"
judge --baseline "$TMP/p0.json" "$TMP/p5.json"
expect_finding "performance: a replaced part is not compared" killswitch.drift.performance host "^skip" "$TMP/r.json"
# The measured fixtures as they are: a throttled H20 against a healthy one.
judge --baseline "$FIXTURES/measured/h20-healthy.json" "$FIXTURES/measured/h20-throttled.json"
expect_finding "performance: the throttled H20 fails against the healthy one" killswitch.drift.performance 0000:18:00.0 "^fail: Measured fp16 throughput fell 56.9% \(141.2 -> 60.8 TOPS\) against .*h20-healthy.json, more than the 10% margin$" "$TMP/r.json"
# PTX lower bounds (no cuBLASLt this time) are not compared with cuBLASLt figures.
judge --baseline "$FIXTURES/measured/h200-healthy.json" "$FIXTURES/measured/h200-approximate.json"
expect_finding "performance: approximate figures are not compared with exact ones" killswitch.drift.performance host "^skip: No accelerator has throughput measured by the same method" "$TMP/r.json"
jq_is '[.findings[] | select(.check == "killswitch.drift.performance")] | length' 1 "performance: ... and give no finding on the accelerator" "$TMP/r.json"
judge --baseline "$FIXTURES/measured/h200-approximate.json" "$FIXTURES/measured/h200-approximate.json"
expect_finding "performance: approximate figures are compared with approximate ones" killswitch.drift.performance 0000:18:00.0 "^pass" "$TMP/r.json"

# --- firmware and modules, edited in the fixture's real facts: kernel
# 5.15.0-122-generic, driver nvidia 570.124.06, its modules and the GSP
# firmware in /lib/firmware/nvidia/570.124.06.
B=$(printf 'b%.0s' $(seq 64)); D=$(printf 'd%.0s' $(seq 64))
NV='.modules.list |= map(if .name == "nvidia" then'
GSP='/lib/firmware/nvidia/570.124.06/gsp_ga10x.bin'
mk "$NV .file.sha256 = \"$B\" else . end)" m1   # module replaced, same version, same kernel
mk "$NV .file.sha256 = \"$B\" else . end) | .host.kernel = \"5.15.0-124-generic\" | .modules.release = .host.kernel
    | .modules.list[].file.path |= sub(\"5.15.0-122\"; \"5.15.0-124\")" m2   # rebuilt for a new kernel
mk "$NV .file.sha256 = \"$B\" else . end) | .modules.list[].version = \"570.133.20\" | .drivers[0].version = \"570.133.20\"
    | .firmware[0].directory = \"/lib/firmware/nvidia/570.133.20\" | .firmware[0].files[].path |= sub(\"570.124.06\"; \"570.133.20\")
    | .firmware[0].files[].sha256 = \"$D\"" m3   # a driver update: modules and firmware change together
mk "(.firmware[0].files[] | select(.path == \"$GSP\") | .sha256) = \"$D\"" m4   # firmware swapped under the same driver
judge --baseline "$TMP/base-plain.json" "$TMP/m1.json"
expect_finding "firmware: a module swapped under its version fails" backdoor.drift.firmware host "^fail: Kernel module nvidia changed \(sha256 [0-9a-f]{12}\.\.\. -> bbbbbbbbbbbb\.\.\.\) while its version 570.124.06 and the kernel did not$" "$TMP/r.json"
judge --baseline "$TMP/base-plain.json" "$TMP/m2.json"
expect_finding "firmware: a rebuild for a new kernel passes" backdoor.drift.firmware host "^pass: 6 module and firmware digests compared" "$TMP/r.json"
judge --baseline "$TMP/base-plain.json" "$TMP/m3.json"
expect_finding "firmware: a driver update passes (the new firmware directory is not the old one)" backdoor.drift.firmware host "^pass: 4 module and firmware digests compared" "$TMP/r.json"
judge --baseline "$TMP/base-plain.json" "$TMP/m4.json"
expect_finding "firmware: a firmware swapped under the same driver fails" backdoor.drift.firmware host "^fail: Firmware $GSP changed \(sha256 [0-9a-f]{12}\.\.\. -> dddddddddddd\.\.\.\) while the driver version \(nvidia 570.124.06\) did not$" "$TMP/r.json"
cp "$TMP/r.json" "$TMP/rm4.json"
judge --baseline "$TMP/base-plain.json" "$TMP/base-plain.json"
jq '. + {facts: (input | del(.host, .accelerators, .limitations))}' "$TMP/r.json" "$TMP/base-plain.json" >"$TMP/rm0f.json"
jq '. + {facts: (input | del(.host, .accelerators, .limitations))}' "$TMP/rm4.json" "$TMP/m4.json" >"$TMP/rm4f.json"
expect_exit 1 "diff of the firmware reports" "$CHIPAUDIT" diff "$TMP/rm0f.json" "$TMP/rm4f.json"
expect_stdout "^  ~ $GSP sha256: [0-9a-f]{64} -> $D$" "diff: the firmware digest that changed"
expect_stdout "^  ~ backdoor.drift.firmware \[host\]: pass -> fail$" "diff: the drift finding that changed"
mk "$NV .version = null else . end)" m6
mk "$NV .version = null | .file.sha256 = \"$B\" else . end)" m5
judge --baseline "$TMP/m6.json" "$TMP/m5.json"
expect_finding "firmware: a change with no version known warns" backdoor.drift.firmware host "^warn: Kernel module nvidia changed .* and its version is unknown$" "$TMP/r.json"
mk "(.firmware[0].files[] | select(.path == \"$GSP\")) |= (.sha256 = null | .error = \"Permission denied\")" m7
judge --baseline "$TMP/base-plain.json" "$TMP/m7.json"
expect_finding "firmware: a file that could not be read is not compared" backdoor.drift.firmware host "^pass: 5 module and firmware digests compared" "$TMP/r.json"

# --- power and clock caps: the second GPU's captured NVML limits (mW, MHz:
# 400 W enforced and management limit, SM clock up to 1980 MHz) edited.
cap() { mk ".accelerators[1].vendor_library.nvml.power_mw.enforced_limit = $1 | .accelerators[1].vendor_library.nvml.power_mw.limit = $1 | .accelerators[1].vendor_library.nvml.clocks_mhz.sm.max = $2" "$3"; }
cap 400000 1980 c0; cap 400000 1980 c1; cap 300000 1980 c2; cap 400000 1500 c3
judge --baseline "$TMP/c0.json" "$TMP/c1.json"
expect_finding "caps: unchanged passes" killswitch.drift.caps 0000:2a:00.0 "^pass: No power or clock limit lowered since .*c0.json \(8 compared\)$" "$TMP/r.json"
judge --baseline "$TMP/c0.json" "$TMP/c2.json"
expect_finding "caps: a lowered power limit warns" killswitch.drift.caps 0000:2a:00.0 "^warn: enforced power limit lowered since .*c0.json: 400 -> 300 W, and other limits$" "$TMP/r.json"
jq_is '[.findings[] | select(.check == "killswitch.drift.caps" and any(.subjects[]; . == "0000:2a:00.0")) | .evidence.lowered[] | "\(.member) \(.baseline) \(.now)"] | join(", ")' \
	"vendor_library.nvml.power_mw.enforced_limit 400 300, vendor_library.nvml.power_mw.limit 400 300" "caps: the lowered limits in the evidence" "$TMP/r.json"
expect_finding "caps: the other GPUs unchanged" killswitch.drift.caps 0000:18:00.0 "^pass: No power or clock limit lowered since .*c0.json \(8 compared\)$" "$TMP/r.json"
judge --baseline "$TMP/c0.json" "$TMP/c3.json"
expect_finding "caps: a lowered clock limit warns" killswitch.drift.caps 0000:2a:00.0 "^warn: maximum SM clock lowered since .*c0.json: 1980 -> 1500 MHz$" "$TMP/r.json"
judge --baseline "$TMP/c2.json" "$TMP/c0.json"
expect_finding "caps: a raised limit is no cap" killswitch.drift.caps 0000:2a:00.0 "^pass" "$TMP/r.json"

# --- new talkers: the fixture's device users, joined by device users of the
# spyware fixture (a training job with peers on its network, over IPv4 and
# IPv6, and on loopback; a telemetry daemon sending out; an exporter and a
# host engine listening).
SPY="$FIXTURES/spyware/expected-facts.json"
proc() { # NAME JQ-EDIT: .processes.device_users edited, $spy the spyware fixture's by command
	jq --slurpfile s "$SPY" "(\$s[0].processes.device_users | map({key: .command, value: .}) | from_entries) as \$spy | $2" \
		"$TMP/base-plain.json" >"$TMP/$1.json"
}
proc t0 '.processes.device_users += [$spy["python3.11"]]'
proc t1 '.processes.device_users += [$spy["python3.11"] | (.sockets[] | select(.remote_port == 41235) | .remote_address) = "10.42.0.9", $spy["gpu-telemetryd"]]'
proc t2 '.processes.device_users += [$spy["python3.11"] | .sockets |= map(select(.state == "listen" or .remote_address == "127.0.0.1")), $spy["nv-hostengine"], $spy["dcgm-exporter"] | .sockets |= map(select(.state == "listen"))]'
judge --baseline "$TMP/t0.json" "$TMP/t1.json"
expect_finding "new_talker: a new device user on the network warns" spyware.drift.new_talker host "^warn: /usr/local/bin/gpu-telemetryd holds an accelerator and talks to 203.0.113.50:443; it did not in .*t0.json$" "$TMP/r.json"
jq_is '.findings[] | select(.check == "spyware.drift.new_talker") | "\(.evidence.pid) \(.evidence.command) \(.evidence.peers | join(" "))"' \
	"3120 gpu-telemetryd 203.0.113.50:443 198.51.100.7:514" "new_talker: the process and its peers in the evidence" "$TMP/r.json"
if finding spyware.drift.new_talker host "$TMP/r.json" | grep -q python3; then fail "new_talker: a known talker with a new peer is not new"; else pass "new_talker: a known talker with a new peer is not new"; fi
judge --baseline "$TMP/t0.json" "$TMP/t0.json"
expect_finding "new_talker: the same talkers pass" spyware.drift.new_talker host "^pass: 1 device user talks to the network, none new since .*t0.json$" "$TMP/r.json"
# An unprivileged view: another user's process could not be inspected, so
# whether it is a new talker is unknown (a python3 of user alice).
proc t3 '.processes.device_users += [$spy["python3.11"]] | .processes.not_inspectable += [{pid: 4101, uid: 1001, user: "alice", command: "python3", inspectable: false}]'
judge --baseline "$TMP/t0.json" "$TMP/t3.json"
expect_finding "new_talker: processes not inspected make it a skip, not a pass" spyware.drift.new_talker host "^skip: No device user inspected talks to the network anew since .*t0.json, but 1 process could not be inspected \(see spyware.process.inspectable\)$" "$TMP/r.json"
judge --baseline "$TMP/t0.json" "$TMP/t2.json"
expect_finding "new_talker: loopback and listening sockets are not talkers" spyware.drift.new_talker host "^pass: No device user talks to the network" "$TMP/r.json"
judge --baseline "$TMP/t0.json" "$TMP/t1.json"; cp "$TMP/r.json" "$TMP/rt1.json"
judge --baseline "$TMP/t0.json" "$TMP/t0.json"; cp "$TMP/r.json" "$TMP/rt0.json"
jq '. + {facts: (input | del(.host, .accelerators, .limitations))}' "$TMP/rt0.json" "$TMP/t0.json" >"$TMP/rt0f.json"
jq '. + {facts: (input | del(.host, .accelerators, .limitations))}' "$TMP/rt1.json" "$TMP/t1.json" >"$TMP/rt1f.json"
expect_exit 1 "diff of the talker reports" "$CHIPAUDIT" diff "$TMP/rt0f.json" "$TMP/rt1f.json"
expect_stdout "^  \+ /usr/local/bin/gpu-telemetryd device user, peers: \[\"203.0.113.50:443\", ?\"198.51.100.7:514\"\]$" "diff: new device user with its peers"
expect_stdout "^  - /opt/conda/bin/python3.11 peers: \[\"10.42.0.8:41235\"\]$" "diff: a peer gone"
expect_stdout "^  \+ /opt/conda/bin/python3.11 peers: \[\"10.42.0.9:41235\"\]$" "diff: a new peer"
expect_stdout "^  ~ spyware.drift.new_talker \[host\]: pass -> warn$" "diff: the finding that changed"

# --- an audit judged against the previous report in history
S="$TMP/state"
"$CHIPAUDIT" audit --root "$FIXTURES/h20x8/root" --state "$S" --json >"$TMP/a1.json"
expect_finding "first audit: no baseline" killswitch.drift.caps host "^skip: No earlier report" "$TMP/a1.json"
"$CHIPAUDIT" audit --root "$FIXTURES/h20x8/root" --state "$S" --json >"$TMP/a2.json"
expect_finding "second audit: the previous report is the baseline" killswitch.drift.caps 0000:18:00.0 "^pass: No power or clock limit lowered since the previous report \(history #1, .*\) \(8 compared\)$" "$TMP/a2.json"
expect_finding "second audit: module and firmware digests compared with it" backdoor.drift.firmware host "^pass: 6 module and firmware digests compared with the previous report \(history #1, " "$TMP/a2.json"
# The same machine with a GSP firmware file replaced under the same driver:
# the real file is hashed again and the previous report says it changed.
cp -a "$FIXTURES/h20x8/root" "$TMP/h20"
printf 'patched' >>"$TMP/h20$GSP"
"$CHIPAUDIT" audit --root "$TMP/h20" --state "$S" --json >"$TMP/a4.json"
want=$(sha256sum "$TMP/h20$GSP" | cut -c1-12)
expect_finding "audit: a firmware file replaced since the previous report fails" backdoor.drift.firmware host "^fail: Firmware $GSP changed \(sha256 [0-9a-f]{12}\.\.\. -> $want\.\.\.\) while the driver version \(nvidia 570.124.06\) did not$" "$TMP/a4.json"
"$CHIPAUDIT" audit --root "$FIXTURES/h20x8/root" --state "$S" --baseline "$TMP/c0.json" --json >"$TMP/a3.json"
expect_finding "audit --baseline FILE overrides history" killswitch.drift.caps 0000:2a:00.0 "^pass: No power or clock limit lowered since .*c0.json \(8 compared\)$" "$TMP/a3.json"

finish
