#!/usr/bin/env bash
# --exit-style nagios on audit and judge: the Monitoring Plugins' exit codes
# (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and status line, for monitoring
# systems that run chipaudit as a check; the default style unchanged.
. "$(dirname "$0")/lib.sh"

VM="$FIXTURES/vm/root"
H20="$FIXTURES/h20x8/root"
SPY="$FIXTURES/spyware/root"
PERF='pass=[0-9]+;;;0 warn=[0-9]+;0;;0 fail=[0-9]+;;0;0 error=[0-9]+;;0;0 skip=[0-9]+;;;0 accelerators=[0-9]+;;;0$'

first_line_is() { # PATTERN NAME: the first line of the last stdout
	if head -1 "$TMP/out" | grep -Eq -- "$1"; then pass "$2"; else fail "$2" "$(head -c 400 "$TMP/out")" "wanted: $1"; fi
}

# OK, WARNING, CRITICAL, from audits of fixture trees.
expect_exit 0 "nagios: pass and skip only is OK (0)" "$CHIPAUDIT" audit --root "$VM" --no-history --exit-style nagios
first_line_is "^CHIPAUDIT OK - 0 accelerators, 8 checks pass, 11 skipped \| $PERF" "OK: the status line and its perfdata"
if [ "$(wc -l <"$TMP/out")" = 1 ]; then pass "OK: one line"; else fail "OK: one line" "$(cat "$TMP/out")"; fi
expect_exit 1 "nagios: warnings only is WARNING (1)" "$CHIPAUDIT" audit --root "$SPY" --no-history --exit-style nagios
first_line_is "^CHIPAUDIT WARNING - 2 accelerators, 11 warnings \(backdoor.kernel.secureboot, spyware.device_user.remote_connection, spyware.device_user.listener and 2 more\) \| $PERF" \
	"WARNING: the checks named once each"
expect_stdout "^WARNING spyware.device_user.remote_connection \[host\]: dcgm-exporter \(pid 2310\)" "WARNING: one long-output line per finding"
expect_exit 2 "nagios: a failure is CRITICAL (2)" "$CHIPAUDIT" audit --exit-style=nagios --root "$H20" --no-history
first_line_is "^CHIPAUDIT CRITICAL - 8 accelerators, 1 failure \(backdoor.driver.cve\), 17 warnings \(" "CRITICAL: the failing check named"
expect_stdout "^CRITICAL backdoor.driver.cve \[" "CRITICAL: its long-output line"
if grep -q '|' <(tail -n +2 "$TMP/out"); then fail "no '|' in the long output (it would start perfdata)"; else pass "no '|' in the long output (it would start perfdata)"; fi

# judge takes it too, the option before or after the facts file.
"$CHIPAUDIT" facts --root "$H20" >"$TMP/f.json"
expect_exit 2 "judge: nagios CRITICAL" "$CHIPAUDIT" judge "$TMP/f.json" --exit-style nagios
first_line_is "^CHIPAUDIT CRITICAL - 8 accelerators" "judge: the status line"
expect_exit 2 "default style unchanged" "$CHIPAUDIT" judge --exit-style default "$TMP/f.json"
expect_stdout "^Findings" "default style: the text report"

# -o FILE still writes the JSON report, the same bytes as without the style.
expect_exit 2 "nagios with -o" "$CHIPAUDIT" judge --exit-style nagios -o "$TMP/n.json" "$TMP/f.json"
"$CHIPAUDIT" judge -o "$TMP/d.json" "$TMP/f.json" >/dev/null
if cmp -s "$TMP/n.json" "$TMP/d.json"; then pass "nagios -o: the report's bytes as the default writes them"; else fail "nagios -o: the report's bytes as the default writes them"; fi

# UNKNOWN (3): a check that could not judge, or the command could not run.
mkdir -p "$TMP/data"
cp "$SRCDIR"/data/*.json "$TMP/data/"
jq '.bulletins[0].branches[0].first_fixed = "999.1"' "$SRCDIR/data/bulletins.json" >"$TMP/data/bulletins.json"
expect_exit 3 "an error finding is UNKNOWN (3)" "$CHIPAUDIT" --data-dir "$TMP/data" judge --exit-style nagios "$TMP/f.json"
first_line_is "^CHIPAUDIT UNKNOWN - 8 accelerators, [0-9]+ checks could not judge \(backdoor.module.integrity, backdoor.firmware.integrity, backdoor.driver.cve\)" \
	"UNKNOWN: the checks that could not judge named"
expect_exit 2 "default style: an error finding is 2" "$CHIPAUDIT" --data-dir "$TMP/data" judge "$TMP/f.json"

expect_exit 3 "a missing facts file is UNKNOWN" "$CHIPAUDIT" judge --exit-style nagios "$TMP/nowhere.json"
first_line_is "^CHIPAUDIT UNKNOWN - input missing or unreadable \(exit 66\): the reason is on standard error$" "missing input: the status line"
expect_stderr_line "nowhere.json: No such file or directory" "missing input: the reason on stderr"
expect_exit 3 "an unknown option is UNKNOWN" "$CHIPAUDIT" judge --exit-style nagios --frob "$TMP/f.json"
first_line_is "^CHIPAUDIT UNKNOWN - usage error \(exit 64\)" "usage error: the status line"
expect_exit 3 "an unknown option before --exit-style is UNKNOWN too" "$CHIPAUDIT" audit --frob --exit-style nagios
expect_exit 3 "audit: --root missing is UNKNOWN" "$CHIPAUDIT" audit --exit-style nagios --no-history --root "$TMP/none"
expect_exit 3 "--json with nagios is a usage error, UNKNOWN" "$CHIPAUDIT" judge --json --exit-style nagios "$TMP/f.json"
expect_exit 3 "judge without a file is UNKNOWN" "$CHIPAUDIT" judge --exit-style nagios
expect_exit 64 "an unknown style is a usage error" "$CHIPAUDIT" judge --exit-style icinga "$TMP/f.json"
expect_stderr_line "^chipaudit: --exit-style \"icinga\": expected default or nagios$" "the unknown style named"
expect_exit 64 "default style: an unknown option is 64" "$CHIPAUDIT" judge --exit-style default --frob "$TMP/f.json"

finish
