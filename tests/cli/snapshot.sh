#!/usr/bin/env bash
# snapshot captures what the probe reads; auditing the extracted snapshot
# gives the same facts as auditing the original tree.
. "$(dirname "$0")/lib.sh"

for fx in vm h20x8 mixed; do
	expect_exit 0 "$fx: snapshot" "$CHIPAUDIT" snapshot --root "$FIXTURES/$fx/root" -o "$TMP/$fx.tar.gz"
	mkdir -p "$TMP/$fx"
	tar -xzf "$TMP/$fx.tar.gz" -C "$TMP/$fx"
	"$CHIPAUDIT" facts --root "$FIXTURES/$fx/root" >"$TMP/orig.json"
	"$CHIPAUDIT" facts --root "$TMP/$fx" >"$TMP/snap.json"
	if diff "$TMP/orig.json" "$TMP/snap.json" >"$TMP/diff"; then pass "$fx: snapshot audits the same"; else fail "$fx: snapshot audits the same" "$(head -c 800 "$TMP/diff")"; fi
done
# Links are kept as links, as on the machine.
if [ -L "$TMP/h20x8/sys/bus/pci/devices/0000:18:00.0" ] && [ -L "$TMP/h20x8/sys/devices/pci0000:15/0000:15:01.0/0000:16:00.0/0000:17:00.0/0000:18:00.0/driver" ]; then
	pass "snapshot keeps sysfs symlinks"
else
	fail "snapshot keeps sysfs symlinks"
fi

# The live machine: snapshot, extract, the facts match but for their source.
expect_exit 0 "live snapshot" "$CHIPAUDIT" snapshot -o "$TMP/live.tar.gz"
mkdir -p "$TMP/live"; tar -xzf "$TMP/live.tar.gz" -C "$TMP/live"
"$CHIPAUDIT" facts | jq -S 'del(.source)' >"$TMP/a.json"
"$CHIPAUDIT" facts --root "$TMP/live" | jq -S 'del(.source)' >"$TMP/b.json"
if diff "$TMP/a.json" "$TMP/b.json" >"$TMP/diff"; then pass "live snapshot audits the same"; else fail "live snapshot audits the same" "$(head -c 800 "$TMP/diff")"; fi

expect_exit 64 "snapshot without -o" "$CHIPAUDIT" snapshot
expect_exit 73 "snapshot into a missing directory" "$CHIPAUDIT" snapshot -o "$TMP/none/x.tar.gz"
expect_stderr_line "none/x.tar.gz: " "unwritable snapshot named"

finish
