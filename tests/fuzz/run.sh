#!/usr/bin/env bash
# Run one libFuzzer target for a bounded number of inputs, seeded from its
# corpus in the source tree; new inputs go to a scratch directory, never
# into the source tree.
set -eu
exe=$1 corpus=$2 runs=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$exe" -error_exitcode=1 -runs="$runs" -max_len=131072 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$scratch" "$corpus"
