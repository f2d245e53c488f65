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
