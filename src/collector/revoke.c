/* chipaudit-collector revoke: a host key is no longer believed. Reports it
 * signed before stay stored (they were verified when they came); reports
 * it signs from now on are refused with 403 and recorded as incidents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "collector/commands.h"
#include "collector/db.h"
#include "core/util.h"

struct revoke_options {
	const char *db, *host_id, *key, *reason;
};

static const struct opt_row revoke_rows[] = {
	OPT_STRING("host-id", 0, "ID", "revoke every key of host ID", struct revoke_options, host_id),
	OPT_STRING("key", 0, "FINGERPRINT", "revoke the key sha256:...", struct revoke_options, key),
	OPT_STRING("reason", 0, "TEXT", "why (kept with the key, and given to the host in each refusal)",
		   struct revoke_options, reason),
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
		   struct revoke_options, db),
	OPT_END,
};
static const struct opt_table revoke_table = { NULL, revoke_rows };

static const struct cmd_spec revoke_spec = {
	.name = "revoke",
	.synopsis = "usage: chipaudit-collector revoke --host-id ID|--key FINGERPRINT [--reason TEXT] [--db CONNINFO]\n",
	.about = "  Revoke host keys: reports they sign are refused from now on (403, an incident).\n",
	.trailer = "Exit: 0 revoked (each key printed); 1 no such key or host, or revoked already;\n"
		   "69 no database; 64 usage.\n",
	.tables = { &revoke_table },
};

static int revoke(const struct revoke_options *o)
{
	const char *params[] = { o->host_id, o->key, o->reason ? o->reason : "revoked by the operator" };
	char err[512];
	PGconn *conn;
	PGresult *r;
	int rc;

	if (!(conn = db_connect("revoke", o->db, &rc)))
		return rc;
	if (!db_exec(conn, "UPDATE keys SET revoked_at = now(), revoked_reason = $3 WHERE revoked_at IS NULL AND "
		     "(host_id = $1 OR fingerprint = $2) RETURNING fingerprint, host_id", 3, params, &r)) {
		error_msg("revoke: %s", db_error(conn, r, err, sizeof(err)));
		rc = EXIT_UNAVAILABLE;
	} else if (PQntuples(r) == 0) {
		error_msg("revoke: no key to revoke: %s %s has none that is not revoked already",
			  o->host_id ? "host" : "key", o->host_id ? o->host_id : o->key);
		rc = 1;
	}
	for (int i = 0; rc == 0 && i < PQntuples(r); i++)
		text_printf(stdout, "revoked %s of host %s\n", PQgetvalue(r, i, 0),
			    PQgetisnull(r, i, 1) ? "(not bound yet)" : PQgetvalue(r, i, 1));
	PQclear(r);
	PQfinish(conn);
	return rc;
}

int cmd_revoke(int argc, char **argv)
{
	struct revoke_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	int rc = options_parse(&revoke_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n > 0)
		rc = options_usage_error(&revoke_spec, "takes no operands");
	else if (!o.host_id == !o.key)
		rc = options_usage_error(&revoke_spec, "give --host-id ID or --key FINGERPRINT");
	else
		rc = revoke(&o);
	options_free(&revoke_spec, ctx);
	return rc;
}
