#!/usr/bin/env bash
# Offline verification of an eight-GPU server's attestation (eight
# `chipaudit attest verify` runs, one per GPU) beside OpenSSL's own ECDSA
# P-384 verify rate, on this machine, in this run.
#
#   bench/attest_vs_openssl.sh [ROUNDS]      (rounds of 8 GPUs, default 25)
#
# The evidence is NVIDIA's published Hopper sample (tests/data/nvtrust/), the
# same report and chain for each of the eight GPUs: one GPU's attestation is
# 5 ECDSA P-384 verifications (the report's signature; four certificate
# signatures from the leaf to the pinned root, whose own self-signature
# OpenSSL does not check), so no verifier can exceed openssl's rate / 5 per
# CPU second. chipaudit's figure includes starting the process, reading the
# files and printing the findings, as a user's run does.
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-25}
CHIPAUDIT=${CHIPAUDIT:-build/chipaudit}
[ -x "$CHIPAUDIT" ] || { echo "build first: scripts/build" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl missing (scripts/install-deps)" >&2; exit 1; }
R=tests/data/nvtrust/hopperAttestationReport.txt
C=tests/data/nvtrust/hopperCertChain.txt
NONCE=931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb
export SOURCE_DATE_EPOCH=1764403200 NO_COLOR=1

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "openssl: $(openssl version)"
# `openssl speed ecdsap384`: its last line is "384 bits ecdsa (nistp384) sign/s verify/s ..."
ossl=$(openssl speed -seconds 3 ecdsap384 2>/dev/null | awk '/ecdsa \(nistp384\)/ {v = $NF} END {print v}')
echo "openssl speed ecdsap384 verify/s (per CPU second): $ossl"

"$CHIPAUDIT" attest verify --report "$R" --certs "$C" --nonce $NONCE >/dev/null ||
	{ echo "the sample does not verify" >&2; exit 1; }
TIMEFORMAT='%R %U %S'
t=$( { time for _ in $(seq "$ROUNDS"); do
	for gpu in 0 1 2 3 4 5 6 7; do
		"$CHIPAUDIT" attest verify --report "$R" --certs "$C" --nonce $NONCE >/dev/null
	done
done; } 2>&1 )
# What starting the process costs alone: `attest --help` as many times.
s=$( { time for _ in $(seq $((ROUNDS * 8))); do "$CHIPAUDIT" attest --help >/dev/null; done; } 2>&1 )
n=$((ROUNDS * 8))
read -r wall user sys <<<"$t"
read -r _ suser ssys <<<"$s"
per_cpu=$(echo "$n / ($user + $sys)" | bc -l)
ceiling=$(echo "$ossl / 5" | bc -l)
printf '%d GPU attestations (%d rounds of 8 GPUs), one process each:\n' "$n" "$ROUNDS"
printf '  chipaudit attest verify: %.1f GPUs/s wall, %.1f per CPU second; 8 GPUs in %.1f ms wall\n' \
	"$(echo "$n / $wall" | bc -l)" "$per_cpu" "$(echo "$wall * 1000 / $ROUNDS" | bc -l)"
printf '  ceiling from openssl speed (5 P-384 verifications a GPU): %.1f GPUs per CPU second\n' "$ceiling"
printf '  ratio, CPU time: chipaudit / ceiling = %.2f\n' "$(echo "$per_cpu / $ceiling" | bc -l)"
printf '  of which starting the process (attest --help, as many runs): %.2f ms CPU of %.2f ms CPU a GPU\n' \
	"$(echo "($suser + $ssys) * 1000 / $n" | bc -l)" "$(echo "($user + $sys) * 1000 / $n" | bc -l)"

# An eight-GPU node judged at once, as an audit judges it: the h20x8
# fixture's facts, each GPU carrying NVIDIA's sample report and chain (with
# the sample's nonce, NVML reporting the driver and VBIOS the sample names)
# and judged with NVIDIA's sample driver and VBIOS RIMs
# at 2024-06-01, when their certificates were valid. A GPU is 5 P-384
# verifications, each RIM 4 (its signer's chain of three and its XML
# signature), verified once for the node: 48 in all. The attestation's cost
# is the judge's CPU time with that evidence and the RIMs less the same
# judge's without them (the other checks, loading data, starting).
D=tests/data/nvtrust
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$CHIPAUDIT" facts --root tests/fixtures/h20x8/root >"$tmp/plain.json"
jq '.host.time = "2024-06-01T00:00:00Z" | .nvml.driver_version = "550.90.07" |
    .accelerators[].vendor_library.nvml.vbios_version = "96.00.9F.00.01"' "$tmp/plain.json" >"$tmp/base.json"
jq --arg report "$(tr -d ' \n' <"$R" | xxd -r -p | base64 -w0)" --arg chain "$(base64 -w0 "$C")" \
	--arg nonce "$(echo $NONCE | xxd -r -p | base64 -w0)" \
	'.nvml.confidential_computing.feature = true |
	 .accelerators[].vendor_library.nvml.confidential_computing = {attestation: {report: $report, nonce: $nonce},
		certificates: {attestation_chain: $chain}}' "$tmp/base.json" >"$tmp/attested.json"
rims=(--rim "$D/Driver_RIM_test_no_gpu.swidtag" --rim "$D/1010_0200_882_96005E0001_PROD.swidtag")
gpus=$("$CHIPAUDIT" judge --json "$tmp/attested.json" "${rims[@]}" |
	jq '[.findings[] | select(.check == "attestation.rim" and .status == "fail")] | length')
[ "$gpus" -gt 0 ] || { echo "the RIMs were not judged" >&2; exit 1; }
cpu_of() {   # cpu_of ARGS...: CPU seconds of ROUNDS judge runs
	local t
	t=$( { time for _ in $(seq "$ROUNDS"); do "$CHIPAUDIT" judge --json "$@" >/dev/null || true; done; } 2>&1 )
	read -r _ u s <<<"$t"
	echo "$u + $s" | bc -l
}
with=$(cpu_of "$tmp/attested.json" "${rims[@]}")
without=$(cpu_of "$tmp/base.json")
node_ms=$(echo "($with - $without) * 1000 / $ROUNDS" | bc -l)
floor_ms=$(echo "48 * 1000 / $ossl" | bc -l)
printf 'an eight-GPU node in one judge (%d runs): signature + chain + RIMs + comparison of 8 GPUs\n' "$ROUNDS"
printf '  attestation CPU a node: %.1f ms (judge %.1f ms with it, %.1f ms without)\n' "$node_ms" \
	"$(echo "$with * 1000 / $ROUNDS" | bc -l)" "$(echo "$without * 1000 / $ROUNDS" | bc -l)"
printf '  48 P-384 verifications at openssl speed'"'"'s rate: %.1f ms; ratio chipaudit / that = %.2f\n' "$floor_ms" \
	"$(echo "$node_ms / $floor_ms" | bc -l)"
