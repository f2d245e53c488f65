#!/usr/bin/env bash
# Batch verification of signed reports against OpenSSL's own Ed25519 verify
# rate, on this machine, in this run; and what signing and history cost an
# audit.
#
#   bench/verify_vs_openssl.sh [N]      (N reports verified, default 2000)
#
# Reports are real: `chipaudit audit --sign` of the h20x8 fixture (eight
# H20s), about 31 KiB each, a chain of 200 distinct reports copied up to N
# files. The peer is `openssl speed -seconds 3 ed25519` (its verify/s, one
# process, a short message), and the same with -multi (one process per
# processor). The issue's target: chipaudit verify >= 70% of the first.
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

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cpus processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "openssl: $(openssl version)"

# --- the reports
"$CHIPAUDIT" keygen --state "$work/state" >/dev/null
mkdir -p "$work/r"
for i in $(seq -w 1 200); do
	"$CHIPAUDIT" audit --root "$H20" --state "$work/state" --sign -o "$work/r/c$i.json" >/dev/null
done
i=0
while [ "$(ls "$work/r" | grep -c '\.json$')" -lt "$N" ]; do
	for f in "$work"/r/c*.json; do
		i=$((i + 1))
		cp "$f" "$work/r/x$i.json"; cp "$f.sig" "$work/r/x$i.json.sig"
		[ "$(ls "$work/r" | grep -c '\.json$')" -ge "$N" ] && break
	done
done
size=$(stat -c %s "$work/r/c001.json")
echo "reports: $N, $size bytes each (h20x8 audit, signed)"

# --- the peer
# the table's line: " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  23761.5   9211.6" (sign/s, verify/s)
ossl_verify_rate() { openssl speed -seconds 3 "$@" ed25519 2>/dev/null | awk '/bits EdDSA \(Ed25519\)/ {v = $NF} END {print v}'; }
ossl1=$(ossl_verify_rate)
osslN=$(ossl_verify_rate -multi "$cpus")
echo "openssl speed ed25519 verify/s: $ossl1 (one process), $osslN (-multi $cpus)"

# --- chipaudit verify, best of three runs
rate() { # ARGS...: reports verified per second, best of 3
	local best=0 t0 t1 r
	for _ in 1 2 3; do
		t0=$(now)
		"$CHIPAUDIT" verify --pubkey "$work/state/host.pub.pem" "$@" >/dev/null
		t1=$(now)
		r=$(echo "$N / ($t1 - $t0)" | bc -l)
		best=$(echo "if ($r > $best) $r else $best" | bc -l)
	done
	printf '%.1f' "$best"
}
files=$(ls "$work"/r/*.json | head -n "$N")
# shellcheck disable=SC2086
all=$(rate $files)
# shellcheck disable=SC2086
one=$(rate --jobs 1 $files)
chain=$(ls "$work"/r/c*.json)
t0=$(now)
# shellcheck disable=SC2086
"$CHIPAUDIT" verify --pubkey "$work/state/host.pub.pem" --chain $chain >/dev/null
t1=$(now)
chainrate=$(echo "200 / ($t1 - $t0)" | bc -l)
printf 'chipaudit verify reports/s: %s (%s threads), %s (--jobs 1), %.1f (--chain, 200 reports)\n' "$all" "$cpus" "$one" "$chainrate"
printf 'ratio to openssl speed (one process): %.2f   <- the issue asks >= 0.70\n' "$(echo "$all / $ossl1" | bc -l)"
printf 'ratio, one thread to one process:     %.2f\n' "$(echo "$one / $ossl1" | bc -l)"
printf 'ratio to openssl speed -multi %s:      %.2f\n' "$cpus" "$(echo "$all / $osslN" | bc -l)"

# --- what evidence costs an audit: mean wall time of R audits of h20x8
R=40
audit_ms() { # ARGS...
	local t0 t1
	t0=$(now)
	for _ in $(seq $R); do "$CHIPAUDIT" audit --root "$H20" "$@" >/dev/null; done
	t1=$(now)
	echo "($t1 - $t0) * 1000 / $R" | bc -l
}
plain=$(audit_ms --no-history)
plain_o=$(audit_ms --no-history -o "$work/p.json")
hist=$(audit_ms --state "$work/a1")
signed_nohist=$(audit_ms --state "$work/state" --no-history --sign -o "$work/s0.json")
signed=$(audit_ms --state "$work/state" --sign -o "$work/s.json")
printf 'audit of h20x8, ms: %.2f --no-history; %.2f with -o; %.2f recorded; %.2f signed -o, --no-history; %.2f signed and recorded\n' \
	"$plain" "$plain_o" "$hist" "$signed_nohist" "$signed"
printf 'signing (key load, sign, self-verify, the .sig file) costs an audit: %.2f ms   <- the issue asks <= 5 ms\n' \
	"$(echo "$signed_nohist - $plain_o" | bc -l)"
printf 'history (one WAL transaction, synchronous=FULL) costs an audit: %.2f ms on %s\n' \
	"$(echo "$hist - $plain" | bc -l)" "$(df --output=fstype "$work" | tail -1)"
