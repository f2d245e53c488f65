#!/usr/bin/env bash
# History and diff: every audit recorded, listed, shown byte for byte and
# checked; diff by history id, hash or file; damaged, foreign and newer
# databases refused with one line; audits killed with SIGKILL in a loop
# leave a history that holds every report they finished.
. "$(dirname "$0")/lib.sh"

H20="$FIXTURES/h20x8/root"
S="$TMP/s"
# h20x8 and h100 run NVIDIA drivers named in security bulletins
# (backdoor.driver.cve fails): their audits complete with the verdict
# "fail", exit 2 (errors are 64 and above).
VERDICT_FAIL=2

expect_exit 66 "history before any audit" "$CHIPAUDIT" history --state "$S"
expect_stderr_line "s/history.db: No such file or directory \(no audit has been recorded in .*\)" "no history named"
expect_exit "$VERDICT_FAIL" "unsigned audit -o" "$CHIPAUDIT" audit --root "$H20" --state "$S" -o "$TMP/a1.json"
expect_exit "$VERDICT_FAIL" "second audit" "$CHIPAUDIT" audit --root "$H20" --state "$S" -o "$TMP/a2.json"
expect_exit "$VERDICT_FAIL" "an audit of another host" "$CHIPAUDIT" audit --root "$FIXTURES/h100/root" --state "$S" -o "$TMP/b1.json"
expect_exit "$VERDICT_FAIL" "audit --no-history" "$CHIPAUDIT" audit --root "$H20" --state "$S" --no-history -o "$TMP/nh.json"
jq_is '[.findings[] | select(.status == "fail") | .check] | unique | join(",")' backdoor.driver.cve \
	"the fail verdict is the driver's CVEs" "$TMP/a1.json"
jq_is '[.findings[] | select(.status == "fail") | .check] | unique | join(",")' backdoor.driver.cve \
	"the other host's too" "$TMP/b1.json"
expect_exit 0 "history" "$CHIPAUDIT" history --state "$S"
expect_stdout "^ +1 +1  [0-9T:-]+Z  gpu-h20-01 +none +no " "history lists the first audit"
expect_stdout "^ +3 +1  [0-9T:-]+Z  h100-node-7 " "the other host starts its own chain"
expect_exit 0 "history --json" "$CHIPAUDIT" history --state "$S" --json
cp "$TMP/out" "$TMP/h.json"
jq_is 'length' 3 "--no-history left no record" "$TMP/h.json"
jq_is '.[1] | "\(.sequence) \(.signed) \(.public_key_fingerprint)"' "2 false null" "unsigned, keyless audits are chained too" "$TMP/h.json"
jq_is '.[1].previous_sha256' "$(sha256sum "$TMP/a1.json" | cut -d' ' -f1)" "chained by the sha256 of the file written" "$TMP/h.json"
jq_is '.[1].sha256' "$(sha256sum "$TMP/a2.json" | cut -d' ' -f1)" "history holds the file's hash" "$TMP/h.json"
expect_exit 0 "history --host" "$CHIPAUDIT" history --state "$S" --json --host fedcba9876543210fedcba9876543210
jq_is 'length' 1 "--host filters" "$TMP/out"
expect_exit 0 "history -n 1" "$CHIPAUDIT" history --state "$S" --json -n 1
jq_is '.[0].id' 3 "-n keeps the latest" "$TMP/out"
"$CHIPAUDIT" history --state "$S" --show 2 >"$TMP/show2.json"
if cmp -s "$TMP/show2.json" "$TMP/a2.json"; then pass "--show gives back the exact bytes"; else fail "--show gives back the exact bytes"; fi
sha=$(sha256sum "$TMP/a1.json" | cut -d' ' -f1)
expect_exit 0 "--show by sha256 prefix" "$CHIPAUDIT" history --state "$S" --show "${sha:0:12}" -o "$TMP/show1.json"
if cmp -s "$TMP/show1.json" "$TMP/a1.json"; then pass "--show -o writes the exact bytes"; else fail "--show -o writes the exact bytes"; fi
expect_exit 66 "--show an id not there" "$CHIPAUDIT" history --state "$S" --show 99
expect_stderr_line "history.db: no report 99" "absent id named"
expect_exit 0 "history --check" "$CHIPAUDIT" history --state "$S" --check
expect_stdout "history.db: ok" "check passes"

# --- diff
# The machine did not change, but the first audit had no earlier report to
# compare its module and firmware digests and its device users with, the
# second has: that, and only that, differs. (The NVML limits are judged per
# GPU once there is a baseline: passes that appear are not listed.)
expect_exit 1 "diff of the first two audits of a host" "$CHIPAUDIT" diff --state "$S" 1 2
if [ "$(tail -n +2 "$TMP/out")" = $'findings\n  ~ backdoor.drift.firmware [host]: skip -> pass\n  ~ spyware.drift.new_talker [host]: skip -> pass' ]; then
	pass "only the drift checks that now have a baseline changed"
else
	fail "only the drift checks that now have a baseline changed" "$(cat "$TMP/out")"
fi
expect_exit 1 "diff between two hosts" "$CHIPAUDIT" diff --state "$S" 2 3
expect_stdout "^  ~ host.hostname: gpu-h20-01 -> h100-node-7$" "host change shown"
expect_stdout "^  - 0000:18:00.0 accelerator: NVIDIA H20 \(10de:2329\)$" "accelerator removed"
expect_stdout "^  \+ 0000:41:00.0 accelerator: NVIDIA H100 PCIe" "accelerator added"
# A later audit of this host, as if the machine had changed: edit facts, judge
# them with the previous report as baseline, diff the files.
# A report's facts leave out what the report carries itself.
jq '.facts + {host, accelerators, limitations}' "$TMP/a2.json" >"$TMP/f.json"
jq '.accelerators[0].driver = "vfio-pci" | .accelerators |= .[0:7] | .nvml.gpus |= .[0:7]' "$TMP/f.json" >"$TMP/f2.json"
"$CHIPAUDIT" judge --json --baseline "$TMP/a2.json" "$TMP/f2.json" >"$TMP/j2.json"
expect_exit 1 "diff of two report files" "$CHIPAUDIT" diff "$TMP/a2.json" "$TMP/j2.json"
expect_stdout "^  ~ 0000:18:00.0 driver: nvidia -> vfio-pci$" "driver change shown"
expect_stdout "^  - 0000:db:00.0 accelerator: NVIDIA H20" "removed accelerator shown"
expect_exit 1 "diff --json" "$CHIPAUDIT" diff --json "$TMP/a2.json" "$TMP/j2.json"
jq_is '[.changes[] | select(.section == "accelerators")] | length' 2 "two accelerator changes" "$TMP/out"
jq_is '.changes[0] | "\(.subject) \(.what) \(.from) \(.to)"' "0000:db:00.0 accelerator NVIDIA H20 (10de:2329) null" "change as JSON" "$TMP/out"
expect_exit 1 "one argument: against the host's latest" "$CHIPAUDIT" diff --state "$S" "$TMP/j2.json"
expect_stdout "^diff .*j2.json -> #2 " "compared with the latest of its host"
expect_exit 66 "diff with one report in history" "$CHIPAUDIT" diff --state "$TMP/one"
"$CHIPAUDIT" audit --root "$H20" --state "$TMP/one" >/dev/null
expect_exit 66 "diff with a single report" "$CHIPAUDIT" diff --state "$TMP/one"
expect_stderr_line "only one report of host 0123456789abcdef0123456789abcdef: nothing to compare it with" "single report explained"
expect_exit 66 "diff with no argument: the latest host has one report" "$CHIPAUDIT" diff --state "$S"
expect_stderr_line "only one report of host fedcba9876543210fedcba9876543210" "the latest report's host named"
"$CHIPAUDIT" audit --root "$H20" --state "$TMP/one" >/dev/null
"$CHIPAUDIT" audit --root "$H20" --state "$TMP/one" >/dev/null
expect_exit 0 "diff with no argument: the latest two of the host, nothing changed" "$CHIPAUDIT" diff --state "$TMP/one"
expect_stdout "^diff #2 \(sequence 2, .*\) -> #3 \(sequence 3, " "the latest two compared"
expect_stdout "^no changes$" "no changes said"

# A report of schema 1 (one subject per finding), as earlier builds wrote
# them into history: read as the same findings.
jq -c '.schema_version = 1 | .findings |= [.[] | .subjects[] as $s | del(.subjects) + {subject: $s}]' "$TMP/a2.json" >"$TMP/a2-v1.json"
expect_exit 0 "diff of a schema 1 report and its schema 2 form: no change" "$CHIPAUDIT" diff "$TMP/a2-v1.json" "$TMP/a2.json"
expect_stdout "^no changes$" "the same findings, one subject or several"
expect_exit 1 "diff of a schema 1 report with a changed one" "$CHIPAUDIT" diff "$TMP/a2-v1.json" "$TMP/j2.json"
expect_stdout "^  - 0000:db:00.0 accelerator: NVIDIA H20" "schema 1 report's accelerators compared"

# --- malformed reports given to diff and judge --baseline
echo '{"schema_version": 1' >"$TMP/trunc.json"
expect_exit 65 "diff a truncated report" "$CHIPAUDIT" diff "$TMP/trunc.json" "$TMP/a1.json"
expect_stderr_line "trunc.json:[0-9]+:[0-9]+: " "truncated report located"
jq '.findings[0].status = "great"' "$TMP/a1.json" >"$TMP/badstatus.json"
expect_exit 65 "a finding with an unknown status" "$CHIPAUDIT" diff "$TMP/badstatus.json" "$TMP/a1.json"
expect_stderr_line "badstatus.json: report.findings\[0\].status: 'great' is not a status" "bad status named"
jq '.sequence = 0' "$TMP/a1.json" >"$TMP/seq0.json"
expect_exit 65 "sequence 0" "$CHIPAUDIT" diff "$TMP/seq0.json" "$TMP/a1.json"
expect_stderr_line "seq0.json: report.sequence: 0 out of range" "bad sequence named"
jq '.accelerators[0].vendor_id = 42' "$TMP/a1.json" >"$TMP/badfacts.json"
expect_exit 65 "a report whose facts are malformed" "$CHIPAUDIT" judge --baseline "$TMP/badfacts.json" "$TMP/f.json"
expect_stderr_line "report.facts: accelerators\[0\].vendor_id: expected 4 lowercase hex digits" "bad facts member named"
jq '.facts.accelerators = .accelerators' "$TMP/a1.json" >"$TMP/twice.json"
expect_exit 65 "a report whose facts repeat its accelerators" "$CHIPAUDIT" diff "$TMP/twice.json" "$TMP/a1.json"
expect_stderr_line "twice.json: report.facts.accelerators: not allowed here \(the report carries it once, at its top level\)" "the repeated member named"
jq 'del(.facts)' "$TMP/a1.json" >"$TMP/nofacts.json"
expect_exit 65 "a baseline report without facts" "$CHIPAUDIT" judge --baseline "$TMP/nofacts.json" "$TMP/f.json"
expect_stderr_line "nofacts.json: the report carries no facts" "factless baseline explained"
expect_exit 66 "a baseline that does not exist" "$CHIPAUDIT" judge --baseline "$TMP/nothere.json" "$TMP/f.json"
expect_exit 64 "--drift-margin out of range" "$CHIPAUDIT" judge --drift-margin 150 "$TMP/f.json"

# --- damaged, foreign and newer databases
mkdir -p "$TMP/garbage"
head -c 8192 /dev/urandom >"$TMP/garbage/history.db"
expect_exit 65 "history of a garbage database" "$CHIPAUDIT" history --state "$TMP/garbage"
expect_stderr_line "garbage/history.db: not a chipaudit history database \(file is not a database\)" "garbage database named"
expect_exit 65 "audit into a garbage database" "$CHIPAUDIT" audit --root "$H20" --state "$TMP/garbage" -o "$TMP/g.json"
expect_stderr_line "garbage/history.db: not a chipaudit history database" "audit names the garbage database"
if [ ! -e "$TMP/g.json" ]; then pass "no report written when history fails"; else fail "no report written when history fails"; fi
mkdir -p "$TMP/foreign" "$TMP/newer"
"$SYS_PYTHON" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' "$TMP/foreign/history.db"
expect_exit 65 "another application's SQLite database" "$CHIPAUDIT" history --state "$TMP/foreign"
expect_stderr_line "foreign/history.db: not a chipaudit history database \(an SQLite database of another application\)" "foreign database named"
cp "$S/history.db" "$TMP/newer/"
"$SYS_PYTHON" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma user_version=9"); c.commit()' "$TMP/newer/history.db"
expect_exit 65 "a history from a newer chipaudit" "$CHIPAUDIT" history --state "$TMP/newer"
expect_stderr_line "written by a newer chipaudit \(history schema 9, this build reads 2\)" "newer schema named"
head -c 20000 "$S/history.db" >"$TMP/trunc-db"; mkdir -p "$TMP/truncated"; cp "$TMP/trunc-db" "$TMP/truncated/history.db"
"$CHIPAUDIT" history --state "$TMP/truncated" --check >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 65 ] || [ "$rc" -eq 66 ]; then pass "a truncated database is refused (exit $rc)"; else fail "a truncated database is refused" "exit $rc: $(head -c 300 "$TMP/err")"; fi
# A report altered inside the database: the check names it.
cp -r "$S" "$TMP/tampered"
"$SYS_PYTHON" - "$TMP/tampered/history.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
body = c.execute("select body from reports where id = 1").fetchone()[0]
c.execute("update reports set body = ? where id = 1", (bytes(body).replace(b'"nvidia"', b'"nvidib"', 1),))
c.commit()
PY
expect_exit 65 "history --check finds an altered report" "$CHIPAUDIT" history --state "$TMP/tampered" --check
if grep -Eq "history.db: #1: the stored report's sha256 is [0-9a-f]{64}, its index says [0-9a-f]{64}: the report was altered" "$TMP/err" &&
   grep -Eq "history.db: #2: names previous report [0-9a-f]{64}, but sequence 1 has sha256" "$TMP/err"; then
	pass "altered report named, and the link after it"
else
	fail "altered report named, and the link after it" "$(head -c 600 "$TMP/err")"
fi
"$SYS_PYTHON" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("delete from reports where id = 1"); c.commit()' "$S/history.db"
expect_exit 65 "history --check finds a deleted report" "$CHIPAUDIT" history --state "$S" --check
expect_stderr_line "#2: the chain of host 0123456789abcdef0123456789abcdef, key \(none\) starts at sequence 2, not 1" "deleted report found"

# --- audits killed with SIGKILL, over and over: the history still opens,
# passes its check, and holds every report whose audit printed its output
# (the output comes after the commit).
K="$TMP/kill"
"$CHIPAUDIT" audit --root "$H20" --state "$K" >/dev/null
for i in $(seq 1 40); do
	"$CHIPAUDIT" audit --root "$H20" --state "$K" --json >"$TMP/kill.$i.out" 2>/dev/null &
	pid=$!
	sleep "0.0$((RANDOM % 10))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
finished=0 missing=0
for i in $(seq 1 40); do
	n=$(jq -r '.sequence // empty' "$TMP/kill.$i.out" 2>/dev/null)
	if [ -n "$n" ]; then
		finished=$((finished + 1))
		"$CHIPAUDIT" history --state "$K" --json | jq -e --argjson s "$n" 'any(.[]; .sequence == $s)' >/dev/null || missing=$((missing + 1))
	fi
done
expect_exit 0 "after 40 killed audits ($finished finished) the history checks out" "$CHIPAUDIT" history --state "$K" --check
if [ "$missing" -eq 0 ]; then pass "every finished audit is in history"; else fail "every finished audit is in history" "$missing missing"; fi
expect_exit "$VERDICT_FAIL" "and the next audit extends the chain" "$CHIPAUDIT" audit --root "$H20" --state "$K" -o "$TMP/after.json"
n=$("$CHIPAUDIT" history --state "$K" --json | jq length)
jq_is '.sequence' "$n" "with the next sequence number" "$TMP/after.json"

finish
