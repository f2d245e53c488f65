#!/usr/bin/env bash
# The command line: help, version, catalogue, exit codes, schema, and
# `facts | judge` agreeing with `audit`.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--version" "$CHIPAUDIT" --version
expect_stdout '^chipaudit [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
expect_exit 0 "--help" "$CHIPAUDIT" --help
for cmd in audit facts judge snapshot checks; do
	expect_exit 0 "$cmd --help" "$CHIPAUDIT" "$cmd" --help
	expect_stdout "^usage: chipaudit $cmd" "$cmd --help shows its usage"
done
expect_exit 64 "no command is a usage error" "$CHIPAUDIT"
expect_exit 64 "unknown command" "$CHIPAUDIT" frobnicate
expect_stderr_line "'frobnicate' is not a chipaudit command" "unknown command named" 
expect_exit 64 "unknown option" "$CHIPAUDIT" audit --frob
expect_exit 64 "judge without a file" "$CHIPAUDIT" judge

# The catalogue.
expect_exit 0 "checks --json" "$CHIPAUDIT" checks --json
cp "$TMP/out" "$TMP/checks.json"
jq_is '[.[] | select(.id == "identity.database")] | length' 1 "catalogue lists identity.database" "$TMP/checks.json"
jq_is '[.[] | select((.id|type) != "string" or (.category|type) != "string" or (.needs|type) != "array")] | length' 0 "every entry has id, category, needs" "$TMP/checks.json"
jq_is '[.[].id] | length == (unique | length)' true "check ids are unique" "$TMP/checks.json"
if diff <(bash "$SRCDIR/scripts/gen-checks-doc" "$CHIPAUDIT") "$SRCDIR/docs/checks.md" >"$TMP/diff"; then
	pass "docs/checks.md matches the catalogue"
else
	fail "docs/checks.md matches the catalogue" "run scripts/gen-checks-doc > docs/checks.md" "$(head -c 600 "$TMP/diff")"
fi
expect_exit 0 "checks table" "$CHIPAUDIT" checks
expect_stdout '^identity.database +identity' "table lists identity.database"

# This machine (or CI's): it runs, and the JSON validates against the schema.
"$CHIPAUDIT" audit --json >"$TMP/live.json" 2>"$TMP/err"
rc=$?
if [ $rc -le 1 ]; then pass "audit of this machine exits 0 or 1"; else fail "audit of this machine exits 0 or 1" "exit $rc: $(cat "$TMP/err")"; fi
if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/live.json" >"$TMP/v" 2>&1; then
	pass "audit --json validates against docs/report.schema.json"
else
	fail "audit --json validates against docs/report.schema.json" "$(head -c 800 "$TMP/v")"
fi

# facts then judge gives the same findings as audit, on every fixture.
for fx in vm h20x8 h100 mixed; do
	root="$FIXTURES/$fx/root"
	"$CHIPAUDIT" audit --root "$root" --json >"$TMP/a.json"
	arc=$?
	"$CHIPAUDIT" facts --root "$root" >"$TMP/f.json"
	"$CHIPAUDIT" judge --json "$TMP/f.json" >"$TMP/j.json"
	jrc=$?
	if [ "$arc" -eq "$jrc" ] && diff <(jq -S .findings "$TMP/a.json") <(jq -S .findings "$TMP/j.json") >/dev/null; then
		pass "$fx: facts | judge gives audit's findings and exit code"
	else
		fail "$fx: facts | judge gives audit's findings and exit code" "audit $arc judge $jrc"
	fi
	if "$SYS_PYTHON" "$SRCDIR/tests/validate_schema.py" "$SRCDIR/docs/report.schema.json" "$TMP/a.json" >"$TMP/v" 2>&1; then
		pass "$fx: report validates against the schema"
	else
		fail "$fx: report validates against the schema" "$(head -c 800 "$TMP/v")"
	fi
done

# Text output: no colour when not a terminal.
"$CHIPAUDIT" audit --root "$FIXTURES/h20x8/root" >"$TMP/out" 2>&1
if grep -q $'\033' "$TMP/out"; then fail "no escape codes when stdout is not a tty"; else pass "no escape codes when stdout is not a tty"; fi
expect_stdout '0000:18:00.0  NVIDIA H20 \(10de:2329\)' "text lists the H20 with its model"
# eight identical GPUs: one line per check, not eight
expect_stdout '^  PASS   identity.database  \[all 8 accelerators\]$' "text: a finding of every accelerator says so"
expect_stdout '^  PASS   backdoor.iommu.shared_group  \[all 8 accelerators\]$' "text: passes that differ only in evidence share a line"
expect_stdout '^  WARN   backdoor.module.integrity  \[host\]$' "text: findings that say different things stay apart"
if [ "$(grep -c '^  [A-Z]\+ \+backdoor.pci.acs ' "$TMP/out")" = 1 ]; then pass "text: backdoor.pci.acs on one line"; else fail "text: backdoor.pci.acs on one line" "$(grep -c 'backdoor.pci.acs' "$TMP/out") lines"; fi

# Colour on a terminal (script(1) gives a pty), and NO_COLOR turns it off.
if command -v script >/dev/null; then
	env -u NO_COLOR script -qec "$CHIPAUDIT audit --root $FIXTURES/h20x8/root" /dev/null >"$TMP/tty" 2>&1
	if grep -q $'\033\[32m' "$TMP/tty"; then pass "colour on a terminal"; else fail "colour on a terminal" "$(head -c 300 "$TMP/tty")"; fi
fi

# -o writes the JSON report.
expect_exit 0 "audit -o FILE" "$CHIPAUDIT" audit --root "$FIXTURES/vm/root" -o "$TMP/r.json"
jq_is '.summary.accelerators' 0 "-o wrote the JSON report" "$TMP/r.json"
expect_exit 73 "audit -o into a missing directory" "$CHIPAUDIT" audit --root "$FIXTURES/vm/root" -o "$TMP/no/such/dir/r.json"
expect_stderr_line "no/such/dir/r.json: No such file or directory" "unwritable output named"

finish
