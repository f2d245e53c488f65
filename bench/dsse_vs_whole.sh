#!/usr/bin/env bash
# Whole-report signature (today) against a signed in-toto Statement in a DSSE
# envelope that names the report by its SHA-256 (the alternative studied in
# docs/evidence.md, "Statement or whole report"): per-report verification
# cost on reports of three sizes, against `openssl speed` on this machine.
#
#   bench/dsse_vs_whole.sh [N]     (N report files per size, default 1000)
#
# Environment: CHIPAUDIT (default build/chipaudit), K (distinct signed audits
# per fixture, default 20; copied up to N files), ROUNDS (passes of
# bench/dssebench.c over the N files, default 15), REPO (the source tree,
# default this script's ..). OPENSSL_ia32cap=":~0x20000000" measures as on a
# CPU without SHA extensions (OpenSSL's SHA-256 then runs without SHA-NI).
# bench/dsse_summarise.sh LOG... puts several runs' figures side by side.
#
# What it does:
#  1. builds bench/dssebench.c (libcrypto, jansson, src/parse/jscan.c);
#  2. signs chains of K real audits of tests/fixtures/{vm,h100,h20x8} with a
#     fresh key (today's REPORT.sig), and for each report writes the DSSE
#     envelope REPORT.intoto.jsonl with `dssebench sign` (a prototype);
#  3. checks one envelope per size with stock tools only (jq, base64, printf,
#     openssl pkeyutl, sha256sum): the commands a third party types;
#  4. openssl speed: ed25519 (per CPU second and -elapsed), sha256 and
#     sha512 at each report's size;
#  5. chipaudit verify over the N files, one thread and all processors,
#     median of 3 (CPU time per report and wall);
#  6. dssebench bench over the N files: today's and the alternative's steps,
#     microseconds of CPU time per report, median of ROUNDS.
set -eu
shopt -s extglob
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-1000}
K=${K:-20}
ROUNDS=${ROUNDS:-15}
CHIPAUDIT=${CHIPAUDIT:-$REPO/build/chipaudit}
[ -x "$CHIPAUDIT" ] || { echo "build first: scripts/build (or set CHIPAUDIT)" >&2; exit 1; }
for t in openssl jq base64 sha256sum pkg-config cc bc; do
	command -v $t >/dev/null || { echo "$t missing" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1764403200 NO_COLOR=1 LC_ALL=C
cpus=$(nproc)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cpus processors," \
	"sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "openssl: $(openssl version)"

cc -O2 -std=c11 -D_GNU_SOURCE -I"$REPO/src" "$HERE/dssebench.c" "$REPO/src/parse/jscan.c" "$REPO/src/core/hashtab.c" "$REPO/src/core/util.c" \
	$(pkg-config --cflags --libs libcrypto jansson) -o "$work/dssebench"
DB=$work/dssebench

audit() { "$CHIPAUDIT" audit "$@" >/dev/null || [ $? -le 2 ]; }
"$CHIPAUDIT" keygen --state "$work/state" >/dev/null
PUB=$work/state/host.pub.pem KEY=$work/state/host.key.pem

# --- the commands a third party types: stock tools only ---------------------
# DSSE signs PAE(payloadType, payload) = "DSSEv1" SP LEN(type) SP type SP
# LEN(payload) SP payload, LEN in ASCII decimal: rebuilt with printf, then
# checked with `openssl pkeyutl -rawin` (pure Ed25519, as today), and the
# report checked against the Statement's subject with sha256sum.
stock_verify() { # REPORT ENVELOPE PUBKEY DIR
	local report=$1 env=$2 pub=$3 d=$4 type
	jq -j .payload "$env" | base64 -d >"$d/statement.json"
	jq -j '.signatures[0].sig' "$env" | base64 -d >"$d/statement.sig"
	type=$(jq -j .payloadType "$env")
	{ printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(stat -c %s "$d/statement.json")"; cat "$d/statement.json"; } >"$d/statement.pae"
	openssl pkeyutl -verify -pubin -inkey "$pub" -rawin -in "$d/statement.pae" -sigfile "$d/statement.sig" >/dev/null &&
	[ "$(jq -r '.subject[0].digest.sha256' "$d/statement.json")" = "$(sha256sum <"$report" | cut -d' ' -f1)" ]
}

for fixture in vm h100 h20x8; do
	dir="$work/$fixture"
	mkdir -p "$dir"
	for i in $(seq 1 "$K"); do
		f=$dir/c$(printf %03d "$i").json
		audit --root "$REPO/tests/fixtures/$fixture/root" --state "$work/state" --sign -o "$f"
		"$DB" sign "$KEY" "$f"
	done
	"$CHIPAUDIT" verify --pubkey "$PUB" --chain "$dir"/c+([0-9]).json >/dev/null ||
		{ echo "the chain of $fixture reports does not verify" >&2; exit 1; }
	# the stock-tools check, and the same PAE signed by openssl gives the same
	# bytes (Ed25519 is deterministic): the PAE rebuilt by printf is exact
	mkdir -p "$work/st"
	stock_verify "$dir/c001.json" "$dir/c001.json.intoto.jsonl" "$PUB" "$work/st" ||
		{ echo "$fixture: stock-tools verification of the envelope failed" >&2; exit 1; }
	openssl pkeyutl -sign -inkey "$KEY" -rawin -in "$work/st/statement.pae" -out "$work/st/again.sig"
	cmp -s "$work/st/again.sig" "$work/st/statement.sig" || { echo "$fixture: openssl signs another PAE" >&2; exit 1; }
	echo "1" >>"$dir/c001.json" # altered report: must fail
	! stock_verify "$dir/c001.json" "$dir/c001.json.intoto.jsonl" "$PUB" "$work/st" ||
		{ echo "$fixture: an altered report passed" >&2; exit 1; }
	truncate -s -2 "$dir/c001.json"
	stock_verify "$dir/c001.json" "$dir/c001.json.intoto.jsonl" "$PUB" "$work/st"
	# copies up to N files (distinct files, as verify_vs_openssl.sh; one tee
	# per source file and kind: a cp per copy took minutes on a loaded VM)
	for j in $(seq 1 "$K"); do
		f=$dir/c$(printf %03d "$j").json
		copies=()
		for ((i = K + j; i <= N; i += K)); do copies+=("$dir/x$i.json"); done
		[ ${#copies[@]} -gt 0 ] || continue
		tee "${copies[@]}" <"$f" >/dev/null
		tee "${copies[@]/%/.sig}" <"$f.sig" >/dev/null
		tee "${copies[@]/%/.intoto.jsonl}" <"$f.intoto.jsonl" >/dev/null
	done
done
echo "stock tools (jq, base64, printf, openssl pkeyutl -rawin, sha256sum): every envelope checks, an altered report fails"

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ossl_verify_rate() { openssl speed -seconds 3 "$@" ed25519 2>/dev/null | awk '/bits EdDSA \(Ed25519\)/ {v = $NF} END {print v}'; }
ossl_digest_kbs() { openssl speed -seconds 2 -bytes "$2" -evp "$1" 2>/dev/null | awk -v a="$1" '$1 == a {sub(/k$/, "", $NF); print $NF}'; }
r1=$(ossl_verify_rate); r2=$(ossl_verify_rate); r3=$(ossl_verify_rate)
ossl_cpu=$(median "$r1" "$r2" "$r3")
ossl_wall=$(ossl_verify_rate -elapsed)
echo "openssl speed ed25519 verify/s per CPU second: $r1 $r2 $r3 (median $ossl_cpu; $(echo "1000000 / $ossl_cpu" | bc -l | xargs printf '%.1f') us each); -elapsed: $ossl_wall"

TIMEFORMAT='%R %U %S'
chip() { # DIR ARGS... -> "cpu_us_per_report wall_us_per_report", median of 3
	local dir=$1 t cs=() ws=()
	shift
	for _ in 1 2 3; do
		t=$( { time "$CHIPAUDIT" verify --pubkey "$PUB" "$@" "$dir"/+([cx0-9]).json >/dev/null; } 2>&1 )
		cs+=("$(echo "$t" | awk -v n="$N" '{print ($2 + $3) * 1e6 / n}')")
		ws+=("$(echo "$t" | awk -v n="$N" '{print $1 * 1e6 / n}')")
	done
	echo "$(median "${cs[@]}") $(median "${ws[@]}")"
}

rows=()
for fixture in vm h100 h20x8; do
	dir="$work/$fixture"
	size=$(stat -c %s "$dir/c001.json")
	s256=$(ossl_digest_kbs sha256 "$size"); s512=$(ossl_digest_kbs sha512 "$size")
	read -r chip1_c chip1_w <<<"$(chip "$dir" --jobs 1)"
	read -r chipn_c chipn_w <<<"$(chip "$dir")"
	echo
	echo "== $fixture: $N reports of $size bytes (load average $(cut -d' ' -f1 /proc/loadavg))"
	echo "openssl speed -evp at $size bytes: sha256 $(echo "$s256 / 1000" | bc) MB/s ($(echo "$size * 1000 / $s256" | bc -l | xargs printf '%.1f') us), sha512 $(echo "$s512 / 1000" | bc) MB/s ($(echo "$size * 1000 / $s512" | bc -l | xargs printf '%.1f') us)"
	printf 'chipaudit verify: --jobs 1 %.1f us CPU per report (%.1f wall); %s threads %.1f us CPU per report (%.1f wall)\n' \
		"$chip1_c" "$chip1_w" "$cpus" "$chipn_c" "$chipn_w"
	(cd "$dir" && "$DB" bench "$PUB" "$ROUNDS" +([cx0-9]).json) | tee "$work/db.$fixture"
	old=$(awk '$1 == "old_verify" {print $2}' "$work/db.$fixture")
	oldc=$(awk '$1 == "old_verify_chain" {print $2}' "$work/db.$fixture")
	oldj=$(awk '$1 == "old_jansson" {print $2}' "$work/db.$fixture")
	new=$(awk '$1 == "new_verify" {print $2}' "$work/db.$fixture")
	st=$(awk '$1 == "new_statement_only" {print $2}' "$work/db.$fixture")
	rows+=("$(printf '| %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f |' "$fixture" "$size" \
		"$chip1_c" "$old" "$oldc" "$oldj" "$st" "$new" "$(echo "$size * 1000 / $s256" | bc -l)" \
		"$(echo "1000000 / $old / $ossl_cpu" | bc -l)" "$(echo "1000000 / $new / $ossl_cpu" | bc -l)" "$(echo "$old / $new" | bc -l)")")
done
echo
echo "CPU microseconds per report, one thread; openssl speed ed25519 = $ossl_cpu verify/s per CPU second ($(echo "1000000 / $ossl_cpu" | bc -l | xargs printf '%.1f') us)"
echo "| report | bytes | chipaudit verify --jobs 1 | today: sig + scanner | today + sha256 (--chain) | today, scanner retired (jansson) | new: envelope only | new: envelope + sha256 of report | sha256 of report (openssl speed) | today / openssl speed | new / openssl speed | speed-up new vs today |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${rows[@]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
