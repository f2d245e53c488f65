#!/usr/bin/env bash
# On a host with 2,000 processes holding 20,000 sockets, attributing
# sockets to processes takes no longer than `ss -tanp` on the same host in
# the same run. bench/sockhold.c creates the load (each process holds a
# stand-in device node and 10 TCP sockets on 127.0.0.1) and removes it
# afterwards. Two chipaudit timings, each a whole command run as ss is:
#  - bench/attribute.c: the attribution alone (procs_attribute: every
#    process's fd links, the netlink dump, the sockets of the 2,000 device
#    users resolved), compared with ss -tanp for the target;
#  - `chipaudit facts --device-node ...`: all of it besides (details of
#    2,000 processes, the executable's hash, the package lookup, validating
#    and printing 8 MB of JSON), shown for what it costs.
# Usage: bench/sockets_vs_ss.sh [NPROC [NSOCK [RUNS]]]  (needs build/ from scripts/build)
set -eu
cd "$(dirname "$0")/.."
nproc=${1:-2000} nsock=${2:-10} runs=${3:-7}
chipaudit=${CHIPAUDIT:-build/chipaudit}
cc=${CC:-cc}
command -v ss >/dev/null || { echo "ss missing: apt-get install iproute2"; exit 1; }
command -v jq >/dev/null || { echo "jq missing: apt-get install jq"; exit 1; }
tmp=$(mktemp -d)
holder=
cleanup() { touch "$tmp/stop"; [ -n "$holder" ] && wait "$holder" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

"$cc" -O2 -Wall -o "$tmp/sockhold" bench/sockhold.c
# shellcheck disable=SC2046
"$cc" -O2 -Wall -D_GNU_SOURCE -Isrc -o "$tmp/attribute" bench/attribute.c build/src/libchipaudit.a \
	$(pkg-config --cflags --libs jansson libpci libcrypto sqlite3 libarchive) -ldl
: >"$tmp/bench-accel0"
"$tmp/sockhold" "$nproc" "$nsock" "$tmp/bench-accel0" "$tmp/ready" "$tmp/stop" &
holder=$!
for _ in $(seq 1200); do [ -e "$tmp/ready" ] && break; sleep 0.1; kill -0 "$holder" 2>/dev/null || break; done
[ -e "$tmp/ready" ] || { echo "the load did not start"; exit 1; }

# The load is what it says, and both tools see all of it.
"$chipaudit" facts --device-node "$tmp/bench-accel*" >"$tmp/facts.json"
users=$(jq "[.processes.device_users[] | select(.devices | index(\"$tmp/bench-accel0\"))] | length" "$tmp/facts.json")
socks=$(jq "[.processes.device_users[] | select(.devices | index(\"$tmp/bench-accel0\")) | .sockets[] | select(.protocol == \"tcp\" and .state == \"established\")] | length" "$tmp/facts.json")
ss_socks=$(ss -Htanp | grep -c '"sockhold"' || true)
read -r a_users a_socks < <("$tmp/attribute" "$tmp/bench-accel*")
echo "load: $nproc processes x $nsock sockets"
echo "attributed: chipaudit facts $socks sockets to $users processes; attribution alone $a_socks to $a_users; ss -tanp $ss_socks"

# median wall time in milliseconds of RUNS executions
median_ms() {
	local times=() i start end
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		end=$(date +%s%N)
		times+=($(((end - start) / 1000000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# interleaved, so that both see the same machine
attr=() full=() peer=()
for ((r = 0; r < runs; r++)); do
	attr+=($(runs=1 median_ms "$tmp/attribute" "$tmp/bench-accel*"))
	peer+=($(runs=1 median_ms ss -tanp))
	full+=($(runs=1 median_ms "$chipaudit" facts --device-node "$tmp/bench-accel*"))
done
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
a=$(med "${attr[@]}") p=$(med "${peer[@]}") f=$(med "${full[@]}")
echo "chipaudit attribution (bench/attribute): median ${a} ms over $runs runs"
echo "ss -tanp:                                median ${p} ms over $runs runs"
echo "chipaudit facts --device-node (all):     median ${f} ms over $runs runs"
awk -v a="$a" -v b="$p" 'BEGIN { printf "ratio attribution/ss: %.2f (at most 1 meets the target)\n", a / b }'
awk -v a="$f" -v b="$p" 'BEGIN { printf "ratio whole facts run/ss: %.2f (for information)\n", a / b }'
awk -v a="$a" -v b="$p" 'BEGIN { printf "target (attribution no slower than ss -tanp): %s\n", (a <= b ? "met" : "NOT met") }'
