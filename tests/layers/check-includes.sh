#!/usr/bin/env bash
# The layer order of docs/layers.md, enforced: every `#include "DIR/..."` in
# src/DIR2/ must name DIR2 itself or a layer before it. TAP output, one line
# per layer; a failure names each file:line that points upward.
set -u
src=${1:?usage: check-includes.sh SRCDIR DOC}
doc=${2:?usage: check-includes.sh SRCDIR DOC}
order=$(sed -n 's/^ *order: *//p' "$doc")
[ -n "$order" ] || { echo "1..1"; echo "not ok 1 - $doc: no 'order:' line"; exit 1; }
read -r -a layers <<<"$order"
rank() { local i; for i in "${!layers[@]}"; do [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }; done; echo -1; }

echo "1..$((${#layers[@]} + 1))"
n=0 failed=0
# Every folder of src/ must be a layer: a new folder is placed in the order.
unplaced=""
for d in "$src"/*/; do
	d=$(basename "$d")
	[ "$(rank "$d")" -ge 0 ] || unplaced+=" $d"
done
n=$((n + 1))
if [ -z "$unplaced" ]; then echo "ok $n - every folder of src/ has a place in the order"
else echo "not ok $n - folders not in $doc's order:$unplaced"; failed=1; fi

for layer in "${layers[@]}"; do
	n=$((n + 1))
	mine=$(rank "$layer")
	bad=""
	if [ -d "$src/$layer" ]; then
		while IFS=: read -r file line dir; do
			r=$(rank "$dir")
			# A folder that is no layer (a system header dir) is not ours.
			[ "$r" -ge 0 ] || continue
			[ "$r" -le "$mine" ] || bad+=$'\n'"#   $file:$line includes $dir/ (a later layer)"
		done < <(grep -rnoE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"(\.\./)*[a-z_]+/' "$src/$layer" |
			 sed -E 's/^([^:]+):([0-9]+):.*"(\.\.\/)*([a-z_]+)\/$/\1:\2:\4/')
		# A relative include that climbs out of the folder hides the layer it names.
		while IFS= read -r hit; do
			bad+=$'\n'"#   $hit (include with ../: name the folder instead)"
		done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"\.\./' "$src/$layer")
	fi
	if [ -z "$bad" ]; then echo "ok $n - $layer includes only itself and earlier layers"
	else echo "not ok $n - $layer includes a later layer$bad"; failed=1; fi
done
exit $failed
