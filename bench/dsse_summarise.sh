#!/usr/bin/env bash
# Combine logs of bench/dsse_vs_whole.sh runs into one line per report size:
# each figure "run1 / run2 / ...", CPU microseconds per report.
#   bench/dsse_summarise.sh run1.log run2.log
for fixture in vm h100 h20x8; do
	for log in "$@"; do
		awk -v fx="$fixture" '
			/^openssl speed ed25519/ { for (i = 1; i <= NF; i++) if ($i == "(median") ed = $(i + 2) }
			$1 == "==" { cur = $2; sub(/:$/, "", cur); if (cur == fx) size = $6 }
			cur == fx && /^openssl speed -evp/ { s256 = $10; s512 = $15; gsub(/[(]/, "", s256); gsub(/[(]/, "", s512) }
			cur == fx && /^chipaudit verify/ { c1 = $5 }
			cur == fx && NF == 4 && $2 ~ /^[0-9.]+$/ { v[$1] = $2 }
			END {
				printf "%s %s ed=%s sha512=%s sha256=%s chip1=%s old=%s oldchain=%s jansson=%s stmt=%s new=%s parse=%s pae=%s | new/old=%.2f chain/new=%.2f old/stmt=%.2f jansson/old=%.1f old_ratio=%.2f new_ratio=%.2f stmt_ratio=%.2f\n",
					fx, size, ed, s512, s256, c1, v["old_verify"], v["old_verify_chain"], v["old_jansson"], v["new_statement_only"], v["new_verify"], v["new_parse_only"], v["ed25519_pae_only"],
					v["old_verify"] / v["new_verify"], v["old_verify_chain"] / v["new_verify"], v["old_verify"] / v["new_statement_only"], v["old_jansson"] / v["old_verify"],
					ed / v["old_verify"], ed / v["new_verify"], ed / v["new_statement_only"]
			}' "$log"
	done
done
