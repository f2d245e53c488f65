#!/usr/bin/env bash
# Captured trees handed over by others, audited as root: device nodes, FIFOs
# and sockets are never opened, sparse files cost neither time nor memory,
# and the tree's symbolic links stay inside it even without openat2.
. "$(dirname "$0")/lib.sh"

CLEAN="$FIXTURES/backdoor-clean"
FW=lib/firmware/nvidia/580.159.03

# A copy of a clean fixture tree to make hostile.
tree() {
	rm -rf "$TMP/$1"
	cp -a "$CLEAN/root" "$TMP/$1"
}

# has_limitation FILE SOURCE TEXT NAME: facts.limitations holds SOURCE with TEXT in its reason.
has_limitation() {
	local file=$1 source=$2 text=$3 name=$4
	if jq -e --arg s "$source" --arg t "$text" \
		'any(.limitations[]; .source == $s and (.reason | contains($t)))' "$file" >/dev/null 2>&1; then
		pass "$name"
	else
		fail "$name" "no limitation for $source with: $text" "$(jq -c '.limitations' "$file" 2>&1 | head -c 1500)"
	fi
}

# --- device nodes, FIFOs and sockets -------------------------------------------------

if mknod "$TMP/node-probe" b 7 0 2>/dev/null; then
	tree nodes
	# proc/cmdline as the auditor's /dev/loop0; a firmware "file" as a
	# character device (1:3, /dev/null, stands in for the watchdog 10:130,
	# which a regression must not arm on the machine running the tests);
	# the kernel log as the auditor's own /dev/kmsg; FIFOs and a socket.
	rm "$TMP/nodes/proc/cmdline" "$TMP/nodes/proc/modules" "$TMP/nodes/etc/os-release"
	mknod "$TMP/nodes/proc/cmdline" b 7 0
	mknod "$TMP/nodes/$FW/watchdog.bin" c 1 3
	mkdir -p "$TMP/nodes/dev"
	mknod "$TMP/nodes/dev/kmsg" c 1 11
	mkfifo "$TMP/nodes/proc/modules" "$TMP/nodes/$FW/fifo.bin"
	"$SYS_PYTHON" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/nodes/etc/os-release"

	timeout 60 "$CHIPAUDIT" facts --root "$TMP/nodes" >"$TMP/nodes.json" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 0 ]; then pass "facts on a tree of device nodes: exit 0, no hang"; else fail "facts on a tree of device nodes: exit 0, no hang" "exit $rc" "$(head -c 600 "$TMP/err")"; fi
	jq_is '.kernel.cmdline' null "block device as /proc/cmdline: nothing of it in the facts" "$TMP/nodes.json"
	has_limitation "$TMP/nodes.json" /proc/cmdline "not a regular file (block device 7:0)" "block device as /proc/cmdline: a limitation names it"
	has_limitation "$TMP/nodes.json" "/$FW/watchdog.bin" "not a regular file (character device 1:3)" "character device as firmware: a limitation names it"
	jq_is "[.firmware[].files[] | select(.path == \"/$FW/watchdog.bin\") | .sha256, .error] | @json" \
		'[null,"not a regular file (character device 1:3)"]' "character device as firmware: not hashed, the error says why" "$TMP/nodes.json"
	has_limitation "$TMP/nodes.json" /dev/kmsg "not a regular file (character device 1:11)" "the auditor's /dev/kmsg in a tree is not read"
	jq_is '.kernel_xids.readable' false "kernel log not taken from the auditor" "$TMP/nodes.json"
	has_limitation "$TMP/nodes.json" /proc/modules "not a regular file (FIFO)" "FIFO as /proc/modules: a limitation names it"
	has_limitation "$TMP/nodes.json" "/$FW/fifo.bin" "not a regular file (FIFO)" "FIFO as firmware: a limitation names it"
	has_limitation "$TMP/nodes.json" /etc/os-release "not a regular file (socket)" "socket as /etc/os-release: a limitation names it"

	# audit: the firmware that was not hashed is never a pass, even with a
	# manifest that lists every real file of the directory
	timeout 60 "$CHIPAUDIT" audit --json --no-history --root "$TMP/nodes" --manifest "$CLEAN/manifest.json" >"$TMP/nodes-report.json" 2>"$TMP/err"
	jq_is '[.findings[] | select(.check == "backdoor.firmware.integrity") | .status] | unique | join(",")' warn \
		"audit: firmware with a device node is not a pass" "$TMP/nodes-report.json"
	jq_is "[.findings[] | select(.check == \"backdoor.firmware.integrity\") | .evidence.unhashed[] | select(.path == \"/$FW/watchdog.bin\") | .error] | join(\",\")" \
		"not a regular file (character device 1:3)" "audit: the device node is unhashed, with why" "$TMP/nodes-report.json"
	jq_is '[.findings[] | select(.check == "host.probe.limitations") | .status] | join(",")' skip \
		"audit: the refusals are listed as limitations" "$TMP/nodes-report.json"

	# snapshot: what was refused is not captured; the archive holds only
	# regular files, directories and links
	expect_exit 0 "snapshot of a tree of device nodes" timeout 60 "$CHIPAUDIT" snapshot --root "$TMP/nodes" -o "$TMP/nodes.tar.gz"
	tar -tvzf "$TMP/nodes.tar.gz" >"$TMP/listing"
	if cut -c1 "$TMP/listing" | grep -qv '[-dl]'; then fail "snapshot holds no device, FIFO or socket" "$(grep -v '^[-dl]' "$TMP/listing" | head -5)"; else pass "snapshot holds no device, FIFO or socket"; fi
	if grep -Eq ' (proc/cmdline|proc/modules|dev/kmsg|etc/os-release|.*/watchdog\.bin|.*/fifo\.bin)$' "$TMP/listing"; then
		fail "snapshot captures nothing that was refused" "$(grep -E 'cmdline|modules$|kmsg|os-release|watchdog|fifo' "$TMP/listing")"
	else
		pass "snapshot captures nothing that was refused"
	fi
else
	echo "# SKIP device node tests: mknod is not permitted here ($(id -un))"
fi

# --- sparse files: limits per file and for the whole tree -----------------------------

# elapsed_rss CMD...: runs CMD; sets ELAPSED (seconds) and RSS_KB (its maximum resident set).
elapsed_rss() {
	local start=$(date +%s)
	/usr/bin/time -f '%M' -o "$TMP/rss" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	ELAPSED=$(( $(date +%s) - start ))
	RSS_KB=$(tail -1 "$TMP/rss")
}

tree sparse
for i in 1 2 3 4 5 6 7 8; do truncate -s 4G "$TMP/sparse/$FW/huge$i.bin"; done
elapsed_rss "$CHIPAUDIT" facts --root "$TMP/sparse"
cp "$TMP/out" "$TMP/sparse.json"
if [ "$RC" -eq 0 ] && [ "$ELAPSED" -le 20 ]; then pass "eight sparse 4 GiB firmware files: done in ${ELAPSED}s"; else fail "eight sparse 4 GiB firmware files: done in ${ELAPSED}s" "exit $RC" "$(head -c 600 "$TMP/err")"; fi
has_limitation "$TMP/sparse.json" "/$FW/huge1.bin" "4294967296 bytes, more than the 256 MiB limit for this file" "a 4 GiB firmware file: the limit is stated"
jq_is "[.firmware[].files[] | select(.path | test(\"huge\")) | .sha256] | unique | @json" '[null]' "no 4 GiB file gets a hash" "$TMP/sparse.json"
expect_exit 0 "snapshot of the sparse tree" "$CHIPAUDIT" snapshot --root "$TMP/sparse" -o "$TMP/sparse.tar.gz"
size=$(stat -c %s "$TMP/sparse.tar.gz")
if [ "$size" -lt 1048576 ] && ! tar -tzf "$TMP/sparse.tar.gz" | grep -q huge; then pass "snapshot leaves the sparse files out ($size bytes)"; else fail "snapshot leaves the sparse files out ($size bytes)"; fi

# The budget of one tree: nine files under the per-file limit, 2250 MiB in all.
tree budget
for i in 1 2 3 4 5 6 7 8 9; do truncate -s 250M "$TMP/budget/$FW/b$i.bin"; done
elapsed_rss "$CHIPAUDIT" facts --root "$TMP/budget"
cp "$TMP/out" "$TMP/budget.json"
if [ "$RC" -eq 0 ] && [ "$ELAPSED" -le 60 ]; then pass "2250 MiB of firmware: done in ${ELAPSED}s"; else fail "2250 MiB of firmware: done in ${ELAPSED}s" "exit $RC" "$(head -c 600 "$TMP/err")"; fi
has_limitation "$TMP/budget.json" "/$FW/b9.bin" "262144000 bytes, more than is left of the 2048 MiB read budget of one captured tree" \
	"past the tree's budget: the file and the budget are named"
jq_is "[.firmware[].files[] | select(.path | test(\"/b[0-9]\")) | .sha256 != null] | map(tostring) | join(\",\")" \
	"true,true,true,true,true,true,true,true,false" "the files within the budget are hashed, the one past it is not" "$TMP/budget.json"

# A decompression bomb: 9 KB of zstd that is 300 MiB of zeros, as a module.
if command -v zstd >/dev/null; then
	tree bomb
	head -c 300M /dev/zero | zstd -q -19 >"$TMP/bomb/lib/modules/6.8.0-49-generic/updates/dkms/nvidia.ko.zst"
	elapsed_rss "$CHIPAUDIT" audit --json --no-history --root "$TMP/bomb"
	cp "$TMP/out" "$TMP/bomb.json"
	if [ "$ELAPSED" -le 20 ] && [ "$RSS_KB" -lt 262144 ]; then pass "zstd bomb as nvidia.ko.zst: ${ELAPSED}s, maximum RSS ${RSS_KB} KiB"; else fail "zstd bomb as nvidia.ko.zst: ${ELAPSED}s, maximum RSS ${RSS_KB} KiB" "$(head -c 600 "$TMP/err")"; fi
	jq_is '[.limitations[] | select(.source | endswith("/nvidia.ko.zst")) | .reason] | join(",")' \
		"decompresses to more than 268435456 bytes: signature not examined" "zstd bomb: the limit is stated" "$TMP/bomb.json"
	jq_is '[.findings[] | select(.check == "backdoor.module.integrity" and (.message | startswith("Module nvidia:"))) | .status] | join(",")' \
		skip "zstd bomb: the module's integrity is a skip, not a pass" "$TMP/bomb.json"
else
	echo "# SKIP decompression bomb: zstd is not installed"
fi

# A 1000 MB sparse /proc/PID/net/tcp6 is refused from its size, not read.
rm -rf "$TMP/net"; cp -a "$FIXTURES/h20x8/root" "$TMP/net"
truncate -s 1000M "$TMP/net/proc/1502/net/tcp6"
elapsed_rss "$CHIPAUDIT" facts --root "$TMP/net"
cp "$TMP/out" "$TMP/net.json"
if [ "$RC" -eq 0 ] && [ "$RSS_KB" -lt 262144 ]; then pass "1000 MB sparse tcp6: maximum RSS ${RSS_KB} KiB"; else fail "1000 MB sparse tcp6: maximum RSS ${RSS_KB} KiB" "exit $RC" "$(head -c 600 "$TMP/err")"; fi
has_limitation "$TMP/net.json" /proc/1502/net/tcp6 "1048576000 bytes, more than the 64 MiB limit for this file" "1000 MB tcp6: the limit is stated"

# --- containment without openat2 ----------------------------------------------------

# The auditor's own files, which the tree's links point at; the tree holds
# files of the same names, which is what the links must reach.
mkdir -p "$TMP/auditor"
echo AUDITOR-CMDLINE >"$TMP/auditor/cmdline"
echo AUDITOR-HOSTNAME >"$TMP/auditor/hostname"
tree links
mkdir -p "$TMP/links$TMP/auditor"
echo inside-cmdline >"$TMP/links$TMP/auditor/cmdline"
echo inside-hostname >"$TMP/links$TMP/auditor/hostname"
rm "$TMP/links/proc/cmdline" "$TMP/links/proc/sys/kernel/hostname" "$TMP/links/proc/sys/kernel/tainted"
ln -s "$TMP/auditor/cmdline" "$TMP/links/proc/cmdline"                                     # absolute
ln -s "../../../../../../../../../../../../$TMP/auditor/hostname" "$TMP/links/proc/sys/kernel/hostname" # ".." escape
ln -s tainted "$TMP/links/proc/sys/kernel/tainted"                                         # a loop

"$CHIPAUDIT" facts --root "$TMP/links" >"$TMP/links-openat2.json" 2>"$TMP/err"
jq_is '[.kernel.cmdline, .host.hostname] | @tsv' "inside-cmdline	inside-hostname" "with openat2: links resolve inside the tree" "$TMP/links-openat2.json"
if ! strace -f -o /dev/null true 2>/dev/null; then
	echo "# SKIP openat2 fallback under strace: ptrace is not permitted here"
else
	# LeakSanitizer cannot run under ptrace (it stops the program with a
	# fatal error of its own): no leak check for this one run
	ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" strace -f -o "$TMP/strace.log" -e trace=openat2 -e inject=openat2:error=ENOSYS \
		"$CHIPAUDIT" facts --root "$TMP/links" >"$TMP/links-enosys.json" 2>"$TMP/err"
	if grep -q 'openat2(.*ENOSYS.*(INJECTED)' "$TMP/strace.log"; then pass "strace made openat2 answer ENOSYS"; else fail "strace made openat2 answer ENOSYS" "$(head -c 600 "$TMP/strace.log")"; fi
	jq_is '[.kernel.cmdline, .host.hostname] | @tsv' "inside-cmdline	inside-hostname" "without openat2: links still resolve inside the tree" "$TMP/links-enosys.json"
	if grep -q AUDITOR "$TMP/links-enosys.json"; then fail "without openat2: nothing of the auditor's files" "$(grep -o 'AUDITOR[A-Z-]*' "$TMP/links-enosys.json")"; else pass "without openat2: nothing of the auditor's files"; fi
	has_limitation "$TMP/links-enosys.json" /proc/sys/kernel/tainted "Too many levels of symbolic links" "without openat2: a link loop is a limitation"
	if diff "$TMP/links-openat2.json" "$TMP/links-enosys.json" >"$TMP/diff"; then pass "the same facts with and without openat2"; else fail "the same facts with and without openat2" "$(head -c 800 "$TMP/diff")"; fi
fi

finish
