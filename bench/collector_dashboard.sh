#!/usr/bin/env bash
# The dashboard's data requests on a generated fleet: bench/collector_query.sh
# generates H hosts (default 100,000) x D daily reports (default 30), eight
# accelerators and R current findings a host, 1% failing
# backdoor.iommu.passthrough (and runs its own query benchmarks), leaving its
# collector running (KEEP=1); then each request the overview and the hosts
# table make, GET /v1/query/NAME over HTTPS with the token, 7 times after one
# to warm up. Prints the median server time of each: curl's time from the
# request sent to the whole answer received (time_total - time_pretransfer),
# which leaves out the connection and TLS handshake. Then a Prometheus scrape
# of GET /metrics on the same fleet: median server time, bytes and series.
# Target (the issue): under 200 ms each.
#
#   bench/collector_dashboard.sh [H] [D] [R]
set -eu
cd "$(dirname "$0")/.."
H=${1:-100000}
D=${2:-30}
R=${3:-70}
KEEP=1 bench/collector_query.sh "$H" "$D" "$R"
dev=$(cat "${TMPDIR:-/tmp}/chipaudit-collector-dev.$(id -u)")
trap 'CHIPAUDIT_DB="host=$dev/pg dbname=postgres user=postgres" scripts/collector-dev stop' EXIT
url="https://127.0.0.1:$(sed -n 's/^listening on port //p' "$dev/serve.out")"
token=$(cat "$dev/token")

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
bench() { # LABEL PATH
	local label=$1 path=$2 out times=""
	out=$(curl -sS --cacert "$dev/cert.pem" -H "Authorization: Bearer $token" "$url$path")  # warm
	jq -e '.status == "answered"' >/dev/null <<<"$out" || { echo "$label: $out" >&2; exit 1; }
	for _ in 1 2 3 4 5 6 7; do
		times+=$(curl -sS -o /dev/null --cacert "$dev/cert.pem" -H "Authorization: Bearer $token" \
			-w '%{time_total} %{time_pretransfer}\n' "$url$path" | awk '{print ($1 - $2) * 1000}')$'\n'
	done
	printf '%-58s median %7.1f ms  (%s)\n' "$label" "$(printf '%s' "$times" | median)" \
		"$(jq -c '.answer | if has("total") then "total \(.total), rows \(.hosts | length)" elif has("reports_per_day") then
			"days \(.reports_per_day | length), silent \(.silent_hosts)" else "hosts \(.hosts)" end' <<<"$out")"
}
echo "dashboard requests, HTTPS to the collector, server time:"
bench "overview: summary" "/v1/query/summary"
bench "overview: overview (30 days)" "/v1/query/overview"
bench "hosts: first page" "/v1/query/hosts"
bench "hosts: a page at offset 50,000" "/v1/query/hosts?offset=50000"
bench "hosts: failing backdoor.iommu.passthrough" "/v1/query/hosts?check=backdoor.iommu.passthrough"
bench "hosts: model H100 SXM" "/v1/query/hosts?model=H100%20SXM"
bench "hosts: trust level 2" "/v1/query/hosts?trust=2"
bench "hosts: silent" "/v1/query/hosts?silent=1"
bench "hosts: model H20, trust level 3, failing backdoor.iommu.passthrough" \
	"/v1/query/hosts?model=H20&trust=3&check=backdoor.iommu.passthrough"

echo "a Prometheus scrape of the same fleet, HTTPS to the collector, server time:"
times=""
for _ in 1 2 3 4 5 6 7 8; do
	times+=$(curl -sS -o "$dev/metrics.txt" --cacert "$dev/cert.pem" -H "Authorization: Bearer $token" \
		-w '%{time_total} %{time_pretransfer}\n' "$url/metrics" | awk '{print ($1 - $2) * 1000}')$'\n'
done
printf '%-58s median %7.1f ms  (%s bytes, %s series, %s of them fleet gauges)\n' "GET /metrics" \
	"$(printf '%s' "$times" | tail -n 7 | median)" "$(stat -c %s "$dev/metrics.txt")" \
	"$(grep -vc '^#' "$dev/metrics.txt")" "$(grep -c '^chipaudit_fleet_' "$dev/metrics.txt")"
