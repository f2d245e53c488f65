#!/usr/bin/env bash
# Regenerate tests/fake-nvml/captures/*.json: what `chipaudit snapshot` stores
# (var/lib/chipaudit-capture/nvml.json) on a machine whose NVML answers as the
# healthy-h20 and healthy-h100 scenarios. The fixture trees h20x8 and h100 carry
# these captures (tests/fixtures/mk_killswitch.py); tests/cli/killswitch.sh
# checks that they still equal what the backend writes.
# Usage: make-captures.sh [BUILDDIR]   (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Loaded under its real name, so the capture says "libnvidia-ml.so.1" as a
# real machine's does.
ln -s "$build/tests/libfake-nvml.so" "$tmp/libnvidia-ml.so.1"
mkdir -p "$here/captures"
for s in healthy-h20 healthy-h100; do
	rm -rf "$tmp/x"; mkdir "$tmp/x"
	LD_LIBRARY_PATH=$tmp FAKE_NVML_SCENARIO=$here/scenarios/$s.json CHIPAUDIT_NVML_LIBRARY= \
		"$build/chipaudit" snapshot -o "$tmp/$s.tar.gz" 2>/dev/null
	tar -xzf "$tmp/$s.tar.gz" -C "$tmp/x" var/lib/chipaudit-capture/nvml.json
	cp "$tmp/x/var/lib/chipaudit-capture/nvml.json" "$here/captures/$s.json"
done
