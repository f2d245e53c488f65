#!/usr/bin/env bash
# Reading every GPU's NVML facts. Measures `chipaudit facts` (all
# facts: the PCI bus, NVML and the kernel log) against `nvidia-smi -q -x`
# (the peer: it asks the same library for the same state) on this machine, in
# the same run, and prints the ratio. Needs the NVIDIA driver; scripts/device-
# check runs it on a GPU machine.
# Without a GPU, FAKE=1 times chipaudit against the test suite's fake NVML
# (tests/fake-nvml, the healthy-h20 scenario) with and without it, which
# measures chipaudit's own cost of the NVML backend, not the driver's.
# Usage: bench/nvml_vs_nvidia_smi.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
chipaudit=${CHIPAUDIT:-build/chipaudit}

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

if [ "${FAKE:-}" = 1 ]; then
	lib=${FAKE_LIB:-build/tests/libfake-nvml.so}
	with=$(CHIPAUDIT_NVML_LIBRARY=$lib FAKE_NVML_SCENARIO=tests/fake-nvml/scenarios/healthy-h20.json median_us "$chipaudit" facts)
	without=$(CHIPAUDIT_NVML_LIBRARY=/nonexistent median_us "$chipaudit" facts)
	echo "chipaudit facts, fake NVML with 8 GPUs: median ${with} us over $runs runs"
	echo "chipaudit facts, no NVML:               median ${without} us over $runs runs"
	awk -v a="$with" -v b="$without" 'BEGIN { printf "cost of the NVML backend (8 fake GPUs): %d us\n", a - b }'
	exit 0
fi
command -v nvidia-smi >/dev/null || { echo "nvidia-smi missing: run on a machine with the NVIDIA driver (or FAKE=1)"; exit 1; }
ours=$(median_us "$chipaudit" facts)
peer=$(median_us nvidia-smi -q -x)
echo "chipaudit facts:   median ${ours} us over $runs runs"
echo "nvidia-smi -q -x:  median ${peer} us over $runs runs"
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "ratio chipaudit/nvidia-smi: %.2f (below 1 is faster)\n", a / b }'
