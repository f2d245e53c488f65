#!/usr/bin/env bash
# Spyware checks: real processes on this machine (a stand-in device
# node, loopback sockets, a network-namespace pair where allowed), the
# spyware fixture with and without a site policy, hostile /proc trees,
# policies and facts, and snapshots.
. "$(dirname "$0")/lib.sh"

PEER="$SRCDIR/tests/cli/spyware_peer.py"
FX="$FIXTURES/spyware"
PIDS=()
NS_A=ca-spy-a-$$ NS_B=ca-spy-b-$$
cleanup() {
	touch "$TMP/stop" "$TMP/stop-ns" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

skip() { count=$((count + 1)); echo "ok $count - $1 # SKIP $2"; }

# start NAME CMD...: run CMD in the background, its JSON line in $TMP/NAME.json.
start() {
	local name=$1; shift
	"$@" >"$TMP/$name.json" 2>"$TMP/$name.err" &
	PIDS+=($!)
	for _ in $(seq 200); do
		[ -s "$TMP/$name.json" ] && return 0
		sleep 0.05
	done
	echo "# $name did not start: $(head -c 300 "$TMP/$name.err")"
	return 1
}
field() { jq -r "$2" "$TMP/$1.json"; }

# --- real processes: a stand-in device node, a loopback peer, a listener -----------
DEV="$TMP/fake-accel0"
: >"$DEV"
GLOB="$TMP/fake-accel*"
start peer "$SYS_PYTHON" "$PEER" listen 127.0.0.1 "$TMP/stop"
PORT=$(field peer .port)
start user "$SYS_PYTHON" "$PEER" user "$DEV" 127.0.0.1 "$PORT" "$TMP/stop"
UPID=$(field user .pid) PPID_=$(field peer .pid)
CONN_FD=$(field user .conn.fd) CONN_INODE=$(field user .conn.inode) CONN_LPORT=$(field user .conn.local_port)
LIS_FD=$(field user .listener.fd) LIS_INODE=$(field user .listener.inode) LIS_PORT=$(field user .listener.local_port)

"$CHIPAUDIT" facts --device-node "$GLOB" >"$TMP/live.json" 2>"$TMP/err"
me=".processes.device_users[] | select(.pid == $UPID)"
jq_is "[.processes.device_users[] | select(.devices | index(\"$DEV\"))] | map(.pid) | join(\",\")" "$UPID" \
	"live: exactly the process holding the stand-in node is a device user" "$TMP/live.json"
jq_is "[.processes.device_users[].pid] | index($PPID_)" null "live: its loopback peer, holding no device, is not" "$TMP/live.json"
jq_is "$me | .devices | join(\",\")" "$DEV" "live: the device node it holds" "$TMP/live.json"
jq_is "$me | [.command, .user, (.uid|tostring), .exe, (.exe_deleted|tostring)] | join(\" \")" \
	"python3 $(id -un) $(id -u) $(readlink -f "$SYS_PYTHON") false" \
	"live: command, user and executable" "$TMP/live.json"
jq_is "$me | .exe_sha256" "$(sha256sum "$(readlink -f "$SYS_PYTHON")" | cut -d' ' -f1)" "live: the executable's sha256 is the file's" "$TMP/live.json"
if command -v dpkg >/dev/null && dpkg -S "$(readlink -f "$SYS_PYTHON")" >/dev/null 2>&1; then
	jq_is "$me | .exe_package" "dpkg:$(dpkg -S "$(readlink -f "$SYS_PYTHON")" | cut -d: -f1)" "live: owned by the package dpkg -S names" "$TMP/live.json"
fi
jq_is "$me | .sockets[] | select(.fd == $CONN_FD) | \"\(.inode) \(.protocol) \(.state) \(.local_address):\(.local_port) \(.remote_address):\(.remote_port)\"" \
	"$CONN_INODE tcp established 127.0.0.1:$CONN_LPORT 127.0.0.1:$PORT" "live: its connection to the loopback peer, by fd and inode" "$TMP/live.json"
jq_is "$me | .sockets[] | select(.fd == $LIS_FD) | \"\(.inode) \(.protocol) \(.state) \(.local_address):\(.local_port)\"" \
	"$LIS_INODE tcp listen 0.0.0.0:$LIS_PORT" "live: its listener on 0.0.0.0" "$TMP/live.json"
jq_is "$me | .sockets_resolved" true "live: every socket resolved" "$TMP/live.json"

# The same attribution as ss(8) makes.
if command -v ss >/dev/null; then
	ss -Htanp 2>/dev/null | grep "pid=$UPID," | awk '{print $4, $5}' | sort >"$TMP/ss.txt"
	jq -r "$me | .sockets[] | select(.protocol == \"tcp\") | \"\(.local_address):\(.local_port) \(if .remote_port == 0 then \"\(.remote_address):*\" else \"\(.remote_address):\(.remote_port)\" end)\"" \
		"$TMP/live.json" | sort >"$TMP/ours.txt"
	if [ -s "$TMP/ss.txt" ] && diff "$TMP/ss.txt" "$TMP/ours.txt" >"$TMP/diff"; then
		pass "live: the same TCP sockets as ss -tanp attributes to the process"
	else
		fail "live: the same TCP sockets as ss -tanp attributes to the process" "$(cat "$TMP/diff")"
	fi
fi

# Judged: the listener is flagged, the loopback connection is not.
"$CHIPAUDIT" audit --json --device-node "$GLOB" >"$TMP/audit.json"
mine() { echo "[.findings[] | select(.check == \"spyware.device_user.$1\" and .evidence.pid == $UPID)]"; }
jq_is "$(mine listener) | map(.status + \" \" + (.evidence.listeners | map(.local) | join(\",\"))) | join(\";\")" \
	"warn 0.0.0.0:$LIS_PORT" "live: the 0.0.0.0 listener is a warning without a policy" "$TMP/audit.json"
jq_is "$(mine remote_connection) | length" 0 "live: a loopback connection is not a remote connection" "$TMP/audit.json"
jq_is "$(mine unknown_exe) | length" 0 "live: a packaged executable is not flagged" "$TMP/audit.json"

# With a policy: expected passes, the rest fails.
printf '{"chipaudit_policy": 1, "rules": [{"kind": "listen", "exe": "/usr/bin/python3*", "addresses": ["0.0.0.0/0"], "ports": [%d]}]}\n' \
	"$LIS_PORT" >"$TMP/allow.json"
printf '{"chipaudit_policy": 1, "rules": [{"kind": "listen", "addresses": ["0.0.0.0/0"], "ports": ["1-%d"]}]}\n' \
	"$((LIS_PORT - 1))" >"$TMP/deny.json"
"$CHIPAUDIT" audit --json --device-node "$GLOB" --policy "$TMP/allow.json" >"$TMP/a.json"
jq_is "$(mine listener) | map(.status + \" \" + (.evidence.listeners[0].expected_by.rule|tostring)) | join(\";\")" "pass 0" \
	"live: a listener the policy expects passes, naming the rule" "$TMP/a.json"
expect_exit 2 "live: a listener the policy does not expect fails the audit" \
	"$CHIPAUDIT" audit --json --device-node "$GLOB" --policy "$TMP/deny.json"
jq_is "$(mine listener) | map(.status) | join(\",\")" fail "live: ... with status fail" "$TMP/out"

# An executable no package owns, then one deleted while it runs.
cp "$(readlink -f "$SYS_PYTHON")" "$TMP/rogue-python3"
start rogue "$TMP/rogue-python3" "$PEER" user "$DEV" 127.0.0.1 "$PORT" "$TMP/stop"
RPID=$(field rogue .pid)
"$CHIPAUDIT" audit --json --device-node "$GLOB" >"$TMP/r.json"
jq_is "[.findings[] | select(.check == \"spyware.device_user.unknown_exe\" and .evidence.pid == $RPID)] | map(.status + \" \" + .evidence.exe) | join(\";\")" \
	"warn $TMP/rogue-python3" "live: an executable outside every package is a warning" "$TMP/r.json"
rm "$TMP/rogue-python3"
"$CHIPAUDIT" audit --json --device-node "$GLOB" >"$TMP/r.json"
jq_is "[.findings[] | select(.check == \"spyware.device_user.unknown_exe\" and .evidence.pid == $RPID)] | map(\"\(.status) \(.evidence.exe_deleted) \(.evidence.exe_sha256)\") | join(\";\")" \
	"warn true $(jq -r "$me | .exe_sha256" "$TMP/live.json")" "live: a deleted executable is reported, hashed as it runs" "$TMP/r.json"

# Unprivileged: other users' processes are reported as not inspectable.
if [ "$(id -u)" -ne 0 ]; then
	skip "unprivileged: root's processes are not inspectable" "needs root to run chipaudit as nobody"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups "$CHIPAUDIT" --version >/dev/null 2>&1; then
	skip "unprivileged: root's processes are not inspectable" "nobody cannot run $CHIPAUDIT (directory permissions)"
else
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CHIPAUDIT" audit --no-history --json --device-node "$GLOB" >"$TMP/u.json" 2>"$TMP/err"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CHIPAUDIT" facts --device-node "$GLOB" >"$TMP/uf.json" 2>"$TMP/err"
	jq_is ".processes.not_inspectable[] | select(.pid == $UPID) | \"\(.user) \(.command) \(.inspectable)\"" "root python3 false" \
		"unprivileged: the root-owned device user is listed as not inspectable" "$TMP/uf.json"
	jq_is "[.processes.device_users[] | select(.pid == $UPID)] | length" 0 "unprivileged: ... not silently counted as clean" "$TMP/uf.json"
	jq_is '[.limitations[] | select(.source == "/proc/PID/fd")] | .[0].reason | test("could not be inspected \\(Permission denied\\)")' true \
		"unprivileged: a limitation says why" "$TMP/uf.json"
	jq_is '[.findings[] | select(.check == "spyware.process.inspectable" or .check == "spyware.device_user.remote_connection" or .check == "spyware.device_user.listener") | .status] | unique | join(",")' \
		skip "unprivileged: the device-user checks and inspectable are skips, not passes" "$TMP/u.json"
fi

# --- a non-loopback peer: a network-namespace pair made for the test -----------------
if [ "$(id -u)" -ne 0 ]; then
	skip "netns: remote connection across a veth pair" "needs root for ip netns"
elif ! ip netns add "$NS_A" 2>"$TMP/nserr"; then
	skip "netns: remote connection across a veth pair" "ip netns add refused: $(head -c 100 "$TMP/nserr")"
else
	ip netns add "$NS_B" && ip link add "cs$$a" type veth peer name "cs$$b" &&
		ip link set "cs$$a" netns "$NS_A" && ip link set "cs$$b" netns "$NS_B" &&
		ip -n "$NS_A" addr add 198.18.0.1/30 dev "cs$$a" && ip -n "$NS_B" addr add 198.18.0.2/30 dev "cs$$b" &&
		ip -n "$NS_A" link set "cs$$a" up && ip -n "$NS_B" link set "cs$$b" up &&
		ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up
	nsok=$?
	if [ $nsok -ne 0 ]; then
		skip "netns: remote connection across a veth pair" "veth setup refused"
	else
		start nspeer ip netns exec "$NS_B" "$SYS_PYTHON" "$PEER" listen 198.18.0.2 "$TMP/stop-ns"
		NSPORT=$(field nspeer .port)
		start nsuser ip netns exec "$NS_A" "$SYS_PYTHON" "$PEER" user "$DEV" 198.18.0.2 "$NSPORT" "$TMP/stop-ns"
		NPID=$(field nsuser .pid)
		"$CHIPAUDIT" audit --json --device-node "$GLOB" >"$TMP/ns.json"
		"$CHIPAUDIT" facts --device-node "$GLOB" >"$TMP/nsf.json"
		jq_is ".processes.device_users[] | select(.pid == $NPID) | .sockets[] | select(.fd == $(field nsuser .conn.fd)) | \"\(.inode) \(.state) \(.remote_address):\(.remote_port)\"" \
			"$(field nsuser .conn.inode) established 198.18.0.2:$NSPORT" "netns: the socket in another namespace is resolved from its own tables" "$TMP/nsf.json"
		jq_is "[.findings[] | select(.check == \"spyware.device_user.remote_connection\" and .evidence.pid == $NPID)] | map(.status + \" \" + (.evidence.connections | map(.remote) | join(\",\"))) | join(\";\")" \
			"warn 198.18.0.2:$NSPORT" "netns: a connection to a non-loopback peer is a warning" "$TMP/ns.json"
		printf '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": ["198.18.0.0/30"], "ports": [%d], "protocol": "tcp"}]}\n' "$NSPORT" >"$TMP/nsallow.json"
		"$CHIPAUDIT" audit --json --device-node "$GLOB" --policy "$TMP/nsallow.json" >"$TMP/ns2.json"
		jq_is "[.findings[] | select(.check == \"spyware.device_user.remote_connection\" and .evidence.pid == $NPID)] | map(.status) | join(\",\")" \
			pass "netns: ... that the policy expects passes" "$TMP/ns2.json"
		printf '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": ["198.18.0.0/30"], "ports": [%d], "protocol": "udp"}]}\n' "$NSPORT" >"$TMP/nsdeny.json"
		"$CHIPAUDIT" audit --json --device-node "$GLOB" --policy "$TMP/nsdeny.json" >"$TMP/ns3.json"
		jq_is "[.findings[] | select(.check == \"spyware.device_user.remote_connection\" and .evidence.pid == $NPID)] | map(.status) | join(\",\")" \
			fail "netns: ... and fails when the policy names another protocol" "$TMP/ns3.json"
		touch "$TMP/stop-ns"
		wait "$(field nsuser .pid)" "$(field nspeer .pid)" 2>/dev/null
	fi
fi

# A snapshot of the live machine gives the same facts, sockets read from
# /proc/PID/net in the snapshot where the live run used netlink.
expect_exit 0 "live snapshot with a device user" "$CHIPAUDIT" snapshot --device-node "$GLOB" -o "$TMP/live.tar.gz"
mkdir "$TMP/snap" && tar -xzf "$TMP/live.tar.gz" -C "$TMP/snap"
# (only this test's processes: on a shared machine others come and go between the runs)
ours=".processes.device_users | map(select(.devices | index(\"$DEV\")))"
"$CHIPAUDIT" facts --device-node "$GLOB" | jq -S "$ours" >"$TMP/l1.json"
"$CHIPAUDIT" facts --root "$TMP/snap" --device-node "$GLOB" | jq -S "$ours" >"$TMP/l2.json"
if diff "$TMP/l1.json" "$TMP/l2.json" >"$TMP/diff"; then pass "live snapshot audits the same, sockets included"; else fail "live snapshot audits the same, sockets included" "$(head -c 1200 "$TMP/diff")"; fi
jq_is ".[] | select(.pid == $UPID) | .sockets | length" 2 "live snapshot: the device user's sockets are in it" "$TMP/l2.json"
jq_is "length" 2 "live snapshot: both device users of this test are in it" "$TMP/l2.json"
touch "$TMP/stop"

# --- the spyware fixture, with its site policy ---------------------------------------
expect_exit 1 "fixture: warnings without a policy" "$CHIPAUDIT" audit --root "$FX/root"
expect_exit 2 "fixture: failures under the policy" "$CHIPAUDIT" audit --root "$FX/root" --policy "$FX/policy.json"
"$CHIPAUDIT" judge --json --policy "$FX/policy.json" "$FX/expected-facts.json" | jq -S '[.findings[] | {check, status, subject: .subjects[]}]' >"$TMP/f.json"
if diff -u <(jq -S . "$FX/expected-findings-policy.json") "$TMP/f.json" >"$TMP/diff"; then pass "fixture: findings under the policy as expected"; else fail "fixture: findings under the policy as expected" "$(head -c 1500 "$TMP/diff")"; fi
"$CHIPAUDIT" audit --json --root "$FX/root" --policy "$FX/policy.json" >"$TMP/fx.json"
byproc() { echo "[.findings[] | select(.check == \"spyware.$1\" and .evidence.pid == $2) | .status] | join(\",\")"; }
jq_is "$(byproc device_user.remote_connection 3120)" fail "fixture: the telemetry agent's Internet peers fail" "$TMP/fx.json"
jq_is "[.findings[] | select(.check == \"spyware.device_user.remote_connection\" and .evidence.pid == 3120) | .evidence.connections[].remote] | join(\",\")" \
	"203.0.113.50:443,198.51.100.7:514" "fixture: ... TCP and connected UDP, as evidence" "$TMP/fx.json"
jq_is "$(byproc device_user.remote_connection 40211)" pass "fixture: NCCL peers on the fabric (IPv4 and IPv6) are expected" "$TMP/fx.json"
jq_is "$(byproc device_user.remote_connection 2310)" pass "fixture: Prometheus over a v4-mapped address is expected" "$TMP/fx.json"
jq_is "$(byproc device_user.listener 1650)" fail "fixture: the host engine on 0.0.0.0:5555 is not expected" "$TMP/fx.json"
jq_is "$(byproc daemon.exposed 1650)" fail "fixture: ... and is an exposed daemon" "$TMP/fx.json"
jq_is "$(byproc daemon.exposed 2310)" pass "fixture: dcgm-exporter's expected :9400 passes" "$TMP/fx.json"
jq_is "$(byproc device_user.unknown_exe 3120)" fail "fixture: a deleted executable fails under a policy" "$TMP/fx.json"
jq_is "$(byproc device_user.unknown_exe 40211)" pass "fixture: conda's Python, pinned by sha256 in the policy, passes" "$TMP/fx.json"
"$CHIPAUDIT" facts --root "$FX/root" >"$TMP/fxf.json"
jq_is '.processes.device_users[] | select(.pid == 2310) | "\(.own_root) \(.container) \(.exe_package)"' \
	"true docker:$(printf '7f3a9c1e5b2d4f60%.0s' 1 2 3 4) dpkg:datacenter-gpu-manager-exporter" \
	"fixture: a container's executable is looked up in the container's own dpkg database" "$TMP/fxf.json"
jq_is '.processes.device_users[] | select(.pid == 1650) | .exe_package' "rpm:datacenter-gpu-manager-4-core" \
	"fixture: the host's executables in its rpm (SQLite) database" "$TMP/fxf.json"
jq_is '.processes.device_users[] | select(.pid == 3120) | .sockets[] | select(.protocol == "unix") | .path' \
	"$(printf '/run/gpu telemetry/ctl.sock\n@gpu-telemetry')" "fixture: unix socket paths, with a space, and abstract" "$TMP/fxf.json"
jq_is '[.processes.daemons[] | select(.running) | .name] | join(",")' "nvidia-persistenced,nv-hostengine,dcgm-exporter" \
	"fixture: the management daemons running" "$TMP/fxf.json"

# A snapshot of the fixture, containers included, gives the same facts.
expect_exit 0 "fixture: snapshot" "$CHIPAUDIT" snapshot --root "$FX/root" -o "$TMP/fx.tar.gz"
mkdir "$TMP/fxsnap" && tar -xzf "$TMP/fx.tar.gz" -C "$TMP/fxsnap"
"$CHIPAUDIT" facts --root "$TMP/fxsnap" >"$TMP/fxs.json"
if diff "$TMP/fxf.json" "$TMP/fxs.json" >"$TMP/diff"; then pass "fixture: snapshot audits the same"; else fail "fixture: snapshot audits the same" "$(head -c 1200 "$TMP/diff")"; fi

# --- processes that cannot be examined: skips, not passes ------------------------------
copy() { rm -rf "$TMP/tree"; cp -a "$FX/root" "$TMP/tree"; }
copy; rm -rf "$TMP/tree/proc/3120/fd"
"$CHIPAUDIT" audit --json --root "$TMP/tree" >"$TMP/h.json"
jq_is '[.findings[] | select(.check == "spyware.process.inspectable")] | map(.status + " " + (.evidence.processes | map(.pid|tostring) | join(","))) | join(";")' \
	"skip 3120" "capture without a process's fds: not inspectable, named" "$TMP/h.json"
jq_is '[.findings[] | select(.check == "spyware.device_user.remote_connection" and .status == "skip")] | length' 1 \
	"... and the remote-connection verdict is a skip" "$TMP/h.json"
copy; rm -rf "$TMP/tree/proc/2310/net"
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/h.json"
jq_is '.processes.device_users[] | select(.pid == 2310) | "\(.sockets_resolved) \(.sockets | map(.protocol) | unique | join(","))"' "false unknown" \
	"a namespace whose tables are missing: sockets unknown, not absent" "$TMP/h.json"
jq_is '[.limitations[] | select(.source == "net:[4026532950]")] | length' 1 "... and a limitation names the namespace" "$TMP/h.json"
copy
for p in "$TMP"/tree/proc/[0-9]*/net; do rm -f "$p/tcp6" "$p/udp6"; done
expect_exit 0 "a host without IPv6 (no tcp6, udp6)" "$CHIPAUDIT" facts --root "$TMP/tree"
copy
python3 - "$TMP/tree/proc" <<'EOF'
import glob, sys
for f in glob.glob(sys.argv[1] + "/*/net/unix"):
    s = open(f).read().replace("/run/gpu telemetry/ctl.sock", "/run/gpu\ntelemetry/ctl.sock")
    open(f, "w").write(s)
EOF
"$CHIPAUDIT" facts --root "$TMP/tree" >"$TMP/h.json"
jq_is '.processes.device_users[] | select(.pid == 3120) | .sockets[] | select(.fd == 7) | .path' "$(printf '/run/gpu\ntelemetry/ctl.sock')" \
	"a unix path holding a newline is kept whole" "$TMP/h.json"

# --- malformed trees: the file and the problem, exit 65 ---------------------------------
tree_bad() { # NAME FILE-IN-TREE CONTENT PATTERN
	copy
	printf '%b' "$3" >"$TMP/tree/$2"
	expect_exit 65 "malformed $1" "$CHIPAUDIT" facts --root "$TMP/tree"
	expect_stderr_line "$4" "malformed $1 named"
}
hdr='  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
tree_bad "tcp address" proc/1402/net/tcp "$hdr   0: 0100007G:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20001 1\n" \
	'/proc/1402/net/tcp: line 2: malformed local address "0100007G:1F90"'
tree_bad "tcp state" proc/1402/net/tcp "$hdr   0: 0100007F:1F90 00000000:0000 1F 00000000:00000000 00:00000000 00000000     0        0 20001 1\n" \
	'/proc/1402/net/tcp: line 2: malformed state'
tree_bad "tcp truncated line" proc/1402/net/tcp "$hdr   0: 0100007F:1F90 00000000:0000 0A 00000000" \
	'/proc/1402/net/tcp: line 2: truncated line'
tree_bad "tcp header" proc/1402/net/tcp "garbage\n" '/proc/1402/net/tcp: line 1: expected the header'
tree_bad "unix type" proc/1402/net/unix 'Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0009 01 20001 /x\n' \
	'/proc/1402/net/unix: line 2: malformed or unknown socket type "0009"'
tree_bad "status Uid" proc/1650/status 'Name:\tnv-hostengine\nPPid:\t1\nUid:\t0\t0\n' '/proc/1650/status: malformed Uid line'
tree_bad "cgroup" proc/1650/cgroup 'no colons here\n' '/proc/1650/cgroup: malformed line "no colons here"'
tree_bad "rpm database" var/lib/rpm/rpmdb.sqlite 'this is not sqlite, but long enough to be read as a database file, really it is not at all\n' \
	'/var/lib/rpm/rpmdb.sqlite: not an SQLite database'
copy
python3 - "$TMP/tree/var/lib/rpm/rpmdb.sqlite" <<'EOF'
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
# a header claiming a directory index past its directory list
blob = struct.pack(">II", 4, 44) + struct.pack(">IIII", 1116, 4, 0, 1) + struct.pack(">IIII", 1000, 6, 4, 1) \
    + struct.pack(">IIII", 1117, 8, 12, 1) + struct.pack(">IIII", 1118, 8, 28, 1) \
    + struct.pack(">I", 7) + b"evil\0\0\0\0" + b"nv-hostengine\0\0\0" + b"/usr/bin/\0" + b"\0" * 6
db.execute("INSERT INTO Packages (blob) VALUES (?)", (blob,))
db.commit()
EOF
expect_exit 65 "malformed rpm header" "$CHIPAUDIT" facts --root "$TMP/tree"
expect_stderr_line 'rpmdb.sqlite: package [0-9]+: package evil: file 0 names directory 7 of 1' "malformed rpm header named"

# --- options, policies, data ---------------------------------------------------------------
expect_exit 64 "--device-node needs an absolute path" "$CHIPAUDIT" facts --device-node 'dev/x*'
expect_stderr_line "--device-node: 'dev/x\\*' is not an absolute path" "--device-node error named"
expect_exit 66 "--policy that does not exist" "$CHIPAUDIT" judge --policy "$TMP/none.json" "$FX/expected-facts.json"
expect_stderr_line "none.json: No such file or directory" "missing policy named"
policy_bad() { # NAME JSON PATTERN
	printf '%s' "$2" >"$TMP/p.json"
	expect_exit 65 "policy: $1" "$CHIPAUDIT" judge --policy "$TMP/p.json" "$FX/expected-facts.json"
	expect_stderr_line "p.json: $3" "policy: $1 named"
}
printf '{"chipaudit_policy": 1,' >"$TMP/p.json"
expect_exit 65 "policy: not JSON" "$CHIPAUDIT" judge --policy "$TMP/p.json" "$FX/expected-facts.json"
expect_stderr_line "p.json:1:[0-9]+: " "policy: not JSON named, line and column"
policy_bad "version" '{"chipaudit_policy": 2}' 'policy.chipaudit_policy: version 2 is not supported'
policy_bad "unknown member" '{"chipaudit_policy": 1, "rulez": []}' 'policy.rulez: unknown member'
policy_bad "rule member" '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "adresses": ["10.0.0.0/8"]}]}' 'policy.rules\[0\].adresses: unknown member'
policy_bad "kind" '{"chipaudit_policy": 1, "rules": [{"kind": "talk", "addresses": ["10.0.0.0/8"]}]}' 'policy.rules\[0\].kind: expected "connect" or "listen"'
policy_bad "CIDR" '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": ["10.0.0.0/33"]}]}' 'policy.rules\[0\].addresses\[0\]: "10.0.0.0/33": prefix length must be 0 to 32'
policy_bad "host bits" '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": ["10.1.2.3/8"]}]}' 'policy.rules\[0\].addresses\[0\]: "10.1.2.3/8": address has bits set beyond the /8 prefix'
policy_bad "no addresses" '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": []}]}' 'policy.rules\[0\].addresses: expected 1 to'
policy_bad "port range" '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": ["::/0"], "ports": ["900-80"]}]}' 'policy.rules\[0\].ports\[0\]: expected a port'
policy_bad "port zero" '{"chipaudit_policy": 1, "rules": [{"kind": "connect", "addresses": ["::/0"], "ports": [0]}]}' 'policy.rules\[0\].ports\[0\]: expected a port'
policy_bad "sha256" '{"chipaudit_policy": 1, "executables": [{"path": "/x", "sha256": "ABC"}]}' 'policy.executables\[0\].sha256: expected 64 lowercase hex digits'
policy_bad "relative executable" '{"chipaudit_policy": 1, "executables": [{"path": "x"}]}' 'policy.executables\[0\].path: expected an absolute path'
printf '{"chipaudit_policy": 1}' >"$TMP/p1.json"
expect_exit 64 "--policy twice" "$CHIPAUDIT" judge --policy "$TMP/p1.json" --policy "$TMP/p1.json" "$FX/expected-facts.json"

mkdir "$TMP/data"
cp "$SRCDIR"/data/*.json "$TMP/data/"
jq '.vendors[0].patterns[0] = "dev/nvidia*"' "$SRCDIR/data/device-nodes.json" >"$TMP/data/device-nodes.json"
expect_exit 65 "data: a relative device pattern" "$CHIPAUDIT" --data-dir "$TMP/data" facts --root "$FX/root"
expect_stderr_line "data/device-nodes.json.vendors\\[0\\].patterns\\[0\\]: 'dev/nvidia\\*' is not an absolute path" "data: pattern named"
cp "$SRCDIR/data/device-nodes.json" "$TMP/data/"
jq '.daemons[1].source = ["NOPE"]' "$SRCDIR/data/daemons.json" >"$TMP/data/daemons.json"
expect_exit 65 "data: a daemon citing an undefined source" "$CHIPAUDIT" --data-dir "$TMP/data" facts --root "$FX/root"
expect_stderr_line 'data/daemons.json.daemons\[1\].source\[0\]: "NOPE" is not in sources' "data: source named"

# --- hostile facts: each member named -------------------------------------------------------
facts_bad() { # NAME JQ PATTERN
	jq "$2" "$FX/expected-facts.json" >"$TMP/$1.json"
	expect_exit 65 "facts: $1" "$CHIPAUDIT" judge "$TMP/$1.json"
	expect_stderr_line "$1.json: $3" "facts: $1 named"
}
facts_bad sock-state '.processes.device_users[0].sockets[0].state = "listening"' 'processes.device_users\[0\].sockets\[0\].state: unexpected value "listening"'
facts_bad sock-address '.processes.device_users[1].sockets[0].local_address = "1.2.3"' 'processes.device_users\[1\].sockets\[0\].local_address: "1.2.3" is not an IPv4 address'
facts_bad sock-port '.processes.device_users[1].sockets[0].remote_port = 70000' 'processes.device_users\[1\].sockets\[0\].remote_port: 70000 out of range'
facts_bad inspectable '.processes.device_users[0].inspectable = false' 'processes.device_users\[0\].inspectable: expected true here'
facts_bad package '.processes.device_users[0].exe_package = "apt:evil"' 'processes.device_users\[0\].exe_package: "apt:evil" does not name dpkg: or rpm:'
facts_bad sha '.processes.device_users[0].exe_sha256 = "xyz"' 'processes.device_users\[0\].exe_sha256: expected 64 lowercase hex digits'
facts_bad running '.processes.daemons[0].running = false' 'processes.daemons\[0\].running: disagrees with its processes'
facts_bad section '.processes = []' 'processes: expected an object or null'
jq '.processes = null' "$FX/expected-facts.json" >"$TMP/null.json"
"$CHIPAUDIT" judge --json "$TMP/null.json" >"$TMP/n.json"
jq_is '[.findings[] | select(.category == "spyware") | .status] | unique | join(",")' skip "facts without processes: every spyware check skips" "$TMP/n.json"

finish
