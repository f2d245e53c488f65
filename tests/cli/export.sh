#!/usr/bin/env bash
# chipaudit classify and the export checks: models, specs, rule dates,
# destinations, measured figures, and hostile input (one line, a sysexits code).
. "$(dirname "$0")/lib.sh"

# ---- models ----
"$CHIPAUDIT" classify --model H20 --rules 2024-01-01 --json >"$TMP/h20.json"
jq_is '.chips[0] | [.eccn, .paragraph, .tpp, .tpp_precision, .rules] | join(" ")' "none none 2368 bf16 2023-10" \
	"H20: not 3A090 under the 2023 rules, TPP 2368 from bf16" "$TMP/h20.json"
jq_is '.chips[0].performance_density * 100 | round' 291 "H20: PD 2.91" "$TMP/h20.json"
jq_is '.chips[0].license_required' null "no destination: license_required null" "$TMP/h20.json"
jq_is '[.chips[0].tests[] | "\(.paragraph)=\(.met)"] | join(" ")' \
	"3A090.a.1=false 3A090.a.2=false 3A090.b.1=false 3A090.b.2=false" "H20: every paragraph tested and missed" "$TMP/h20.json"
expect_exit 0 "H20 as a table" "$CHIPAUDIT" classify --model h20 --rules 2024-01-01
expect_stdout '3A090\.b\.1 +no +TPP 2368 >= 2400 \(misses by 32\)' "table shows b.1 missed by 32"
expect_stdout 'PD 2\.91 >= 3\.20 \(misses by 0\.29\)' "table shows b.2 missed on PD"
expect_stdout 'TPP 2368 = 148 x 16 \(bf16\); PD 2\.91 = TPP / 814 mm\^2' "table shows the TPP and PD working"

"$CHIPAUDIT" classify --model "h100 sxm" --rules 2024-01-01 --json >"$TMP/h100.json"
jq_is '.chips[0] | "\(.name) \(.eccn) \(.paragraph) \(.tpp)"' "H100 SXM 3A090.a 3A090.a.1 15832" \
	"model names are case-insensitive; H100 SXM is 3A090.a.1" "$TMP/h100.json"
"$CHIPAUDIT" classify --model A800 --rules 2023-06-01 --json >"$TMP/a800-2022.json"
jq_is '.chips[0] | "\(.rules) \(.eccn)"' "2023-01 none" "A800 not controlled under the 2022 rule" "$TMP/a800-2022.json"
jq_is '.chips[0].tests[0].conditions[1] | "\(.metric) \(.value) \(.margin)"' "interconnect_bandwidth_gbs 400 -200" \
	"A800 misses the 600 GB/s interconnect test by 200" "$TMP/a800-2022.json"
"$CHIPAUDIT" classify --model A800 --rules 2023-11-17 --json >"$TMP/a800-2023.json"
jq_is '.chips[0] | "\(.rules) \(.eccn) \(.paragraph)"' "2023-10 3A090.a 3A090.a.1" "A800 3A090.a under the 2023 rule" "$TMP/a800-2023.json"
"$CHIPAUDIT" classify --model H100\ SXM --rules 2022-01-01 --json >"$TMP/old.json"
jq_is '.chips[0] | "\(.rules) \(.eccn)"' "none none" "no rule before 2022-10-21" "$TMP/old.json"
SOURCE_DATE_EPOCH=1764403200 "$CHIPAUDIT" classify --model H20 --json >"$TMP/today.json"
jq_is '.rules_date' 2025-11-29 "default rules date: today (SOURCE_DATE_EPOCH)" "$TMP/today.json"

# ---- destinations ----
"$CHIPAUDIT" classify --model "H100 SXM" --rules 2024-01-01 --destination cn --json >"$TMP/cn.json"
jq_is '.chips[0] | "\(.license_required) \(.license_policy)"' "true presumption of denial" "H100 to China: licence, presumption of denial" "$TMP/cn.json"
jq_is '.chips[0].destination.groups | join(",")' "D:1,D:4,D:5" "China's country groups" "$TMP/cn.json"
"$CHIPAUDIT" classify --model "H100 SXM" --rules 2024-01-01 --destination HK --json >"$TMP/hk.json"
jq_is '.chips[0] | "\(.destination.treated_as) \(.license_required)"' "CN true" "Hong Kong treated as China" "$TMP/hk.json"
"$CHIPAUDIT" classify --model "H100 SXM" --rules 2024-01-01 --destination IL --json >"$TMP/il.json"
jq_is '.chips[0].license_required' false "Israel: D:4 but also A:6, no licence" "$TMP/il.json"
"$CHIPAUDIT" classify --model "H100 SXM" --rules 2024-01-01 --destination KZ --json >"$TMP/kz.json"
jq_is '.chips[0].license_required' null "Kazakhstan: A:6 membership uncertain, unknown" "$TMP/kz.json"
"$CHIPAUDIT" classify --model H20 --rules 2025-05-01 --destination CN --json >"$TMP/h20cn.json"
jq_is '.chips[0] | "\(.eccn) \(.license_required)"' "none true" "H20 to China after the April 2025 notice: licence although not 3A090" "$TMP/h20cn.json"
expect_exit 0 "destination as a table" "$CHIPAUDIT" classify --model H200 --rules 2026-02-01 --destination CN
expect_stdout 'licence to CN \(China\): required; policy: case-by-case review' "H200 to China in 2026: case-by-case"

# ---- specs ----
cat >"$TMP/spec.json" <<'EOF'
{"name": "Mystery X1", "dense_tops": {"bf16": 150, "int8": 300}, "die_area_mm2": 1000, "datacenter": true,
 "memory_bandwidth_gbs": 3000, "interconnect_bandwidth_gbs": 400}
EOF
"$CHIPAUDIT" classify --spec "$TMP/spec.json" --rules 2024-05-01 --destination VN --json >"$TMP/spec-out.json"
jq_is '.chips[0] | "\(.name) \(.eccn) \(.paragraph) \(.license_required) \(.license_exceptions[0].name)"' \
	"Mystery X1 3A090.b 3A090.b.1 true ACA" "spec: 3A090.b.1, ACA to Vietnam" "$TMP/spec-out.json"
"$CHIPAUDIT" classify --spec - --rules 2024-05-01 --json <"$TMP/spec.json" >"$TMP/spec-stdin.json"
jq_is '.chips[0].eccn' 3A090.b "spec from standard input" "$TMP/spec-stdin.json"
echo '{"name": "half", "dense_tops": {"bf16": 200}, "datacenter": true}' >"$TMP/noarea.json"
"$CHIPAUDIT" classify --spec "$TMP/noarea.json" --rules 2024-05-01 --json >"$TMP/noarea-out.json"
jq_is '.chips[0] | "\(.eccn) \(.undecided)"' "null cannot decide between 3A090.a, 3A090.b and none: die area unknown" \
	"spec without die area: says it cannot decide" "$TMP/noarea-out.json"

# ---- usage errors (64) ----
expect_exit 64 "unknown model" "$CHIPAUDIT" classify --model H2O
expect_stderr_line '--model "H2O": not in data/accelerators.json; close matches: H20, ' "unknown model lists close matches"
expect_exit 64 "bad --rules date" "$CHIPAUDIT" classify --model H20 --rules 2024-02-30
expect_stderr_line '--rules "2024-02-30": expected a date YYYY-MM-DD' "bad date named"
expect_exit 64 "bad destination" "$CHIPAUDIT" classify --model H20 --destination China
expect_stderr_line '"China" is not an ISO 3166-1 alpha-2 country code' "bad destination named"
expect_exit 64 "unknown destination code" "$CHIPAUDIT" classify --model H20 --destination QQ
expect_stderr_line '"QQ" is not an ISO 3166-1 alpha-2 country code known to data/country-groups.json' "unknown code named"
expect_exit 64 "two sources" "$CHIPAUDIT" classify --model H20 --spec "$TMP/spec.json"
expect_exit 64 "stray argument" "$CHIPAUDIT" classify H20
expect_exit 0 "help" "$CHIPAUDIT" classify --help

# ---- a family name: answered when every variant gives the same answer ----
# A100 SXM4 64GB and the PG506 boards have no throughput figures in
# data/accelerators.json: they are undecided, which differs from their
# siblings' 3A090.a, so "A100" is refused.
expect_exit 64 "A100: an undecided variant differs, refused" "$CHIPAUDIT" classify --model A100 --rules 2025-06-01 --destination CN
expect_stderr_line '^chipaudit: --model "A100": its 7 variants in data/accelerators.json classify differently \(A100 SXM4 40GB: 3A090\.a \(3A090\.a\.1\), licence required; A100 SXM4 80GB: 3A090\.a \(3A090\.a\.1\), licence required; A100 SXM4 64GB: undecided, licence unknown; A100 PCIe 40GB: 3A090\.a \(3A090\.a\.1\), licence required; A100 PCIe 80GB: 3A090\.a \(3A090\.a\.1\), licence required; A100 PG506-207: undecided, licence unknown; A100 PG506-217: undecided, licence unknown\); give one of them$' \
	"A100 refused: every variant with its answer"
# With the 64GB given the 80GB's figures, every variant classifies the same: answered.
mkdir -p "$TMP/data-a100"
cp "$SRCDIR"/data/*.json "$TMP/data-a100/"
jq '(.models[] | select(.name == "A100 SXM4 80GB") | .dense_tops) as $t | (.models[] | select((.name | startswith("A100 ")) and .dense_tops.bf16 == null) | .dense_tops) = $t' \
	"$SRCDIR/data/accelerators.json" >"$TMP/data-a100/accelerators.json"
expect_exit 0 "A100: every variant the same, answered" "$CHIPAUDIT" --data-dir "$TMP/data-a100" classify --model a100 --rules 2025-06-01 --destination CN
expect_stdout '^"a100" names 7 models in data/accelerators.json, all 3A090\.a \(3A090\.a\.1\), licence required: A100 SXM4 40GB, A100 SXM4 80GB, A100 SXM4 64GB, A100 PCIe 40GB, A100 PCIe 80GB, A100 PG506-207, A100 PG506-217\.$' \
	"A100: the answer and the variants it covers"
"$CHIPAUDIT" --data-dir "$TMP/data-a100" classify --model A100 --rules 2025-06-01 --destination CN --json >"$TMP/a100.json"
jq_is '.family | "\(.name): \(.variants | join(", "))"' "A100: A100 SXM4 40GB, A100 SXM4 80GB, A100 SXM4 64GB, A100 PCIe 40GB, A100 PCIe 80GB, A100 PG506-207, A100 PG506-217" \
	"A100 JSON: the family and its variants" "$TMP/a100.json"
jq_is '[.chips[] | "\(.eccn) \(.paragraph) \(.license_required)"] | unique | join(";")' "3A090.a 3A090.a.1 true" \
	"A100 JSON: each variant classified, one answer" "$TMP/a100.json"
"$CHIPAUDIT" classify --model Biren --rules 2025-06-01 --json >"$TMP/biren.json"
jq_is '"\(.family.variants | join(",")) \([.chips[].eccn] | unique | join(","))"' "Biren BR100,Biren BR104 3A090.a" \
	"a family whose figures agree without a destination" "$TMP/biren.json"
expect_exit 64 "RTX: variants of different classes, refused" "$CHIPAUDIT" classify --model RTX --rules 2025-06-01
expect_stderr_line '^chipaudit: --model "RTX": its [0-9]+ variants .* classify differently \(RTX 4090: 3A090\.a \(3A090\.a\.1\); RTX 4090 D: none; ' \
	"RTX refused: the differing answers named"
expect_exit 64 "a name that is only a prefix of a word is no family" "$CHIPAUDIT" classify --model H10
expect_stderr_line 'close matches: ' "H10: close matches, as before"

# ---- bad specs (65, 66) ----
badspec() { # NAME CONTENT PATTERN
	printf '%s' "$2" >"$TMP/$1.json"
	expect_exit 65 "spec: $1" "$CHIPAUDIT" classify --spec "$TMP/$1.json"
	expect_stderr_line "$1.json$3" "spec $1 named"
}
badspec missing-name '{"dense_tops": {"bf16": 148}}' ': spec.name: missing'
badspec nothing '{"name": "x"}' ': spec: nothing to classify'
badspec negative '{"name": "x", "dense_tops": {"bf16": 148}, "die_area_mm2": -814}' ': spec.die_area_mm2: -814 is negative'
badspec zero-area '{"name": "x", "dense_tops": {"bf16": 148}, "die_area_mm2": 0}' ': spec.die_area_mm2: must be greater than 0'
badspec non-numeric '{"name": "x", "dense_tops": {"bf16": "148"}}' ': spec.dense_tops.bf16: expected a number'
badspec absurd '{"name": "x", "dense_tops": {"bf16": 1e12}}' ': spec.dense_tops.bf16: 1e\+12 is not plausible'
badspec precision '{"name": "x", "dense_tops": {"bf17": 1}}' ': spec.dense_tops.bf17: unknown precision'
badspec typo '{"name": "x", "dense_tops": {"bf16": 1}, "die_areamm2": 814}' ': spec.die_areamm2: unknown member'
badspec array '[1, 2]' ': spec: expected a JSON object'
badspec truncated '{"name": "x", "dense_tops": {"bf16"' ':[0-9]+:[0-9]+: '
badspec overflow '{"name": "x", "dense_tops": {"bf16": 1e999}}' ':[0-9]+:[0-9]+: real number overflow'
badspec duplicate '{"name": "x", "name": "y", "dense_tops": {"bf16": 1}}' ':1:[0-9]+: duplicate object key'
: >"$TMP/empty.json"
expect_exit 65 "spec: empty" "$CHIPAUDIT" classify --spec "$TMP/empty.json"
expect_stderr_line 'empty.json: empty file' "empty spec named"
printf '{"name":"x"}\0' >"$TMP/nul.json"
expect_exit 65 "spec: NUL byte" "$CHIPAUDIT" classify --spec "$TMP/nul.json"
expect_stderr_line 'nul.json: contains a NUL byte' "NUL byte named"
python3 -c 'print("{\"a\":" * 50000 + "1" + "}" * 50000)' >"$TMP/deep.json"
expect_exit 65 "spec: deep nesting" "$CHIPAUDIT" classify --spec "$TMP/deep.json"
expect_stderr_line 'deep.json:1:[0-9]+: maximum parsing depth reached' "deep nesting refused"
expect_exit 66 "spec: missing file" "$CHIPAUDIT" classify --spec "$TMP/nowhere.json"
expect_stderr_line 'nowhere.json: No such file or directory' "missing spec named"

# ---- broken data files (78) ----
mkdir -p "$TMP/data"
cp "$SRCDIR"/data/*.json "$TMP/data/"
jq '.rule_sets[2].paragraphs[0].conditions[0].op = "=>"' "$SRCDIR/data/export-rules.json" >"$TMP/data/export-rules.json"
expect_exit 78 "broken export-rules.json" "$CHIPAUDIT" --data-dir "$TMP/data" classify --model H20
expect_stderr_line 'export-rules.json: rule_sets\[2\]\.paragraphs\[0\]\.conditions\[0\]\.op: expected >=, >, < or <=' "broken rule named"
cp "$SRCDIR/data/export-rules.json" "$TMP/data/"
jq '.groups[4].members += ["XX"]' "$SRCDIR/data/country-groups.json" >"$TMP/data/country-groups.json"
expect_exit 78 "broken country-groups.json" "$CHIPAUDIT" --data-dir "$TMP/data" classify --model H20
expect_stderr_line 'country-groups.json: groups\[4\]\.members\[[0-9]+\]: "XX" is not a code listed in countries' "broken group named"

# ---- the machine (fixture trees) ----
"$CHIPAUDIT" classify --root "$FIXTURES/mixed/root" --rules 2025-01-01 --json >"$TMP/mixed.json"
jq_is '[.chips[] | "\(.pci_address)=\(.eccn)"] | join(" ")' "0000:01:00.0=3A090.a 0000:41:00.0=3A090.a 0000:81:00.0=3A090.a 0000:b4:00.0=3A090.a" \
	"mixed: H100 SXM, MI300X, Ascend 910B (TPP 6016) and Gaudi2 (TPP 6920) 3A090.a" "$TMP/mixed.json"
expect_exit 0 "no accelerator" "$CHIPAUDIT" classify --root "$FIXTURES/vm/root"
expect_stdout 'No accelerator found' "vm: nothing to classify"

# ---- measured figures: classify and judge ----
"$CHIPAUDIT" facts --root "$FIXTURES/h20x8/root" >"$TMP/facts.json"
# An H20 measuring like an H100 (dense BF16 780.2 TFLOPS), another as H20s
# measure in public (~142), the rest not measured.
# measured figures in the shape `chipaudit measure` writes (docs/measure.md)
measured() { # BF16 TFLOPS -> a quick measurement with only BF16 measured
	echo '{"dense_tops": {"fp64": null, "fp32": null, "tf32": null, "bf16": '"$1"', "fp16": null, "fp8": null, "int8": null, "int4": null, "fp4": null}, "approximate": {"bf16": false}, "method": "cublaslt", "mode": "quick", "errors": []}'
}
jq --argjson a "$(measured 780.2)" --argjson b "$(measured 142)" '.accelerators[0].measured = $a | .accelerators[1].measured = $b' \
	"$TMP/facts.json" >"$TMP/measured.json"
"$CHIPAUDIT" classify --facts "$TMP/measured.json" --rules 2025-11-29 --json >"$TMP/cm.json"
jq_is '.chips[0] | "\(.eccn) \(.measured.eccn) \(.measured.tpp) \(.measured_class_differs)"' "none 3A090.a 12483.2 true" \
	"classify: H20 measuring like an H100 is 3A090.a as measured" "$TMP/cm.json"
jq_is '.chips[1] | "\(.measured.eccn) \(.measured_class_differs)"' "none false" "classify: H20 measuring as an H20" "$TMP/cm.json"
jq_is '.chips[2] | has("measured")' false "classify: unmeasured GPU classified once" "$TMP/cm.json"
expect_exit 0 "classify measured as a table" "$CHIPAUDIT" classify --facts "$TMP/measured.json" --rules 2025-11-29
expect_stdout 'measures into a stricter class than it declares' "table flags the stricter measured class"

expect_exit 2 "judge: measured stricter class fails" "$CHIPAUDIT" judge --json "$TMP/measured.json"
jq '[.findings[] | select(.check == "export.measured_class_differs")]' "$TMP/out" >"$TMP/mcd.json"
jq_is '[.[] | .subjects[] as $s | "\($s)=\(.status)"] | .[0:3] | join(" ")' "0000:18:00.0=fail 0000:2a:00.0=pass 0000:3a:00.0=skip" \
	"judge: fail, pass, skip (not measured)" "$TMP/mcd.json"
jq_is '.[0].evidence | "\(.declared.eccn) \(.measured.eccn) \(.measured_dense_tops.bf16)"' "none 3A090.a 780.2" \
	"judge: evidence has both classes and the measurement" "$TMP/mcd.json"

jq --argjson a "$(measured '"fast"')" '.accelerators[0].measured = $a' "$TMP/facts.json" >"$TMP/badmeasured.json"
# the facts validator rejects it before any check runs
expect_exit 65 "judge: malformed measurement refused" "$CHIPAUDIT" judge --json "$TMP/badmeasured.json"
expect_stderr_line 'badmeasured.json: accelerators\[0\]\.measured\.dense_tops\.bf16: expected a number' "judge names the member"
expect_exit 65 "classify: malformed measurement" "$CHIPAUDIT" classify --facts "$TMP/badmeasured.json"
expect_stderr_line 'badmeasured.json: accelerators\[0\]\.measured\.dense_tops\.bf16: expected a number' "classify names the member"

# ---- export.classification in an audit ----
"$CHIPAUDIT" judge --json "$TMP/facts.json" >"$TMP/report.json"
jq_is '[.findings[] | select(.check == "export.classification") | .status] | unique | join(",")' pass \
	"h20x8: every GPU has a passing export.classification" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "export.classification") | .subjects[]] | length' 8 "h20x8: one result per GPU" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "export.classification")] | length' 1 \
	"h20x8: eight identical GPUs, one finding naming the eight" "$TMP/report.json"
jq_is '[.findings[] | select(.check == "export.classification")][0].evidence | "\(.eccn) \(.tpp) \(.rules) \(.rules_date)"' \
	"none 2368 2024-12 2025-11-29" "h20x8: evidence is the classification under the rules of host.time" "$TMP/report.json"
"$CHIPAUDIT" facts --root "$FIXTURES/mixed/root" | "$CHIPAUDIT" judge --json - >"$TMP/mixed-report.json"
jq_is '[.findings[] | select(.check == "export.classification") | .subjects[] as $s | "\($s)=\(.status)"] | join(" ")' \
	"0000:01:00.0=pass 0000:41:00.0=pass 0000:81:00.0=pass 0000:b4:00.0=pass" "mixed: Ascend 910B and Gaudi2 classified from their declared figures" "$TMP/mixed-report.json"

finish
