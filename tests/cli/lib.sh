# Helpers for the command-line tests. Each test script sources this, calls
# `check NAME COMMAND...` or its variants, and ends with `finish`.
set -u
: "${CHIPAUDIT:?}" "${SRCDIR:?}"
FIXTURES="$SRCDIR/tests/fixtures"
# The fixture trees' empty directories, which git does not keep.
"$FIXTURES/empty-dirs.sh" restore || { echo "Bail out! cannot restore the fixture trees' empty directories"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Each script keeps its own history and host key: tests never write to
# /var/lib/chipaudit, and never see one another's audits.
export CHIPAUDIT_STATE="$TMP/state"
# Under the sanitizer build, the reports of every process the test runs go to
# files that finish() fails on: LeakSanitizer's report at exit keeps the
# program's exit code, so on stderr alone a leak would pass unseen.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TMP/sanitizer"
failures=0
count=0

pass() { count=$((count + 1)); echo "ok $count - $1"; }
# Every line of a failure's detail is a TAP comment, even inside a multi-line
# argument (a diff), so that meson reports the failure and not a TAP error.
fail() { count=$((count + 1)); failures=$((failures + 1)); echo "not ok $count - $1"; shift; for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done; }

# expect_exit CODE NAME CMD...: the command exits with CODE.
expect_exit() {
	local want=$1 name=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $got, expected $want" "$(head -c 600 "$TMP/err")"; fi
}

# expect_stderr_line PATTERN NAME: the last command's stderr is one line matching PATTERN.
expect_stderr_line() {
	local pat=$1 name=$2 lines
	lines=$(wc -l <"$TMP/err")
	if [ "$lines" -eq 1 ] && grep -Eq -- "$pat" "$TMP/err"; then pass "$name"; else fail "$name" "stderr ($lines lines): $(head -c 600 "$TMP/err")" "wanted one line matching: $pat"; fi
}

expect_stdout() {
	local pat=$1 name=$2
	if grep -Eq -- "$pat" "$TMP/out"; then pass "$name"; else fail "$name" "stdout lacks: $pat" "$(head -c 600 "$TMP/out")"; fi
}

# The findings of a report (or judge --json output) on one subject:
# status_of FILE CHECK SUBJECT and message_of FILE CHECK SUBJECT print the
# statuses (comma-joined) and messages (" | "-joined) of CHECK's findings
# that name SUBJECT; expect_status FILE CHECK SUBJECT STATUS NAME and
# expect_message FILE CHECK SUBJECT MESSAGE NAME assert them.
status_of() {
	jq -r --arg c "$2" --arg s "$3" '[.findings[] | select(.check == $c and any(.subjects[]; . == $s)) | .status] | join(",")' "$1"
}
message_of() {
	jq -r --arg c "$2" --arg s "$3" '[.findings[] | select(.check == $c and any(.subjects[]; . == $s)) | .message] | join(" | ")' "$1"
}
expect_status() {
	local got; got=$(status_of "$1" "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$5"; else fail "$5" "$2 on $3: '$got', expected '$4'"; fi
}
expect_message() {
	local got; got=$(message_of "$1" "$2" "$3")
	if [ "$got" = "$4" ]; then pass "$5"; else fail "$5" "$2 on $3: '$got', expected '$4'"; fi
}

# jq_is EXPR EXPECTED NAME FILE: jq -r EXPR on FILE prints EXPECTED.
jq_is() {
	local expr=$1 want=$2 name=$3 file=$4 got
	got=$(jq -r "$expr" "$file" 2>&1)
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name" "jq '$expr' gave: $got" "expected: $want"; fi
}

finish() {
	local reports
	reports=$(cat "$TMP"/sanitizer.* 2>/dev/null | head -c 4000)
	[ -z "$reports" ] || fail "no sanitizer report from any process the test ran" "$reports"
	echo "1..$count"
	[ "$failures" -eq 0 ]
}
