#!/usr/bin/env bash
# Batch verification of signed reports against OpenSSL's own Ed25519 verify
# rate, on this machine, in this run; and what signing and history cost an
# audit.
#
#   bench/verify_vs_openssl.sh [N]      (N reports verified, default 2000)
#
# Reports are real: chains of 100 `chipaudit audit --sign` of three fixture
# trees (no accelerator, two H100 PCIe, eight H20s), copied up to N files each.
# The peer is `openssl speed -seconds 3 ed25519` (its verify/s, one process,
# a 20-byte message). The issue's target: chipaudit verify >= 70% of it,
# reports of typical size included.
set -eu
cd "$(dirname "$0")/.."
N=${1:-2000}
CHIPAUDIT=${CHIPAUDIT:-build/chipaudit}
[ -x "$CHIPAUDIT" ] || { echo "build first: scripts/build" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl missing (scripts/install-deps)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1764403200 NO_COLOR=1
H20=tests/fixtures/h20x8/root
cpus=$(nproc)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cpus processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "openssl: $(openssl version)"

# An audit that completes exits with its verdict, 0 to 2: h20x8's driver is
# named in security bulletins (backdoor.driver.cve fails), so 2 here.
audit() { "$CHIPAUDIT" audit "$@" >/dev/null || [ $? -le 2 ]; }

# --- the peer. `openssl speed` divides by the CPU (user) time of its one
# process unless given -elapsed, when it divides by wall-clock time; both are
# printed, and chipaudit is measured both ways too, so that each ratio
# compares like with like on this machine, under whatever load it carries.
ossl_verify_rate() { openssl speed -seconds 3 "$@" ed25519 2>/dev/null | awk '/bits EdDSA \(Ed25519\)/ {v = $NF} END {print v}'; }
ossl_cpu=$(ossl_verify_rate)
ossl_wall=$(ossl_verify_rate -elapsed)
echo "openssl speed ed25519 verify/s: $ossl_cpu (per CPU second, the default), $ossl_wall (-elapsed, per wall second)"

"$CHIPAUDIT" keygen --state "$work/state" >/dev/null

# Reports of three sizes, each a chain of real signed audits of a fixture
# tree, copied up to N files: a host without accelerators (vm), two GPUs
# (h100: two H100 PCIe), eight GPUs (h20x8, the usual AI server).
TIMEFORMAT='%R %U %S'
# The median of 3 runs: `openssl speed` gives the mean over its 3 seconds,
# and the best of 3 would flatter chipaudit on a machine whose speed drifts.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
measure() { # DIR ARGS... -> "wall_rate cpu_rate" (reports per second), median of 3
	local dir=$1 t ws=() cs=()
	shift
	for _ in 1 2 3; do
		t=$( { time "$CHIPAUDIT" verify --pubkey "$work/state/host.pub.pem" "$@" "$dir"/*.json >/dev/null; } 2>&1 )
		ws+=("$(echo "$t" | awk -v n="$N" '{print n / $1}')")
		cs+=("$(echo "$t" | awk -v n="$N" '{print n / ($2 + $3)}')")
	done
	echo "$(median "${ws[@]}") $(median "${cs[@]}")"
}
for fixture in vm h100 h20x8; do
	dir="$work/$fixture"
	mkdir -p "$dir"
	for i in $(seq -w 1 100); do
		audit --root "tests/fixtures/$fixture/root" --state "$work/state" --sign -o "$dir/c$i.json"
	done
	"$CHIPAUDIT" verify --pubkey "$work/state/host.pub.pem" --chain "$dir"/c*.json >/dev/null ||
		{ echo "the chain of $fixture reports does not verify" >&2; exit 1; }
	i=0
	while [ "$i" -lt $((N - 100)) ]; do
		for f in "$dir"/c*.json; do
			[ "$i" -lt $((N - 100)) ] || break
			i=$((i + 1))
			cp "$f" "$dir/x$i.json"; cp "$f.sig" "$dir/x$i.json.sig"
		done
	done
	size=$(stat -c %s "$dir/c001.json")
	accs=$(jq '.accelerators | length' "$dir/c001.json")
	# `openssl speed` verifies a 20-byte message. Pure Ed25519 hashes the
	# whole message with SHA-512, so no verifier of these reports can pass,
	# per CPU second, 1 / (1 / verify rate + size / SHA-512 rate).
	sha512_kbs=$(openssl speed -seconds 2 -bytes "$size" -evp sha512 2>/dev/null | awk '/^sha512/ {sub(/k$/, "", $NF); print $NF}')
	ceiling=$(echo "1 / (1 / $ossl_cpu + $size / ($sha512_kbs * 1000))" | bc -l)
	# the peer again on either side of the measurement: this VM's speed
	# drifts over minutes, and the ratio should compare the same minutes
	ossl_before=$(ossl_verify_rate -elapsed)
	read -r all_w all_c <<<"$(measure "$dir")"
	ossl_after=$(ossl_verify_rate -elapsed)
	ossl_near=$(echo "($ossl_before + $ossl_after) / 2" | bc -l)
	read -r one_w one_c <<<"$(measure "$dir" --jobs 1)"
	echo
	printf '%s: %d reports of %d bytes (%d accelerators, signed)\n' "$fixture" "$N" "$size" "$accs"
	printf '  ceiling for any Ed25519 verifier of these reports (SHA-512 at %.0f MB/s): %.0f per CPU second, %.2f of openssl speed\n' \
		"$(echo "$sha512_kbs / 1000" | bc -l)" "$ceiling" "$(echo "$ceiling / $ossl_cpu" | bc -l)"
	printf '  chipaudit verify reports/s: %.0f wall, %.0f per CPU second (%s threads); %.0f wall, %.0f per CPU second (--jobs 1)\n' \
		"$all_w" "$all_c" "$cpus" "$one_w" "$one_c"
	printf '  openssl speed -elapsed just before and after: %.0f, %.0f verify/s\n' "$ossl_before" "$ossl_after"
	printf '  ratio, wall clock: chipaudit verify (%s threads) / openssl speed -elapsed (their mean) = %.2f   <- the issue asks >= 0.70\n' \
		"$cpus" "$(echo "$all_w / $ossl_near" | bc -l)"
	printf '  ratio, CPU time:   chipaudit verify / openssl speed (per core)     = %.2f\n' "$(echo "$all_c / $ossl_cpu" | bc -l)"
	printf '  ratio, CPU time:   chipaudit verify / the Ed25519 ceiling above    = %.2f\n' "$(echo "$all_c / $ceiling" | bc -l)"
done
echo

# --- what evidence costs an audit: ROUNDS blocks of R audits of h20x8 per
# mode, one block of each mode in turn (so that a change of load touches all
# alike); the medians of the blocks compared, as a difference of means swung
# from -0.3 to +3.6 ms between runs on this drifting VM. Blocks, not single
# audits: bash's `time` counts milliseconds.
R=5 ROUNDS=8
modes=(plain plain_o hist signed_nh signed)
args_plain=(--no-history)
args_plain_o=(--no-history -o "$work/p.json")
args_hist=(--state "$work/a1" -o "$work/h.json")
args_signed_nh=(--state "$work/state" --no-history --sign -o "$work/s0.json")
args_signed=(--state "$work/state" --sign -o "$work/s.json")
for m in "${modes[@]}"; do : >"$work/wall.$m"; : >"$work/cpu.$m"; done
for _ in $(seq $ROUNDS); do
	for m in "${modes[@]}"; do
		declare -n a="args_$m"
		t=$( { time for _ in $(seq $R); do audit --root "$H20" "${a[@]}" || exit 1; done; } 2>&1 )
		echo "$t" | awk -v r="$R" '{print $1 * 1000 / r}' >>"$work/wall.$m"
		echo "$t" | awk -v r="$R" '{print ($2 + $3) * 1000 / r}' >>"$work/cpu.$m"
		unset -n a
	done
done
declare -A wall cpu
for m in "${modes[@]}"; do wall[$m]=$(median $(<"$work/wall.$m")); cpu[$m]=$(median $(<"$work/cpu.$m")); done
printf 'audit of h20x8, ms per audit, median of %d blocks of %d (wall / CPU):\n' "$ROUNDS" "$R"
for m in "${modes[@]}"; do printf '  %-10s %7.2f / %6.2f\n' "$m" "${wall[$m]}" "${cpu[$m]}"; done
printf 'signing (key, sign, self-verify, .sig written and synced), signed_nh - plain_o: %.2f ms wall, %.2f ms CPU   <- the issue asks <= 5 ms\n' \
	"$(echo "${wall[signed_nh]} - ${wall[plain_o]}" | bc -l)" "$(echo "${cpu[signed_nh]} - ${cpu[plain_o]}" | bc -l)"
printf 'history (baseline read, judged again, one WAL transaction, synchronous=FULL), hist - plain_o: %.2f ms wall, %.2f ms CPU, on %s\n' \
	"$(echo "${wall[hist]} - ${wall[plain_o]}" | bc -l)" "$(echo "${cpu[hist]} - ${cpu[plain_o]}" | bc -l)" \
	"$(df --output=fstype "$work" | tail -1)"
