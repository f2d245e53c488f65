#!/usr/bin/env bash
# The measurement samples clocks, power and clock event reasons through NVML
# while the GPU works: the fake CUDA driver (an H200 at 0000:18:00) and the
# fake NVML (healthy-h20: its first GPU at 0000:18:00.0 reports SM 345 MHz,
# memory 2619 MHz, 72 W, gpu_idle) stand in for the driver.
. "$(dirname "$0")/lib.sh"
: "${FAKE_CUDA_LIB:?}" "${FAKE_CUDA_SCENARIOS:?}" "${FAKE_NVML_SCENARIOS:?}"
FAKE_NVML=$(realpath "${1:?fake NVML library}")
export FAKE_CUDA_STATE="$TMP/fake-state" CHIPAUDIT_LIBCUDA="$FAKE_CUDA_LIB" CHIPAUDIT_LIBCUBLASLT="$FAKE_CUDA_LIB"
export FAKE_CUDA_SCENARIO="$FAKE_CUDA_SCENARIOS/h200.json"
mkdir -p "$FAKE_CUDA_STATE"

CHIPAUDIT_NVML_LIBRARY=$FAKE_NVML FAKE_NVML_SCENARIO="$FAKE_NVML_SCENARIOS/healthy-h20.json" \
	"$CHIPAUDIT" measure --quick --json >"$TMP/m.json" 2>"$TMP/err"
jq_is '.measurement.telemetry' nvml "sampled through NVML" "$TMP/m.json"
jq_is '[.accelerators[] | select(.pci_address == "0000:18:00.0") | .measured.clock_samples | length > 0] | .[0]' true \
	"samples taken for the measured GPU" "$TMP/m.json"
jq_is '[.accelerators[] | select(.pci_address == "0000:18:00.0") | .measured.clock_samples[0] | "\(.sm_clock_mhz) \(.memory_clock_mhz) \(.power_w) \(.reasons | join(","))"] | .[0]' \
	"345 2619 72 gpu_idle" "a sample carries NVML's clocks, power and reasons" "$TMP/m.json"
jq_is '[.accelerators[] | select(.pci_address == "0000:18:00.0") | .measured.clock_samples[].phase] | unique | index("setup") != null' true \
	"samples name the phase running" "$TMP/m.json"

# No NVML: measured all the same, and the facts say it was not sampled.
rm -f "$FAKE_CUDA_STATE"/*
CHIPAUDIT_NVML_LIBRARY=$TMP/none.so "$CHIPAUDIT" measure --quick --json >"$TMP/n.json" 2>"$TMP/err"
jq_is '.measurement | "\(.status) \(.telemetry)"' "measured not sampled: no telemetry backend" "without NVML: measured, not sampled" "$TMP/n.json"
jq_is '[.measurement.unmatched[]?, .accelerators[]? | .measured.clock_samples // empty] | map(select(. != null)) | length' 0 \
	"without NVML: no samples" "$TMP/n.json"

finish
