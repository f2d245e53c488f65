#!/usr/bin/env bash
# data/ against the real world: real XID lines through the kernel-log parser
# and killswitch.xid (tests/data/xid), accelerators of vendors data/ does not
# know, and the accelerator database's names and figures.
. "$(dirname "$0")/lib.sh"
DATA="$SRCDIR/tests/data"

# --- real XID lines, one per kernel log: the XID, the process and the verdict
mkdir -p "$TMP/x/dev"
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

# --- data/xids.json is validated: each bad entry is an error finding naming it
mkdir -p "$TMP/data"
cp "$SRCDIR"/data/*.json "$TMP/data/"
# xids_bad NAME JQ-EDIT PATTERN: the edited table gives an error finding matching PATTERN.
xids_bad() {
	jq "$2" "$SRCDIR/data/xids.json" >"$TMP/data/xids.json"
	"$CHIPAUDIT" --data-dir "$TMP/data" judge --json "$TMP/xf.json" >"$TMP/xr.json" 2>"$TMP/err"
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
cp "$SRCDIR/data/xids.json" "$TMP/data/"

finish
