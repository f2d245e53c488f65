#!/usr/bin/env bash
# Hashing modules and firmware must run at no less than 0.9x the
# throughput of sha256sum on the same files. Builds a copy of the
# backdoor-clean fixture whose NVIDIA modules (uncompressed) and GSP
# firmware files add up to SIZE_MIB (default 512) of random data, then
# times `chipaudit facts` on it (which hashes every one of those files, and
# does everything else a gather does) against `sha256sum` of the same
# files, in the same run, page cache warm for both, and prints the ratio.
# Usage: bench/hash_vs_sha256sum.sh [RUNS] [SIZE_MIB]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
size=${2:-512}
chipaudit=${CHIPAUDIT:-build/chipaudit}
command -v sha256sum >/dev/null || { echo "sha256sum missing: apt-get install coreutils"; exit 1; }
[ -x "$chipaudit" ] || { echo "$chipaudit missing: run scripts/build"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a tests/fixtures/backdoor-clean/root "$tmp/root"
release=6.8.0-49-generic
mods="$tmp/root/lib/modules/$release/updates/dkms"
fw="$tmp/root/lib/firmware/nvidia/580.159.03"
rm -f "$mods"/*.ko.zst
# shares of SIZE_MIB, in the proportions of a real install (nvidia.ko and
# the GA10x GSP image dominate)
write() { head -c $(($2 * size / 512))M /dev/urandom >"$1"; }
write "$mods/nvidia.ko" 224
write "$mods/nvidia-uvm.ko" 32
write "$mods/nvidia-modeset.ko" 16
write "$mods/nvidia-drm.ko" 16
write "$fw/gsp_ga10x.bin" 160
write "$fw/gsp_tu10x.bin" 64
sed -i 's/\.ko\.zst:/.ko:/' "$tmp/root/lib/modules/$release/modules.dep"
files=("$mods"/*.ko "$fw"/*.bin)
bytes=$(cat "${files[@]}" | wc -c)

# the facts must show every file hashed, or the timing means nothing
"$chipaudit" facts --root "$tmp/root" >"$tmp/facts.json"
hashed=$(jq '[.modules.list[].file.sha256, .firmware[].files[].sha256] | map(select(. != null)) | length' "$tmp/facts.json")
[ "$hashed" -eq ${#files[@]} ] || { echo "only $hashed of ${#files[@]} files hashed"; exit 1; }
# and the hashes must be sha256sum's
for f in "${files[@]}"; do
	want=$(sha256sum "$f" | cut -d' ' -f1)
	jq -e --arg s "$want" '[.modules.list[].file.sha256, .firmware[].files[].sha256] | index($s) != null' "$tmp/facts.json" >/dev/null ||
		{ echo "hash of $f differs from sha256sum's"; exit 1; }
done

# median wall time in microseconds of RUNS executions of a command
median_us() {
	local times=() i start end
	for ((i = 0; i < runs; i++)); do
		start=$(date +%s%N)
		"$@" >/dev/null
		end=$(date +%s%N)
		times+=($(((end - start) / 1000)))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

cat "${files[@]}" >/dev/null   # warm the page cache for both
ours=$(median_us "$chipaudit" facts --root "$tmp/root")
peer=$(median_us sha256sum "${files[@]}")
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')
echo "files: ${#files[@]} modules and firmware images, $mib MiB"
awk -v t="$ours" -v b="$bytes" -v r="$runs" 'BEGIN { printf "chipaudit facts: median %.3f s over %d runs, %.0f MiB/s (whole gather)\n", t / 1e6, r, b / 1048576 / (t / 1e6) }'
awk -v t="$peer" -v b="$bytes" -v r="$runs" 'BEGIN { printf "sha256sum:       median %.3f s over %d runs, %.0f MiB/s\n", t / 1e6, r, b / 1048576 / (t / 1e6) }'
awk -v a="$ours" -v b="$peer" 'BEGIN { printf "throughput ratio chipaudit/sha256sum: %.2f (target >= 0.90: %s)\n", b / a, (b / a >= 0.9 ? "met" : "NOT met") }'
