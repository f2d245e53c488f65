# A throwaway PostgreSQL for the query tests and benches: pg_start DIR starts
# one listening only on a Unix socket in DIR (as the postgres user when run
# as root: initdb refuses root), applies sql/*.sql with `chipaudit-collector
# migrate` ($QUERY), and sets PGDB to its
# connection string; pg_stop stops it.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
pg_as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_start() {
	PG_DIR=$1
	mkdir -p "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust --no-sync >"$PG_DIR/initdb.log" 2>&1 || return 1
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/pg.log" -w \
		-o "-c listen_addresses='' -c unix_socket_directories=$PG_DIR -c fsync=off ${PG_EXTRA_OPTS:-}" start >/dev/null || return 1
	PGDB="host=$PG_DIR dbname=postgres user=postgres"
	"$QUERY" migrate --db "$PGDB" >"$PG_DIR/migrate.log" 2>&1 || return 1
}
pg_stop() { [ -n "${PG_DIR:-}" ] && pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1; PG_DIR=; }
