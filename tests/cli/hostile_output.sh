#!/usr/bin/env bash
# What an attacker can make chipaudit delete, leak or show: output files
# (atomic, never removing what was there), the host key and its state
# directory, terminal escapes in text output and errors, reports that two
# readers would read differently, a forged history.
. "$SRCDIR/tests/cli/lib.sh"
PEER="$SRCDIR/tests/cli/spyware_peer.py"
H20="$FIXTURES/h20x8/root"
VM="$FIXTURES/vm/root"
PIDS=()
MOUNTED=()
cleanup() {
	touch "$TMP/stop" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for m in "${MOUNTED[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
skip() { count=$((count + 1)); echo "ok $count - $1 # SKIP $2"; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
# no_temp DIR NAME: no temporary file of the writer (NAME.tmpXXXXXX) left in DIR.
no_temp() {
	local left
	left=$(find "$1" -maxdepth 1 -name "$2.tmp*" | head -3)
	if [ -z "$left" ]; then pass "$3"; else fail "$3" "left behind: $left"; fi
}
# no_control FILE NAME: FILE holds no C0 control byte but newline, and no DEL.
no_control() {
	if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1"; then
		fail "$2" "$(LC_ALL=C grep -n "$(printf '[\001-\011\013-\037\177]')" "$1" | head -3 | od -c | head -5)"
	else
		pass "$2"
	fi
}

# --- a failed audit keeps what was at -o ----------------------------------------------
S="$TMP/state"
"$CHIPAUDIT" audit --root "$H20" --state "$S" -o "$TMP/good.json" >/dev/null 2>&1
good=$(sha "$TMP/good.json")
# History refuses every new report, as a full disk does at commit time.
"$SYS_PYTHON" - "$S/history.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TRIGGER full BEFORE INSERT ON reports BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
db.commit()
EOF
expect_exit 74 "history cannot commit: the audit fails" "$CHIPAUDIT" audit --root "$H20" --state "$S" -o "$TMP/good.json"
expect_stderr_line "disk is full" "... and says why in one line"
if [ "$(sha "$TMP/good.json")" = "$good" ]; then pass "... the previous report at -o is intact"; else fail "... the previous report at -o is intact"; fi
no_temp "$TMP" good.json "... and no temporary file remains"
ln -s good.json "$TMP/link.json"
"$CHIPAUDIT" audit --root "$H20" --state "$S" -o "$TMP/link.json" >/dev/null 2>&1
if [ -L "$TMP/link.json" ] && [ "$(sha "$TMP/good.json")" = "$good" ]; then pass "... a symbolic link at -o and its target are kept"; else fail "... a symbolic link at -o and its target are kept"; fi
if mknod "$TMP/null" c 1 3 2>/dev/null; then
	expect_exit 74 "... -o a device node: the audit fails" "$CHIPAUDIT" audit --root "$H20" --state "$S" -o "$TMP/null"
	if [ -c "$TMP/null" ]; then pass "... and the device node is not removed"; else fail "... and the device node is not removed" "$(ls -l "$TMP/null" 2>&1)"; fi
	expect_exit 2 "-o a device node: written directly" "$CHIPAUDIT" audit --root "$H20" --no-history -o "$TMP/null"
	if [ -c "$TMP/null" ]; then pass "... and still a device node"; else fail "... and still a device node"; fi
	expect_exit 0 "facts -o a device node" "$CHIPAUDIT" facts --root "$VM" -o "$TMP/null"
	if [ -c "$TMP/null" ]; then pass "... still a device node"; else fail "... still a device node"; fi
	no_temp "$TMP" null "... and no temporary file beside it"
else
	skip "-o a device node" "mknod not permitted (not root)"
fi
expect_exit 0 "facts -o - is standard output" "$CHIPAUDIT" facts --root "$VM" -o -
jq_is '.schema_version | type' number "... a facts document" "$TMP/out"
umask 027
"$CHIPAUDIT" facts --root "$VM" -o "$TMP/umask.json" 2>/dev/null
umask 022
if [ "$(stat -c %a "$TMP/umask.json")" = 640 ]; then pass "an output file's mode respects the umask"; else fail "an output file's mode respects the umask" "mode $(stat -c %a "$TMP/umask.json")"; fi

# --- a full disk leaves the old file whole (facts, judge, snapshot) ----------------------
FULL="$TMP/full"
mkdir -p "$FULL"
if mount -t tmpfs -o size=64k tmpfs "$FULL" 2>/dev/null; then
	MOUNTED+=("$FULL")
	"$CHIPAUDIT" facts --root "$VM" -o "$FULL/facts.json"
	"$CHIPAUDIT" judge -o "$FULL/report.json" "$FULL/facts.json" >/dev/null 2>&1
	"$CHIPAUDIT" snapshot --root "$VM" -o "$FULL/snap.tar.gz" 2>/dev/null
	cp "$FULL/facts.json" "$TMP/facts.old"; cp "$FULL/report.json" "$TMP/report.old"; cp "$FULL/snap.tar.gz" "$TMP/snap.old"
	dd if=/dev/zero of="$FULL/filler" bs=1k count=64 2>/dev/null
	expect_exit 74 "facts -o on a full disk fails" "$CHIPAUDIT" facts --root "$H20" -o "$FULL/facts.json"
	expect_stderr_line "facts.json: No space left on device" "... naming the file and the problem"
	if cmp -s "$FULL/facts.json" "$TMP/facts.old"; then pass "... the old facts file is intact"; else fail "... the old facts file is intact"; fi
	no_temp "$FULL" facts.json "... no temporary file remains"
	"$CHIPAUDIT" facts --root "$H20" -o "$TMP/h20-facts.json"
	expect_exit 74 "judge -o on a full disk fails" "$CHIPAUDIT" judge -o "$FULL/report.json" "$TMP/h20-facts.json"
	if cmp -s "$FULL/report.json" "$TMP/report.old"; then pass "... the old report is intact"; else fail "... the old report is intact"; fi
	no_temp "$FULL" report.json "... no temporary file remains"
	expect_exit 74 "snapshot -o on a full disk fails" "$CHIPAUDIT" snapshot --root "$H20" -o "$FULL/snap.tar.gz"
	if cmp -s "$FULL/snap.tar.gz" "$TMP/snap.old"; then pass "... the old snapshot is intact"; else fail "... the old snapshot is intact"; fi
	no_temp "$FULL" snap.tar.gz "... no temporary file remains"
else
	skip "facts, judge, snapshot -o on a full disk" "mount -t tmpfs not permitted here"
fi

# --- the host key is never written through what is at its path ---------------------------
K="$TMP/keys"
"$CHIPAUDIT" keygen --state "$K" >/dev/null
rm "$K/host.key.pem"
mkfifo "$K/host.key.pem"
cat "$K/host.key.pem" >"$TMP/stolen" 2>/dev/null &
PIDS+=($!)
expect_exit 0 "keygen --force with a FIFO planted at host.key.pem" timeout 20 "$CHIPAUDIT" keygen --state "$K" --force
if [ -f "$K/host.key.pem" ] && [ ! -p "$K/host.key.pem" ] && [ "$(stat -c %a "$K/host.key.pem")" = 600 ]; then
	pass "... the FIFO is replaced by a key file of mode 0600"
else
	fail "... the FIFO is replaced by a key file of mode 0600" "$(ls -l "$K" 2>&1)"
fi
if [ ! -s "$TMP/stolen" ]; then pass "... and the process reading the FIFO got nothing"; else fail "... and the process reading the FIFO got nothing"; fi
mkdir -m 0777 "$TMP/open-state"
expect_exit 73 "keygen refuses a state directory others may write" "$CHIPAUDIT" keygen --state "$TMP/open-state"
expect_stderr_line "open-state: writable by others \(mode 0777\)" "... and says why"
if [ ! -e "$TMP/open-state/host.key.pem" ]; then pass "... writing no key there"; else fail "... writing no key there"; fi
mkdir -m 0700 "$TMP/their-state"
chown 65534 "$TMP/their-state"
expect_exit 73 "keygen refuses a state directory of another user" "$CHIPAUDIT" keygen --state "$TMP/their-state"
expect_stderr_line "their-state: owned by uid 65534, not by this user" "... and says why"
expect_exit 73 "audit refuses to keep history there" "$CHIPAUDIT" audit --root "$VM" --state "$TMP/their-state"
"$CHIPAUDIT" audit --root "$VM" --state "$TMP/shared-state" >/dev/null 2>&1
chmod 0777 "$TMP/shared-state"
expect_exit 78 "history refuses to read a history others could have swapped" "$CHIPAUDIT" history --state "$TMP/shared-state"
expect_stderr_line "shared-state: writable by others" "... and says why"
chmod 0755 "$TMP/shared-state"
chown 65534 "$TMP/shared-state"
expect_exit 0 "... another user's history that only they can write is read" "$CHIPAUDIT" history --state "$TMP/shared-state"
chmod 0777 "$K"
expect_exit 78 "audit --sign refuses a key in a directory others may write" "$CHIPAUDIT" audit --root "$VM" --state "$K" --sign -o "$TMP/s.json"
expect_stderr_line "keys: writable by others" "... and says why"
chmod 0700 "$K"

# --- terminal escapes: a process name, a hostname, os-release, error messages -------------
DEV="$TMP/fake-accel0"
: >"$DEV"
"$SYS_PYTHON" "$PEER" listen 127.0.0.1 "$TMP/stop" >"$TMP/peer.json" 2>/dev/null &
PIDS+=($!)
for _ in $(seq 200); do [ -s "$TMP/peer.json" ] && break; sleep 0.05; done
PORT=$(jq -r .port "$TMP/peer.json")
"$SYS_PYTHON" - "$DEV" "$PORT" "$TMP/stop" >"$TMP/named.json" 2>"$TMP/named.err" <<'EOF' &
import ctypes, json, os, socket, sys, time
dev = open(sys.argv[1], "rb")
conn = socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=10)
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("0.0.0.0", 0))
listener.listen(1)
# what an unprivileged user can name a process: erase the line above, twice
ctypes.CDLL(None).prctl(15, b"\x1b[1A\x1b[2K\x1b[1A", 0, 0, 0)
print(json.dumps({"pid": os.getpid()}), flush=True)
deadline = time.time() + 300
while not os.path.exists(sys.argv[3]) and time.time() < deadline:
    time.sleep(0.05)
EOF
PIDS+=($!)
for _ in $(seq 200); do [ -s "$TMP/named.json" ] && break; sleep 0.05; done
"$CHIPAUDIT" audit --no-history --device-node "$TMP/fake-accel*" >"$TMP/named.txt" 2>"$TMP/named.stderr"
if grep -qF '\x1b[1A\x1b[2K\x1b[1A' "$TMP/named.txt"; then pass "a process named with escapes: shown escaped in the text report"; else fail "a process named with escapes: shown escaped in the text report" "$(grep -n "$(jq -r .pid "$TMP/named.json")" "$TMP/named.txt" | head -5)"; fi
no_control "$TMP/named.txt" "... the text report holds no control character"
no_control "$TMP/named.stderr" "... nor does its standard error"
"$CHIPAUDIT" audit --no-history --json --device-node "$TMP/fake-accel*" >"$TMP/named.json.out" 2>/dev/null
jq_is "[.facts.processes.device_users[] | select(.command == \"\u001b[1A\u001b[2K\u001b[1A\")] | length" 1 "... the JSON report keeps the name exact" "$TMP/named.json.out"

T="$TMP/tree"
cp -a "$VM" "$T"
printf 'evil\033]0;owned\007\033[2J\n' >"$T/proc/sys/kernel/hostname"
printf 'PRETTY_NAME="Debian\033[31m GNU/Linux\342\200\256 12\302\233"\n' >"$T/etc/os-release"
"$CHIPAUDIT" audit --root "$T" --no-history >"$TMP/tree.txt" 2>"$TMP/tree.err"
if grep -qF 'host evil\x1b]0;owned\x07\x1b[2J' "$TMP/tree.txt"; then pass "a hostname with escapes (--root): shown escaped"; else fail "a hostname with escapes (--root): shown escaped" "$(head -2 "$TMP/tree.txt" | od -c | head)"; fi
no_control "$TMP/tree.txt" "... no control character in the text report"
if ! LC_ALL=C grep -q "$(printf '\342\200\256\|\302\233')" "$TMP/tree.txt"; then pass "... nor a bidirectional override or C1 control"; else fail "... nor a bidirectional override or C1 control"; fi
"$CHIPAUDIT" audit --root "$T" --no-history --json >"$TMP/tree.json" 2>/dev/null
"$CHIPAUDIT" audit --root "$VM" --no-history --json >"$TMP/vm.json" 2>/dev/null
"$CHIPAUDIT" diff "$TMP/vm.json" "$TMP/tree.json" >"$TMP/diff.txt" 2>&1
if grep -qF 'evil\x1b' "$TMP/diff.txt"; then pass "diff shows the hostname escaped"; else fail "diff shows the hostname escaped" "$(head -c 400 "$TMP/diff.txt")"; fi
no_control "$TMP/diff.txt" "... no control character in diff's output"
"$CHIPAUDIT" audit --root "$T" --state "$TMP/hstate" >/dev/null 2>&1
"$CHIPAUDIT" history --state "$TMP/hstate" >"$TMP/hist.txt" 2>&1
if grep -qF 'evil\x1b' "$TMP/hist.txt"; then pass "history lists the hostname escaped"; else fail "history lists the hostname escaped" "$(head -c 400 "$TMP/hist.txt")"; fi
no_control "$TMP/hist.txt" "... no control character in the listing"

expect_exit 66 "an error about a path holding control characters" "$CHIPAUDIT" judge "$TMP/no"$'\033[2J\n'"such.json"
expect_stderr_line 'no\\x1b\[2J\\nsuch\.json: No such file or directory' "... is one line, escaped"
no_control "$TMP/err" "... with no control character"

# A /proc/PID/net/unix line that holds a newline and an escape where the socket type goes.
U="$TMP/unix-tree"
cp -a "$FIXTURES/spyware/root" "$U"
printf '0000000000000000: 00000002 00000000 00010000 00\n\0331 01 12345 /run/x\n' >>"$U/proc/2310/net/unix"
expect_exit 65 "a hostile /proc/PID/net/unix line under --root" "$CHIPAUDIT" facts --root "$U"
expect_stderr_line 'net/unix: line [0-9]+: malformed or unknown socket type "00\\n\\x1b1"' "... is one line naming the file, the input escaped"
no_control "$TMP/err" "... with no control character"

# --- reports two readers would read differently are refused -------------------------------
V="$TMP/verify"
mkdir -p "$V"
"$CHIPAUDIT" keygen --state "$V/state" >/dev/null
"$CHIPAUDIT" audit --root "$VM" --state "$V/state" --sign -o "$V/r.json" >/dev/null 2>&1
resign() { openssl pkeyutl -sign -inkey "$V/state/host.key.pem" -rawin -in "$1" -out "$1.sig"; }
expect_exit 0 "a signed report verifies" "$CHIPAUDIT" verify --pubkey "$V/state/host.pub.pem" "$V/r.json"
forge() {  # forge NAME PYTHON-EXPR-ON-TEXT: a re-signed variant of the report
	"$SYS_PYTHON" -c "import sys; t = open(sys.argv[1]).read(); open(sys.argv[2], 'w').write($2)" "$V/r.json" "$V/$1.json"
	resign "$V/$1.json"
}
forge dup-summary "t.replace('\"summary\":{', '\"summary\":{\"worst\":\"pass\",\"fail\":0},\"summary\":{', 1)"
forge dup-status "t.replace('\"status\":\"', '\"status\":\"pass\",\"status\":\"', 1)"
forge dup-escaped "t.replace('\"summary\":{', '\"\\\\u0073ummary\":{},\"summary\":{', 1)"
forge big-real "t.replace('\"summary\":{', '\"summary\":{\"x\":1e400,', 1)"
forge big-int "t.replace('\"summary\":{', '\"summary\":{\"x\":9223372036854775808,', 1)"
for f in dup-summary dup-status dup-escaped; do
	expect_exit 65 "verify refuses a signed report with a duplicate key ($f)" "$CHIPAUDIT" verify --pubkey "$V/state/host.pub.pem" "$V/$f.json"
	if grep -q "duplicate object key" "$TMP/out" "$TMP/err"; then pass "... saying so ($f)"; else fail "... saying so ($f)" "$(cat "$TMP/out" "$TMP/err" | head -c 300)"; fi
	expect_exit 65 "... and diff refuses it too ($f)" "$CHIPAUDIT" diff "$V/r.json" "$V/$f.json"
done
for f in big-real big-int; do
	expect_exit 65 "verify refuses a number no double or int64 holds ($f)" "$CHIPAUDIT" verify --pubkey "$V/state/host.pub.pem" "$V/$f.json"
done
forge big-seq "t.replace('\"sequence\":1,', '\"sequence\":9007199254740993,', 1)"
expect_exit 65 "verify refuses a sequence beyond 2^53" "$CHIPAUDIT" verify --pubkey "$V/state/host.pub.pem" "$V/big-seq.json"
forge big-count "t.replace('\"summary\":{', '\"summary\":{\"fail\":9007199254740993,', 1).replace(',\"fail\":0,', ',', 1)"
expect_exit 65 "verify refuses a summary count beyond 2^53 (jq reads another number)" "$CHIPAUDIT" verify --pubkey "$V/state/host.pub.pem" "$V/big-count.json"
if grep -q "report.summary.fail" "$TMP/out" "$TMP/err"; then pass "... naming it"; else fail "... naming it" "$(cat "$TMP/out" "$TMP/err" | head -c 300)"; fi
expect_exit 65 "... and so does diff" "$CHIPAUDIT" diff "$V/r.json" "$V/big-count.json"

# --- a forged history: a sequence number that cannot be followed ---------------------------
for bad in 9223372036854775807 0 abc; do
	H="$TMP/hist-$bad"
	"$CHIPAUDIT" audit --root "$VM" --state "$H" >/dev/null 2>&1
	# the table's CHECK (sequence >= 1) dropped first, as a forger would
	"$SYS_PYTHON" - "$H/history.db" "$bad" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA writable_schema = 1")
db.execute("UPDATE sqlite_master SET sql = replace(sql, 'CHECK (sequence >= 1)', '') WHERE name = 'reports'")
db.commit()
db.close()
db = sqlite3.connect(sys.argv[1])
v = sys.argv[2]
db.execute("UPDATE reports SET sequence = ?", (int(v) if v.isdigit() else v,))
db.commit()
EOF
	expect_exit 65 "history holding sequence $bad: the next audit refuses it" "$CHIPAUDIT" audit --root "$VM" --state "$H"
	expect_stderr_line "history.db: corrupt: report #1 has sequence" "... as a corrupt database, in one line"
	expect_exit 65 "... and history lists nothing from it" "$CHIPAUDIT" history --state "$H"
done

finish
