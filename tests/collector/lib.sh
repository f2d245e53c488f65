# The collector tests' common part, after tests/cli/lib.sh: a skip where
# PostgreSQL's server is not installed; collector_start [SERVE ARGS...], a
# throwaway PostgreSQL and collector from scripts/collector-dev (its
# CHIPAUDIT_DB, _URL, _CACERT and _TOKEN in the environment, its folder in
# DEV), stopped at exit after the test's own collector_cleanup; sql SQL;
# audit NAME FIXTURE [ARGS...] and hostid NAME, signed reports in $A.
. "$SRCDIR/tests/cli/lib.sh"
: "${COLLECTOR:?}"
export CHIPAUDIT_COLLECTOR=$COLLECTOR
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ ! -x "$PG_BIN/initdb" ]; then
	echo "1..0 # SKIP PostgreSQL server binaries not installed (scripts/install-deps installs postgresql)"
	exit 0
fi
unset CHIPAUDIT_DB
collector_cleanup() { :; }  # a test that starts more processes redefines it
trap 'collector_cleanup; [ -n "${CHIPAUDIT_DB:-}" ] && "$SRCDIR/scripts/collector-dev" stop; rm -rf "$TMP"' EXIT

collector_start() {
	local out
	# the cluster's folder (and collector-dev's note of the last one) in
	# this test's folder, which PostgreSQL's user (when run as root) must
	# pass through: tests running side by side never see each other's
	export TMPDIR=$TMP
	chmod 711 "$TMP"
	# only its standard output is shell to eval: what it or PostgreSQL's
	# tools say on standard error is shown as a diagnostic, never run
	if ! out=$("$SRCDIR/scripts/collector-dev" start "$@" 2>"$TMP/collector-dev.err"); then
		fail "scripts/collector-dev start" "$(cat "$TMP/collector-dev.err")" "$out"; finish; exit 1
	fi
	[ -s "$TMP/collector-dev.err" ] && sed 's/^/# collector-dev said: /' "$TMP/collector-dev.err"
	eval "$out"
	DEV=${CHIPAUDIT_DB#host=}; DEV=${DEV%% *}; DEV=${DEV%/pg}
}

sql() { psql -X -At -d "$CHIPAUDIT_DB" -c "$1"; }

A="$TMP/audits"; mkdir -p "$A"
# audit NAME FIXTURE [AUDIT ARGS...]: a signed report of FIXTURE (a fixture's
# name, or a tree's absolute path) by host key NAME (made on first use):
# $A/NAME.SEQ.json and its .sig, SEQ its sequence
audit() {
	local name=$1 root=$2 seq; shift 2
	case $root in /*) ;; *) root=$FIXTURES/$root/root ;; esac
	[ -f "$A/$name/host.key.pem" ] || "$CHIPAUDIT" keygen --state "$A/$name" >/dev/null
	"$CHIPAUDIT" audit --root "$root" --state "$A/$name" --sign -o "$A/out.json" "$@" >/dev/null 2>&1
	seq=$(jq .sequence "$A/out.json")
	mv "$A/out.json" "$A/$name.$seq.json"; mv "$A/out.json.sig" "$A/$name.$seq.json.sig"
}
hostid() { jq -r .host_id "$A/$1.1.json"; }
