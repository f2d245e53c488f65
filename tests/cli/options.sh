#!/usr/bin/env bash
# The command line as GNU and git users expect it, on every command: options
# before and after operands, "--" ending the options, "-" an operand,
# --opt=value and --opt value, -ovalue, unambiguous prefixes, -h and --help,
# and the usage errors of the one option parser.
. "$(dirname "$0")/lib.sh"

VM="$FIXTURES/vm/root"
H20="$FIXTURES/h20x8/root"
S="$TMP/state"

# same_run NAME CODE CMD_A... --- CMD_B...: both exit CODE with the same stdout.
same_run() {
	local name=$1 code=$2 a=() b=() rca rcb
	shift 2
	while [ "$1" != "---" ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	"${a[@]}" >"$TMP/a.out" 2>"$TMP/a.err"; rca=$?
	"${b[@]}" >"$TMP/b.out" 2>"$TMP/b.err"; rcb=$?
	if [ "$rca" = "$code" ] && [ "$rcb" = "$code" ] && cmp -s "$TMP/a.out" "$TMP/b.out" && [ -s "$TMP/a.out" ]; then
		pass "$name"
	else
		fail "$name" "exit $rca and $rcb, expected $code" "$(head -c 300 "$TMP/a.err")" "$(head -c 300 "$TMP/b.err")" \
			"$(diff "$TMP/a.out" "$TMP/b.out" | head -5)"
	fi
}

# --help and -h on every command, the generated help listing its rows.
for cmd in audit facts judge snapshot checks classify measure keygen history diff verify completion; do
	expect_exit 0 "$cmd --help" "$CHIPAUDIT" "$cmd" --help
	expect_stdout "^usage: chipaudit $cmd" "$cmd --help: its usage"
	expect_stdout "^  -h, --help +show this help$" "$cmd --help: the help row"
	expect_exit 0 "$cmd -h" "$CHIPAUDIT" "$cmd" -h
	expect_exit 0 "$cmd: --help after an operand" "$CHIPAUDIT" "$cmd" x --help
done
"$CHIPAUDIT" audit --help >"$TMP/out"
expect_stdout '^      --manifest FILE +golden manifest' "audit --help: the judge rows"
expect_stdout '^      --measure\[=MODE\] +also measure' "audit --help: the probe rows, optional value shown"
expect_stdout '^  -o, --output FILE +also write the JSON report' "audit --help: short and long"

# ---- audit: no operands ----
same_run "audit: options in any order, --opt=value" 2 \
	"$CHIPAUDIT" audit --root "$H20" --no-history --json --- "$CHIPAUDIT" audit --json --no-history --root="$H20"
same_run "audit: short options clustered, -r DIR" 2 \
	"$CHIPAUDIT" audit -jr "$H20" --no-history --- "$CHIPAUDIT" audit --no-history -j -r"$H20"
expect_exit 64 "audit: an operand is refused" "$CHIPAUDIT" audit --root "$VM" --no-history stray
grep -q "^chipaudit: audit: unexpected argument 'stray'$" "$TMP/err" && pass "audit: the stray operand named" || fail "audit: the stray operand named" "$(cat "$TMP/err")"
expect_exit 64 "audit: after --, --json is an operand" "$CHIPAUDIT" audit --root "$VM" --no-history -- --json
grep -q "unexpected argument '--json'" "$TMP/err" && pass "audit: -- named the operand" || fail "audit: -- named the operand" "$(cat "$TMP/err")"

# ---- facts ----
same_run "facts: -o before and after --root" 0 \
	"$CHIPAUDIT" facts -o - --root "$VM" --- "$CHIPAUDIT" facts --root="$VM" --output=-
expect_exit 64 "facts: after --, an operand" "$CHIPAUDIT" facts --root "$VM" -- -o
"$CHIPAUDIT" facts --root "$H20" >"$TMP/h20.json"

# ---- judge: one operand ----
same_run "judge FACTS --json = judge --json FACTS" 2 \
	"$CHIPAUDIT" judge "$TMP/h20.json" --json --- "$CHIPAUDIT" judge --json "$TMP/h20.json"
same_run "judge: -- then the operand" 2 \
	"$CHIPAUDIT" judge --json -- "$TMP/h20.json" --- "$CHIPAUDIT" judge "$TMP/h20.json" -j
"$CHIPAUDIT" judge - --json <"$TMP/h20.json" >"$TMP/stdin.json"
jq_is '.summary.accelerators' 8 "judge: '-' is standard input, options after it" "$TMP/stdin.json"
cp "$TMP/h20.json" "$TMP/-dash.json"
(cd "$TMP" && "$CHIPAUDIT" judge --json -- -dash.json >"$TMP/dash.json" 2>"$TMP/err")
jq_is '.summary.accelerators' 8 "judge: after --, a file whose name starts with '-'" "$TMP/dash.json"
expect_exit 64 "judge: without -- that name is an option" "$CHIPAUDIT" judge --json -dash.json
expect_exit 64 "judge: two operands" "$CHIPAUDIT" judge "$TMP/h20.json" "$TMP/h20.json"

# ---- snapshot ----
expect_exit 0 "snapshot: --root after -o" "$CHIPAUDIT" snapshot -o "$TMP/s1.tar.gz" --root "$VM"
expect_exit 0 "snapshot: --root= before -oFILE" "$CHIPAUDIT" snapshot --root="$VM" -o"$TMP/s2.tar.gz"
if [ -s "$TMP/s1.tar.gz" ] && [ -s "$TMP/s2.tar.gz" ]; then pass "snapshot: both archives written"; else fail "snapshot: both archives written"; fi
expect_exit 64 "snapshot: an operand after --" "$CHIPAUDIT" snapshot -o "$TMP/s3.tar.gz" -- --root

# ---- checks ----
same_run "checks --json, long and short" 0 "$CHIPAUDIT" checks --json --- "$CHIPAUDIT" checks -j
expect_exit 64 "checks: after --, --json is an operand" "$CHIPAUDIT" checks -- --json

# ---- classify ----
same_run "classify: options in any order, --opt=value, short forms" 0 \
	"$CHIPAUDIT" classify --model H20 --rules 2024-01-01 --json --- "$CHIPAUDIT" classify -jR2024-01-01 --model=H20
expect_exit 64 "classify: an operand after --" "$CHIPAUDIT" classify --model H20 -- --json
expect_exit 64 "classify: --model twice" "$CHIPAUDIT" classify --model H20 --model H100

# ---- measure (no CUDA driver here: nothing to measure, exit 0) ----
CHIPAUDIT_LIBCUDA=/nonexistent/libcuda.so same_run "measure: --json before and after --quick" 0 \
	"$CHIPAUDIT" measure --json --quick --- "$CHIPAUDIT" measure --quick --json
expect_exit 64 "measure: an operand after --" "$CHIPAUDIT" measure -- --json

# ---- keygen ----
expect_exit 0 "keygen --state=DIR" "$CHIPAUDIT" keygen --state="$S"
expect_exit 0 "keygen: --force after --state DIR" "$CHIPAUDIT" keygen --state "$S" --force
expect_exit 64 "keygen: an operand after --" "$CHIPAUDIT" keygen --state "$S" -- --force

# ---- verify and diff on signed reports ----
"$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$TMP/r1.json" >/dev/null
"$CHIPAUDIT" audit --root "$H20" --state "$S" --sign -o "$TMP/r2.json" >/dev/null
same_run "verify REPORT --pubkey KEY = verify --pubkey KEY REPORT" 0 \
	"$CHIPAUDIT" verify "$TMP/r1.json" --pubkey "$S/host.pub.pem" --- "$CHIPAUDIT" verify --pubkey "$S/host.pub.pem" "$TMP/r1.json"
same_run "verify: --pubkey=KEY, reports after --, --chain last" 0 \
	"$CHIPAUDIT" verify --pubkey="$S/host.pub.pem" -- "$TMP/r1.json" "$TMP/r2.json" --- \
	"$CHIPAUDIT" verify "$TMP/r1.json" "$TMP/r2.json" --pubkey "$S/host.pub.pem"
expect_exit 0 "verify: an unambiguous prefix (--pub)" "$CHIPAUDIT" verify "$TMP/r1.json" --pub "$S/host.pub.pem"
expect_exit 64 "verify: an ambiguous prefix (--s)" "$CHIPAUDIT" verify "$TMP/r1.json" --s "$S"
grep -q "^chipaudit: verify: option '--s' is ambiguous: --state, --sig, --statements-only$" "$TMP/err" && pass "verify: the candidates named" || fail "verify: the candidates named" "$(cat "$TMP/err")"
expect_exit 66 "verify: after --, --chain is a report file" "$CHIPAUDIT" verify --pubkey "$S/host.pub.pem" -- --chain
expect_stderr_line "^chipaudit: --chain: No such file or directory$" "verify: the report '--chain' named"
same_run "diff A B --json = diff --json A B" 1 \
	"$CHIPAUDIT" diff "$TMP/r1.json" "$TMP/r2.json" --json --state "$S" --- "$CHIPAUDIT" diff --json --state="$S" "$TMP/r1.json" "$TMP/r2.json"
same_run "diff: -- before the reports" 1 \
	"$CHIPAUDIT" diff --json --state "$S" -- "$TMP/r1.json" "$TMP/r2.json" --- "$CHIPAUDIT" diff "$TMP/r1.json" --json "$TMP/r2.json"

# ---- history ----
same_run "history: --json before and after -n 1" 0 \
	"$CHIPAUDIT" history --json -n 1 --state "$S" --- "$CHIPAUDIT" history -n1 --state="$S" --json
expect_exit 64 "history: an operand after --" "$CHIPAUDIT" history --state "$S" -- --json

# ---- completion ----
same_run "completion: -- before the shell" 0 "$CHIPAUDIT" completion bash --- "$CHIPAUDIT" completion -- bash
expect_exit 64 "completion: an unknown shell" "$CHIPAUDIT" completion fish

# ---- global options before the command ----
expect_exit 0 "--version" "$CHIPAUDIT" --version
expect_stdout '^chipaudit [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the version"
mkdir -p "$TMP/data" && cp "$SRCDIR"/data/*.json "$TMP/data/"
same_run "--data-dir DIR and --data-dir=DIR before the command" 0 \
	"$CHIPAUDIT" --data-dir "$TMP/data" classify --model H20 --rules 2024-01-01 --json --- \
	"$CHIPAUDIT" --data-dir="$TMP/data" classify --json --model H20 --rules 2024-01-01
echo '{' >"$TMP/data/accelerators.json"
expect_exit 78 "--data-dir is read" "$CHIPAUDIT" --data-dir "$TMP/data" classify --model H20
expect_exit 64 "a global option not known" "$CHIPAUDIT" --frob audit
grep -q "^chipaudit: unknown option '--frob'$" "$TMP/err" && pass "the global option named" || fail "the global option named" "$(cat "$TMP/err")"

# ---- usage errors of the parser: one line naming the option, then the usage ----
expect_exit 64 "a value given to a flag" "$CHIPAUDIT" checks --json=yes
grep -q "^chipaudit: checks: option '--json' takes no value$" "$TMP/err" && pass "flag value named" || fail "flag value named" "$(cat "$TMP/err")"
expect_exit 64 "a missing value" "$CHIPAUDIT" audit --no-history --root
grep -q "^chipaudit: audit: option '--root' needs a value (--root DIR)$" "$TMP/err" && pass "missing value named" || fail "missing value named" "$(cat "$TMP/err")"
expect_exit 64 "a missing short value" "$CHIPAUDIT" facts -o
grep -q "^chipaudit: facts: option '-o' needs a value (-o FILE)$" "$TMP/err" && pass "missing short value named" || fail "missing short value named" "$(cat "$TMP/err")"
expect_exit 64 "an unknown short option" "$CHIPAUDIT" judge -x "$TMP/h20.json"
grep -q "^chipaudit: judge: unknown option '-x'$" "$TMP/err" && pass "unknown short option named" || fail "unknown short option named" "$(cat "$TMP/err")"
grep -q "^Run 'chipaudit judge --help' for its options.$" "$TMP/err" && pass "usage error says where the help is" || fail "usage error says where the help is" "$(cat "$TMP/err")"
if [ -w /dev/full ]; then
	"$CHIPAUDIT" audit --help >/dev/full 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 74 ]; then pass "--help into a full device: exit 74"; else fail "--help into a full device: exit 74" "exit $rc"; fi
	expect_stderr_line "^chipaudit: writing the help: No space left on device$" "--help: the write error named"
fi
expect_exit 64 "a setter's error after an operand" "$CHIPAUDIT" judge "$TMP/h20.json" --drift-margin 150
expect_stderr_line "^chipaudit: --drift-margin: '150' is not a percentage between 0 and 100$" "the setter's one line"
# an unknown option is echoed escaped: a terminal sequence in it cannot erase lines
expect_exit 64 "an unknown option with control bytes" "$CHIPAUDIT" audit "--x$(printf '\033[2K\nz')y"
if grep -q "$(printf '\033')" "$TMP/err"; then fail "the option echoed escaped" "$(cat -v "$TMP/err")"
else grep -q "^chipaudit: audit: unknown option '--x\\\\x1b\[2K\\\\nzy'$" "$TMP/err" && pass "the option echoed escaped" || fail "the option echoed escaped" "$(cat -v "$TMP/err")"; fi

finish
