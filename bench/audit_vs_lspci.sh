#!/usr/bin/env bash
# `chipaudit audit` against `lspci -vvv` (the peer: it walks the same sysfs
# PCI tree) in the same run, median wall time of each, and the ratio.
# Targets: on a machine with no accelerator, at most 0.5x lspci -vvv; with
# --root tests/fixtures/h20x8/root (eight H20), under 20 ms.
# Usage: bench/audit_vs_lspci.sh [RUNS] [--root DIR] [other audit options]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-50}; shift || true
chipaudit=${CHIPAUDIT:-build/chipaudit}
command -v lspci >/dev/null || { echo "lspci missing: apt-get install pciutils"; exit 1; }
# Every audit is recorded in history (docs/evidence.md), which is part of
# its cost; into a state directory of this run, not /var/lib/chipaudit.
CHIPAUDIT_STATE=$(mktemp -d)
export CHIPAUDIT_STATE
trap 'rm -rf "$CHIPAUDIT_STATE"' EXIT

# median wall time in microseconds of RUNS executions of a command
median_us() {
	local times=() i start end
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		end=$(date +%s%N)
		times+=($(((end - start) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

ours=$(median_us "$chipaudit" audit "$@")
peer=$(median_us lspci -vvv)
echo "chipaudit audit: median ${ours} us over $runs runs"
echo "lspci -vvv:      median ${peer} us over $runs runs"
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "ratio chipaudit/lspci: %.2f (below 1 is faster)\n", a / b }'
if [ "$*" = "" ]; then
	awk -v a="$ours" -v b="$peer" 'BEGIN { printf "target ratio <= 0.50: %s\n", (a / b <= 0.5 ? "met" : "NOT met") }'
else
	awk -v a="$ours" 'BEGIN { printf "target < 20000 us: %s\n", (a < 20000 ? "met" : "NOT met") }'
fi
