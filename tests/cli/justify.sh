#!/usr/bin/env bash
# chipaudit justify: the units each candidate needs for a workload and what
# limits them, worked here by hand from data/accelerators.json; export status
# by destination and date; unknown figures that block a count; measured
# figures of an audit report in place of the declared ones; the signature;
# the HTML page; bad input. TAP.
. "$(dirname "$0")/lib.sh"
FIX="$FIXTURES/justify"
PRESET=llm-70b-bf16-inference

# ---- 8 H20 against Ascend 910B, 910C and H100 SXM, 70B BF16 inference ----
#
# The preset (data/workloads/llm-70b-bf16-inference.json): 70e9 parameters at
# BF16 (2 bytes), 80 layers, hidden 8192, 8 KV heads of 128, context 4096,
# batch 8, 1000 tokens/s, at most 8 units.
#   weights  W  = 70e9 x 2                      = 140e9 bytes
#   KV/token    = 2 x 80 x 8 x 128 x 2          = 327,680 bytes
#   KV cache    = 8 x 4096 x 327,680            = 10,737,418,240 bytes
#   one copy M  = W + KV                        = 150.737418240e9 bytes
#   bandwidth need = 1000 x M / 8               = 18,842.2 GB/s
#   compute need   = 1000 x 2 x 70e9            = 140 TFLOP/s
#   interconnect per token = 4 x 80 x 8192 x 2  = 5,242,880 bytes, x (m - 1) x 1000
# H20 (data: 96 GB, 4000 GB/s, BF16 148, NVLink 900 GB/s both ways, TDP 400 W):
#   memory      ceil(150.737 / 96)             = 2  (m, a copy of the model)
#   bandwidth   ceil(18842.2 / 4000 = 4.71)    = 5
#   compute     ceil(140 / 148 = 0.95)         = 1
#   interconnect ceil(5.24 GB/s x 1 / 450)     = 1
#   largest 5, memory bandwidth; whole copies of 2: 6 units; 6 x 400 = 2400 W; 6 <= 8: meets
# H100 SXM (80 GB, 3350 GB/s, BF16 989.5, 900 GB/s, 700 W):
#   memory ceil(150.737 / 80) = 2; bandwidth ceil(18842.2 / 3350 = 5.62) = 6;
#   compute ceil(140 / 989.5) = 1; interconnect 1: 6 units, memory bandwidth, 4200 W
# Ascend 910B (64 GB; bandwidth, BF16, interconnect and TDP null in the data):
#   memory ceil(150.737 / 64 = 2.36) = 3; the other three counts unknown: at least 3, total unknown
# Ascend 910C (every figure the fit uses is null; FP16 800 is no BF16 figure): nothing known
J="$TMP/h20.json"
expect_exit 0 "8 H20 vs 910B, 910C, H100 SXM: document made" \
	"$CHIPAUDIT" justify --workload $PRESET --model H20 --count 8 --vs "Ascend 910B" --vs "Ascend 910C" \
	--vs "H100 SXM" --destination CN --rules 2024-06-01 --format json -o "$J"
cand() { echo ".candidates[] | select(.model == \"$1\")"; }
jq_is "$(cand H20) | [.fit.counts[].units] | @csv" "2,5,1,1" "H20: memory 2, bandwidth 5, compute 1, interconnect 1" "$J"
jq_is "$(cand H20) | [.fit.units, .fit.limit, .fit.replica_units, .fit.power_w, .fit.meets] | @csv" \
	'6,"bandwidth",2,2400,true' "H20: 6 units, memory bandwidth, copies of 2, 2400 W, meets with 8 held" "$J"
jq_is "$(cand H20) | [.role, .count, .basis, .dense_tops_from] | @csv" '"in question",8,"declared","declared"' \
	"H20: in question, 8 held, declared" "$J"
jq_is "$(cand "H100 SXM") | [.fit.counts[].units] | @csv" "2,6,1,1" "H100 SXM: memory 2, bandwidth 6, compute 1, interconnect 1" "$J"
jq_is "$(cand "H100 SXM") | [.fit.units, .fit.limit, .fit.power_w, .fit.meets] | @csv" '6,"bandwidth",4200,true' \
	"H100 SXM: 6 units, memory bandwidth, 4200 W" "$J"
jq_is "$(cand "Ascend 910B") | [.fit.counts.memory.units, .fit.units, .fit.units_at_least, .fit.meets, .fit.power_w] | @csv" \
	"3,,3,," "Ascend 910B: memory 3, total unknown, at least 3, power unknown" "$J"
jq_is "$(cand "Ascend 910B") | .fit.blocked_by | join(\"; \")" \
	"memory bandwidth count: memory bandwidth unknown; dense compute count: dense bf16 throughput unknown; interconnect count: interconnect bandwidth unknown" \
	"Ascend 910B: each unknown figure names the count it blocks" "$J"
jq_is "$(cand "Ascend 910C") | [.fit.units, .fit.units_at_least, .fit.counts.memory.state, (.fit.blocked_by | length)] | @csv" \
	',,"unknown",4' "Ascend 910C: nothing known, four counts blocked" "$J"
jq_is "$(cand "Ascend 910B") | .declared.dense_tops | [.value, .sources] | @csv" "," \
	"a null figure cites no source" "$J"
jq_is "$(cand H20) | .declared.memory_gb.sources | join(\",\")" "T" "declared figures keep their sources" "$J"
jq_is '.sources.T.title | startswith("Tom'"'"'s Hardware")' "true" "the sources cited are listed with their titles" "$J"
jq_is '[.conclusion.meet[].model] | join(",")' "H20,H100 SXM" "conclusion: H20 and H100 SXM meet it" "$J"
jq_is '[.conclusion.unknown[].model] | join(",")' "Ascend 910B,Ascend 910C" "conclusion: the Ascend parts cannot be decided" "$J"
jq_is '.conclusion.none_meets' "false" "conclusion: some candidate meets it" "$J"

# ---- export status by destination and date ----
# 2024-06-01, China: the H100 SXM is 3A090.a, licence required, presumption
# of denial; the H20 (TPP 2368) needed no licence before NVIDIA's 2025 notice.
jq_is "$(cand "H100 SXM") | .export | [.eccn, .license_required, .license_policy] | @csv" \
	'"3A090.a",true,"presumption of denial"' "H100 SXM to China on 2024-06-01: licence required, presumption of denial" "$J"
jq_is "$(cand H20) | .export | [.eccn, .license_required] | @csv" '"none",false' "H20 to China on 2024-06-01: no licence" "$J"
# Country of the maker (data/vendors.json "makers"): NVIDIA's parts are bound
# by the US rules; Huawei's, headquartered in the destination, only if
# subject to the EAR, which is not assessed.
jq_is "$(cand "H100 SXM") | .export | [.maker_country, .subject_to_ear] | @csv" '"US",true' "H100 SXM: a US maker's part, bound" "$J"
jq_is "$(cand "Ascend 910B") | .export | [.maker_country, .subject_to_ear, .eccn, .license_required, .license_policy] | @csv" \
	'"CN",,"3A090.a",true,"presumption of denial"' "Ascend 910B: CN maker, EAR not assessed, the rules' answer kept" "$J"
jq_is "$(cand "Ascend 910C") | .export.notes[0]" \
	"Made by Huawei, headquartered in CN, the destination itself: a purchase there is not an export from the US; the US rules bind it only if the part is subject to the EAR (foreign direct product rules, US content above de minimis), which chipaudit does not assess" \
	"Ascend 910C: the note says a purchase in China is no US export" "$J"
jq_is '[.notes[] | select(test("bind a part of a maker headquartered outside the US"))] | length' "1" \
	"the document's note on makers outside the US" "$J"
expect_exit 0 "text with the Ascend parts" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "Ascend 910B" --vs Wormhole -d RU --rules 2024-06-01
expect_stdout "^Ascend 910B  .* if EAR-bound " "text table: the Ascend 910B's licence is qualified"
expect_stdout "export: ECCN 3A090.a \\(TPP 6016\\); licence required if subject to the EAR; policy: presumption of denial" \
	"text: the qualified licence spelled out"
expect_stdout "Made by Huawei, headquartered in CN, not a US company: the licence answer is what the US rules would require if the part is subject to the EAR" \
	"text: a third country (RU) reads the other wording"
expect_stdout "Where Tenstorrent is headquartered is not recorded in data/vendors.json" \
	"a maker with no sourced country: said, never taken for US"
# Russia (D:5), under today's rules: licence required, presumption of denial.
expect_exit 0 "H100 SXM to Russia" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" -d RU --rules 2026-12-03 \
	--format json -o "$TMP/ru.json"
jq_is "$(cand "H100 SXM") | .export | [.license_required, .license_policy] | @csv" 'true,"presumption of denial"' \
	"H100 SXM to Russia in 2026: licence required, presumption of denial" "$TMP/ru.json"
# Today's rules: the H20 needs a licence (the 2025 notice), with its terms cited.
expect_exit 0 "H20 under today's rules" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" -d CN --rules 2026-12-03 \
	--format json -o "$TMP/today.json"
jq_is "$(cand H20) | .export.license_required" "true" "H20 to China in 2026: licence required" "$TMP/today.json"
jq_is "$(cand H20) | .export.notes | map(select(test(\"company-specific licence notice\"))) | length" "1" \
	"H20 to China in 2026: the licence notice is cited" "$TMP/today.json"
expect_exit 0 "text form" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" -d CN --rules 2024-06-01
expect_stdout "^CANDIDATE .*HELD +BF16 TFLOPS +UNITS" "text: the table names the workload's precision"
expect_stdout "^H100 SXM .*alternative .*6 .*memory bandwidth .*4200 .*required" "text: H100 SXM row"
expect_stdout "licence required; policy: presumption of denial" "text: the policy of denial is shown"
# Default alternatives: what the rules deny is left out, and the note says so.
expect_exit 0 "default alternatives" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 -d CN --rules 2024-06-01 \
	--format json -o "$TMP/default.json"
jq_is "$(cand "H100 SXM") | .model" "" "default alternatives: H100 SXM, denied to China in 2024, left out" "$TMP/default.json"
jq_is '[.candidates[] | select(.role == "alternative")] | length > 0' "true" "default alternatives: some listed" "$TMP/default.json"
jq_is '[.notes[] | select(test("presumption of denial under the rules of 2024-06-01"))] | length' "1" \
	"default alternatives: the note counts those left out" "$TMP/default.json"
jq_is '[.candidates[] | select(.role == "alternative" and .export.subject_to_ear == true) | .export.license_policy] | map(select(. == "presumption of denial")) | length' \
	"0" "default alternatives: no US maker's part that is denied" "$TMP/default.json"
# A part whose maker is headquartered in the destination is not a US export:
# kept among the alternatives, its licence answer qualified.
jq_is '[.candidates[] | select(.role == "alternative" and .export.license_policy == "presumption of denial") | .export.maker_country] | unique | join(",")' \
	"CN" "default alternatives: the denied-if-bound ones are the Chinese makers' parts, kept" "$TMP/default.json"
jq_is "$(cand "Ascend 910B") | .export | [.maker_country, .subject_to_ear, .eccn, .license_required] | @csv" '"CN",,"3A090.a",true' \
	"Ascend 910B kept as an alternative: CN maker, EAR not assessed" "$TMP/default.json"

# ---- a workload no candidate meets ----
# 20000 tokens/s: H20 bandwidth ceil(20000 x 150.737 / 8 / 4000 = 94.2) = 95,
# whole copies of 2: 96 > 8; H100 SXM ceil(112.5) = 113 -> 114 > 8.
expect_exit 0 "unmeetable workload" "$CHIPAUDIT" justify -w "$FIX/70b-unmeetable.json" -m H20 -n 8 --vs "H100 SXM" \
	--format json -o "$TMP/none.json"
jq_is '[.candidates[].fit.units] | @csv' "96,114" "unmeetable: 96 H20, 114 H100 SXM" "$TMP/none.json"
jq_is '[.conclusion.none_meets, (.conclusion.do_not_meet | length)] | @csv' "true,2" "unmeetable: no candidate meets it" "$TMP/none.json"
expect_exit 0 "unmeetable, text" "$CHIPAUDIT" justify -w "$FIX/70b-unmeetable.json" -m H20 -n 8 --vs "H100 SXM"
expect_stdout "No candidate is shown to meet the workload" "unmeetable: the text says so"

# ---- audited units: measured BF16 40% below the declared 148 ----
# tests/fixtures/justify/h20x8-bf16-low.json: 8 H20, BF16 measured 90.1 on one
# and 88.8 (= 148 x 0.6) on seven. The fit takes the lowest, 88.8.
# Workload 70b-batch64 (batch 64, 5000 tokens/s, at most 8 units):
#   KV cache = 64 x 4096 x 327,680 = 85.899e9; M = 225.899e9 bytes
#   memory ceil(225.899 / 96 = 2.35) = 3; bandwidth ceil(5000 x 225.899 / 64 / 4000 = 4.41) = 5
#   compute declared ceil(700 / 148 = 4.73) = 5 -> largest 5, whole copies of 3: 6 <= 8, meets
#   compute measured ceil(700 / 88.8 = 7.88) = 8 -> 9 units, dense compute: 9 > 8, does not meet
"$CHIPAUDIT" judge "$FIX/h20x8-bf16-low.json" -o "$TMP/report.json" >/dev/null
expect_exit 0 "audited report" "$CHIPAUDIT" justify -w "$FIX/70b-batch64.json" --report "$TMP/report.json" \
	--vs "H100 SXM" --format json -o "$TMP/audited.json"
jq_is "$(cand H20) | [.role, .count, .basis, .dense_tops_from] | @csv" '"in question",8,"audited","measured"' \
	"audited: 8 H20 from the report, measured figures" "$TMP/audited.json"
jq_is "$(cand H20) | .measured | [.dense_tops, .units_measured, .ratio_to_declared] | @csv" "88.8,8,0.6" \
	"audited: BF16 88.8 measured on the slowest of 8, 0.6 of declared" "$TMP/audited.json"
jq_is "$(cand H20) | [.fit.counts.compute.units, .fit.units, .fit.limit, .fit.meets] | @csv" '8,9,"compute",false' \
	"audited: measured BF16 sets 9 units by dense compute: 8 do not meet it" "$TMP/audited.json"
jq_is "$(cand H20) | .fit.counts.compute.per_unit" "88800000000000" "audited: the fit's per-unit compute is the measured figure" "$TMP/audited.json"
jq_is "$(cand H20) | .audits[0] | [.hostname, (.failing | map(.check) | index(\"killswitch.performance_below_spec\") != null)] | @csv" \
	'"gpu-h20-01",true' "audited: the report's failing checks are carried" "$TMP/audited.json"
expect_exit 0 "declared, same workload" "$CHIPAUDIT" justify -w "$FIX/70b-batch64.json" -m H20 -n 8 --format json \
	--vs "H100 SXM" -o "$TMP/declared.json"
jq_is "$(cand H20) | [.fit.counts.compute.units, .fit.units, .fit.limit, .fit.meets] | @csv" '5,6,"bandwidth",true' \
	"declared: 6 units by memory bandwidth, meets" "$TMP/declared.json"
expect_exit 0 "audited, text" "$CHIPAUDIT" justify -w "$FIX/70b-batch64.json" --report "$TMP/report.json" --vs "H100 SXM"
expect_stdout "measured: dense bf16 88.8 TFLOPS, the lowest of 8 audited units, 0.60 of declared \(-40%\)" \
	"audited, text: the measured figure and its ratio"
expect_stdout "^H20 .*in question 8 +88.8 measured +9 +dense compute" "audited, text: the table shows the measured figure"

# A fleet: the eight above and a healthy H20 of another host (BF16 142), named
# in a file: 9 units held, 9 measured, the lowest still 88.8, two audits.
"$CHIPAUDIT" judge "$FIXTURES/measured/h20-healthy.json" -o "$TMP/report2.json" >/dev/null
printf '%s\n\n%s\n' "$TMP/report.json" "$TMP/report2.json" >"$TMP/fleet.txt"
expect_exit 0 "fleet reports from --files-from" "$CHIPAUDIT" justify -w "$FIX/70b-batch64.json" --files-from "$TMP/fleet.txt" \
	--vs "H100 SXM" --format json -o "$TMP/fleet.json"
jq_is "$(cand H20) | [.count, .measured.units_measured, .measured.dense_tops, (.audits | length)] | @csv" "9,9,88.8,2" \
	"fleet: 9 H20 held, 9 measured, the lowest 88.8, two audits" "$TMP/fleet.json"
jq_is "$(cand H20) | [.fit.units, .fit.meets] | @csv" "9,true" "fleet: 9 units needed, 9 held: meets" "$TMP/fleet.json"
expect_exit 66 "--files-from naming a missing report" "$CHIPAUDIT" justify -w $PRESET --files-from <(echo "$TMP/none/r.json")
printf 'a\0b\n' >"$TMP/nul.txt"
expect_exit 65 "--files-from with a NUL byte" "$CHIPAUDIT" justify -w $PRESET --files-from "$TMP/nul.txt"

# A fleet as the collector sums it (tests/fixtures/justify/fleet-summary.json,
# the shape of `chipaudit-collector query summary --json`): 1000 hosts, 6000
# H20, 2000 H100 SXM and 5 of no known model. The 70B workload needs 6 H20
# (bandwidth) or 6 H100 SXM: both held many times over.
expect_exit 0 "fleet summary" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$FIX/fleet-summary.json" -d CN \
	--rules 2024-06-01 --vs "Ascend 910B" --format json -o "$TMP/fs.json"
jq_is "[.candidates[] | select(.role == \"in question\") | \"\(.model)=\(.count)/\(.basis)\"] | join(\",\")" \
	"H20=6000/fleet summary,H100 SXM=2000/fleet summary" "fleet summary: units per model, basis named" "$TMP/fs.json"
jq_is '.fleets[0] | [.hosts, .accelerators, ([.by_trust_level[] | "\(.trust_level)=\(.hosts)"] | join(" "))] | @csv' \
	'1000,8005,"2=12 3=980 null=8"' "fleet summary: hosts, accelerators, trust levels kept" "$TMP/fs.json"
jq_is '[.fleets[0].failing_checks[] | "\(.check)=\(.failing_subjects)"] | join(",")' \
	"killswitch.clocks_capped=40,backdoor.iommu.passthrough=10" "fleet summary: failing checks, most first" "$TMP/fs.json"
jq_is '[.notes[] | select(test("5 accelerators of model \\(unknown\\) are not in data/accelerators.json"))] | length' "1" \
	"fleet summary: the units of no known model are said, not sized" "$TMP/fs.json"
jq_is "$(cand H20) | [.fit.units, .fit.meets] | @csv" "6,true" "fleet summary: 6 H20 needed, 6000 held" "$TMP/fs.json"
expect_exit 0 "fleet summary, text" "$CHIPAUDIT" justify -w $PRESET --fleet-summary - -d CN --rules 2024-06-01 <"$FIX/fleet-summary.json"
expect_stdout "^Fleet summary <stdin>: 1000 hosts, 8005 accelerators" "fleet summary, text: read from standard input"
expect_stdout "^  trust: level 2: 12 hosts, level 3: 980 hosts, no report yet: 8 hosts" "fleet summary, text: trust levels"
expect_stdout "^  failing: killswitch.clocks_capped on 40 subjects" "fleet summary, text: failing checks"
# The collector's HTTP answer is read as well.
jq '{status: "answered", answer: .}' "$FIX/fleet-summary.json" >"$TMP/fs-http.json"
expect_exit 0 "fleet summary: GET /v1/query/summary's answer" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$TMP/fs-http.json"
# Bad summaries: each refused (65) with the file and the member named.
bad_summary() { # NAME JQ-EDIT EXPECTED-ERROR
	jq "$2" "$FIX/fleet-summary.json" >"$TMP/bad-fs.json"
	expect_exit 65 "fleet summary: $1" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$TMP/bad-fs.json"
	expect_stderr_line "^chipaudit: --fleet-summary $TMP/bad-fs.json: $3\$" "fleet summary: $1, named"
}
bad_summary "counts that do not add up" '.by_model[0].accelerators = 6001' \
	"by_model: accelerators add up to 8006, not the accelerators 8005"
bad_summary "hosts that do not add up" '.hosts = 999' "by_trust_level: hosts add up to 1000, not the hosts 999"
bad_summary "a model named twice" '.by_model[1].model = "H20"' "by_model\\[1\\].model: named twice"
bad_summary "a negative count" '.checks[0].fail = -1' "checks\\[0\\].fail: expected a whole number from 0 to 2\\^53"
sed 's/"hosts": 1000,/"hosts": 9007199254740993,/' "$FIX/fleet-summary.json" >"$TMP/big-fs.json"
expect_exit 65 "fleet summary: a count past 2^53" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$TMP/big-fs.json"
expect_stderr_line "^chipaudit: --fleet-summary $TMP/big-fs.json: summary.hosts: expected a whole number from 0 to 2\\^53\$" \
	"fleet summary: a count past 2^53, named"
bad_summary "a fractional count" '.by_model[2].accelerators = 5.5' "by_model\\[2\\].accelerators: expected a whole number from 0 to 2\\^53"
bad_summary "an unknown member" '.extra = 1' 'summary.extra: unknown member'
bad_summary "a trust level out of range" '.by_trust_level[0].trust_level = 1001' \
	"by_trust_level\\[0\\].trust_level: expected a whole number from 0 to 1000, or null"
bad_summary "a control character in a name" '.checks[0].check = "a\u001bb"' "checks\\[0\\].check: contains a control character"
bad_summary "not an object" '[.]' "expected an object \\(chipaudit-collector query summary --json\\)"
printf '{"hosts": 1, "hosts": 2}' >"$TMP/dup-fs.json"
expect_exit 65 "fleet summary: a duplicate key" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$TMP/dup-fs.json"
expect_stderr_line "^chipaudit: --fleet-summary $TMP/dup-fs.json:1:[0-9]+: duplicate object key" "fleet summary: duplicate key named"
head -c 100 "$FIX/fleet-summary.json" >"$TMP/cut-fs.json"
expect_exit 65 "fleet summary: truncated" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$TMP/cut-fs.json"
expect_exit 66 "fleet summary: missing file" "$CHIPAUDIT" justify -w $PRESET --fleet-summary "$TMP/nowhere/none.json"

# An H20 that measures BF16 at 415 (tests/fixtures/measured/h20-unlocked.json):
# TPP 415 x 16 = 6640 >= 4800, 3A090.a as measured, stricter than the declared
# class (none); the document says so beside the declared status.
"$CHIPAUDIT" judge "$FIXTURES/measured/h20-unlocked.json" -o "$TMP/unlocked.json" >/dev/null
expect_exit 0 "unlocked H20" "$CHIPAUDIT" justify -w $PRESET --report "$TMP/unlocked.json" -d CN --rules 2026-12-03 \
	--vs "H100 SXM" --format json -o "$TMP/unl.json"
jq_is "$(cand H20) | .export | [.eccn, .measured.eccn, .measured.tpp, .measured.stricter_than_declared] | @csv" \
	'"none","3A090.a",6640,true' "unlocked H20: 3A090.a as measured, stricter than declared" "$TMP/unl.json"
jq_is "$(cand H20) | .export.measured" "null" "8 H20 declared: no measured class" "$J"

# ---- training, price ----
# llm-70b-bf16-training: memory 70e9 x (2 + 2 + 12) = 1120e9 / 96e9 = 11.7 -> 12;
# compute 100000 x 6 x 70e9 = 42000 TFLOP/s / 148 = 283.8 -> 284 -> whole copies of 12: 288.
expect_exit 0 "training preset, price" "$CHIPAUDIT" justify -w llm-70b-bf16-training -m H20 -n 8 --vs "H100 SXM" \
	--price H20=12000 --format json -o "$TMP/train.json"
jq_is "$(cand H20) | [.fit.counts.memory.units, .fit.counts.compute.units, .fit.units, .fit.limit, .fit.cost, .price] | @csv" \
	'12,284,288,"compute",3456000,12000' "training: 12 per copy, 284 by compute, 288 units, cost 288 x 12000" "$TMP/train.json"
jq_is "$(cand H20) | [.fit.counts.bandwidth.state, .fit.counts.interconnect.state] | @csv" '"not a limit","not a limit"' \
	"training: bandwidth and interconnect not modelled, said so" "$TMP/train.json"

# ---- signed as reports are ----
"$CHIPAUDIT" keygen >/dev/null 2>&1
expect_exit 0 "signed" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" --format json -o "$TMP/signed.json" --sign
expect_exit 0 "chipaudit verify accepts the signed document" "$CHIPAUDIT" verify "$TMP/signed.json"
if openssl pkeyutl -verify -pubin -inkey "$CHIPAUDIT_STATE/host.pub.pem" -rawin -in "$TMP/signed.json" \
	-sigfile "$TMP/signed.json.sig" >/dev/null 2>&1; then pass "openssl verifies the signed document"
else fail "openssl verifies the signed document"; fi
printf ' ' >>"$TMP/signed.json"
expect_exit 10 "chipaudit verify refuses an altered document" "$CHIPAUDIT" verify "$TMP/signed.json"
expect_exit 0 "signed HTML" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" --format html -o "$TMP/signed.html" --sign
if openssl pkeyutl -verify -pubin -inkey "$CHIPAUDIT_STATE/host.pub.pem" -rawin -in "$TMP/signed.html" \
	-sigfile "$TMP/signed.html.sig" >/dev/null 2>&1; then pass "openssl verifies the signed HTML page"
else fail "openssl verifies the signed HTML page"; fi

expect_exit 66 "--sign without a host key" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" -o "$TMP/nokey.json" \
	--sign --state "$TMP/nokey"
expect_stderr_line 'host.key.pem: .*chipaudit keygen' "--sign without a host key: one line, nothing written"
[ ! -e "$TMP/nokey.json" ] && [ ! -e "$TMP/nokey.json.sig" ] && pass "--sign without a host key: no document left" \
	|| fail "--sign without a host key: no document left"

# ---- HTML: self-contained, charted, escaped ----
expect_exit 0 "HTML" "$CHIPAUDIT" justify -w "$FIX/hostile-name.json" -m H20 -n 8 --vs "Ascend 910B" --format html -o "$TMP/page.html"
if grep -q '<svg' "$TMP/page.html" && ! grep -Eq '(src|href)="?(https?:)?//' "$TMP/page.html"; then
	pass "HTML: an inline SVG chart, nothing loaded from elsewhere"
else fail "HTML: an inline SVG chart, nothing loaded from elsewhere" "$(head -c 400 "$TMP/page.html")"; fi
if grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$TMP/page.html" && ! grep -q '<script' "$TMP/page.html"; then
	pass "HTML: a hostile workload name is escaped"
else fail "HTML: a hostile workload name is escaped" "$(grep -o '.\{20\}script.\{20\}' "$TMP/page.html" | head -3)"; fi
if "${SYS_PYTHON:-python3}" - "$TMP/page.html" <<'EOF'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []
    def handle_starttag(self, tag, attrs):
        if tag not in ("meta", "br", "rect", "line", "path"): self.stack.append(tag)
    def handle_startendtag(self, tag, attrs): pass
    def handle_endtag(self, tag):
        if tag in ("rect", "line", "path"): return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-4:])
        self.stack.pop()
p = P(); p.feed(open(sys.argv[1]).read()); p.close()
assert p.stack == [], p.stack
EOF
then pass "HTML: tags balanced"; else fail "HTML: tags balanced"; fi

# ---- bad input ----
expect_exit 64 "unknown --model" "$CHIPAUDIT" justify -w $PRESET -m H2O -n 8
expect_stderr_line '--model "H2O": not in data/accelerators.json; close matches: .*H20' "unknown --model: close matches offered"
expect_exit 64 "unknown --vs" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "Ascend 910X"
expect_stderr_line '--vs "Ascend 910X": not in data/accelerators.json; close matches: .*Ascend 910' "unknown --vs: close matches offered"
expect_exit 64 "--model without --count" "$CHIPAUDIT" justify -w $PRESET -m H20
expect_stderr_line 'give its --count N' "--model without --count: one line"
for n in 0 -3 2.5 1e9 x; do
	expect_exit 64 "--count $n refused" "$CHIPAUDIT" justify -w $PRESET -m H20 -n "$n"
done
expect_exit 64 "--count before --model" "$CHIPAUDIT" justify -w $PRESET -n 8 -m H20
expect_exit 64 "nothing in question" "$CHIPAUDIT" justify -w $PRESET --vs H20
expect_exit 64 "no workload" "$CHIPAUDIT" justify -m H20 -n 8
expect_exit 64 "unknown preset" "$CHIPAUDIT" justify -w llm-9000b -m H20 -n 8
expect_stderr_line 'neither a file nor a preset \(presets: .*llm-70b-bf16-inference' "unknown preset: the presets listed"
expect_exit 64 "bad --price" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --price H20=-5
expect_exit 64 "--price of no candidate" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --vs "H100 SXM" --price "H200 SXM=1"
expect_exit 64 "bad --format" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --format xml
expect_exit 64 "--sign without -o" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --sign
expect_exit 64 "bad --rules" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 --rules 2024-13-01
expect_exit 64 "bad --destination" "$CHIPAUDIT" justify -w $PRESET -m H20 -n 8 -d ZZ
expect_exit 66 "missing workload file" "$CHIPAUDIT" justify -w "$TMP/none/w.json" -m H20 -n 8
expect_exit 66 "missing report" "$CHIPAUDIT" justify -w $PRESET --report "$TMP/none/r.json"
printf '{"schema_version": 2}' >"$TMP/bad-report.json"
expect_exit 65 "malformed report" "$CHIPAUDIT" justify -w $PRESET --report "$TMP/bad-report.json"
expect_stderr_line "bad-report.json: " "malformed report: one line naming the file"
# Malformed workloads: one line naming the file and the member, exit 65.
base=$(cat "$SRCDIR/data/workloads/$PRESET.json")
bad_workload() {  # NAME JQ-EXPR PATTERN
	jq "$2" <<<"$base" >"$TMP/w.json"
	expect_exit 65 "workload: $1" "$CHIPAUDIT" justify -w "$TMP/w.json" -m H20 -n 8
	expect_stderr_line "w.json.*$3" "workload: $1: one line naming the problem"
}
bad_workload "negative parameters" '.parameters = -70e9' 'parameters: .* out of range'
bad_workload "absurd parameters" '.parameters = 1e30' 'parameters: .* out of range'
bad_workload "zero batch" '.batch = 0' 'batch: .* out of range'
bad_workload "fractional layers" '.layers = 80.5' 'layers: 80.5 is not a whole number'
bad_workload "absurd target" '.target_tokens_per_s = 1e20' 'target_tokens_per_s: .* out of range'
bad_workload "string for a number" '.context_tokens = "4096"' 'context_tokens: expected a number'
bad_workload "unknown kind" '.kind = "serving"' 'kind: "serving" is neither'
bad_workload "unknown precision" '.precision = "bf17"' 'precision: "bf17" is not one of'
bad_workload "unknown member" '.paramters = 1' 'paramters'
bad_workload "wrong schema" '.schema = "chipaudit-workload/9"' 'schema: '
bad_workload "missing parameters" 'del(.parameters)' 'parameters'
bad_workload "control character" '.name = "a\u0007b"' 'name: control characters'
printf '{"schema": "chipaudit-workload/1", "name": "x", "kind": "inf' >"$TMP/w.json"
expect_exit 65 "workload: truncated" "$CHIPAUDIT" justify -w "$TMP/w.json" -m H20 -n 8
expect_stderr_line 'w.json:1:' "workload: truncated: one line with the position"
: >"$TMP/w.json"
expect_exit 65 "workload: empty" "$CHIPAUDIT" justify -w "$TMP/w.json" -m H20 -n 8
head -c 70000 /dev/zero | tr '\0' ' ' >"$TMP/w.json"
expect_exit 65 "workload: too large" "$CHIPAUDIT" justify -w "$TMP/w.json" -m H20 -n 8
if "$CHIPAUDIT" justify -w - -m H20 -n 8 --format json <"$FIX/70b-batch64.json" >"$TMP/stdin.json" 2>"$TMP/err" &&
	[ "$(jq -r .workload.name "$TMP/stdin.json")" = 70b-batch64 ]; then pass "--workload -: standard input"
else fail "--workload -: standard input" "$(head -c 300 "$TMP/err")"; fi
printf '{' | "$CHIPAUDIT" justify -w - -m H20 -n 8 >/dev/null 2>"$TMP/err"
[ $? -eq 65 ] && grep -q '^chipaudit: <stdin>:1:' "$TMP/err" && pass "--workload -: malformed, named <stdin>" \
	|| fail "--workload -: malformed, named <stdin>" "$(cat "$TMP/err")"
expect_exit 0 "--help" "$CHIPAUDIT" justify --help
expect_stdout "--workload FILE\|PRESET" "--help names --workload"
# Every option of the help is in the manual page (roff spells a dash \-).
missing=""
for opt in $(grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' "$TMP/out" | sed -E 's/^ +(-[a-zA-Z], )?//'); do
	grep -qF -- "$(sed 's/-/\\-/g' <<<"$opt")" "$SRCDIR/docs/chipaudit.1" || missing="$missing $opt"
done
[ -z "$missing" ] && pass "every option of --help in docs/chipaudit.1" || fail "every option of --help in docs/chipaudit.1" "missing:$missing"
grep -q '^\.B justify\b' "$SRCDIR/docs/chipaudit.1" && pass "justify in docs/chipaudit.1" || fail "justify in docs/chipaudit.1"
# The completion script offers the command and its --format values.
"$CHIPAUDIT" completion bash >"$TMP/completion.bash"
grep -q 'justify' "$TMP/completion.bash" && grep -q 'text json html' "$TMP/completion.bash" \
	&& pass "bash completion: justify and its formats" || fail "bash completion: justify and its formats"

finish
