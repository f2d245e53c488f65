#!/usr/bin/env bash
# Issue 2: `chipaudit audit` on a machine with no accelerator should take
# under 50 ms. Measures it against `lspci -vvv` (the peer: it walks the same
# sysfs PCI tree) on this machine, in the same run, and prints the ratio.
# Usage: bench/audit_vs_lspci.sh [RUNS] [--root DIR]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-50}; shift || true
chipaudit=${CHIPAUDIT:-build/chipaudit}
command -v lspci >/dev/null || { echo "lspci missing: apt-get install pciutils"; exit 1; }
# Every audit is recorded in history (evidence, issue 8), which is part of
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
awk -v a="$ours" 'BEGIN { printf "target < 50000 us: %s\n", (a < 50000 ? "met" : "NOT met") }'
