#!/usr/bin/env bash
# Regenerate tests/fuzz/corpus/amdsmi_capture/*.json: what `chipaudit snapshot`
# stores (var/lib/chipaudit-capture/amdsmi.json) on a machine whose AMD SMI
# answers as each scenario (the 24.7 fake, and the 24.5 one for "old-*"): the
# seeds of the fuzz target tests/fuzz/fuzz_amdsmi_capture.c.
# Usage: make-corpus.sh [BUILDDIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
out=$here/../fuzz/corpus/amdsmi_capture
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Loaded under its real name, so the capture says "libamd_smi.so" as a real
# machine's does.
mkdir -p "$tmp/new" "$tmp/old" "$out"
ln -s "$build/tests/libfake-amdsmi.so" "$tmp/new/libamd_smi.so"
ln -s "$build/tests/libfake-amdsmi-old.so" "$tmp/old/libamd_smi.so"
capture() { # LIBDIR SCENARIO NAME
	rm -rf "$tmp/x"; mkdir "$tmp/x"
	LD_LIBRARY_PATH=$1 FAKE_AMDSMI_SCENARIO=$here/scenarios/$2.json CHIPAUDIT_AMDSMI_LIBRARY= \
		CHIPAUDIT_NVML_LIBRARY=$tmp/none.so "$build/chipaudit" snapshot -o "$tmp/x.tar.gz" 2>/dev/null
	tar -xzf "$tmp/x.tar.gz" -C "$tmp/x" var/lib/chipaudit-capture/amdsmi.json
	cp "$tmp/x/var/lib/chipaudit-capture/amdsmi.json" "$out/$3.json"
}
for s in "$here"/scenarios/*.json; do
	s=$(basename "$s" .json)
	capture "$tmp/new" "$s" "$s"
done
capture "$tmp/old" healthy-mi300x old-healthy-mi300x
capture "$tmp/old" throttled old-throttled
