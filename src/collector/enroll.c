/* chipaudit-collector enroll: an operator enrols a host's public key (the
 * node's host.pub.pem), for the host it names, or for the host its first
 * report names when that host is new. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "collector/commands.h"
#include "collector/db.h"
#include "collector/request.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/sign.h"

struct enroll_options {
	const char *db, *pubkey, *host_id;
};

static const struct opt_row enroll_rows[] = {
	OPT_STRING("pubkey", 0, "FILE", "the host's public key (host.pub.pem, Ed25519)", struct enroll_options, pubkey),
	OPT_STRING("host-id", 0, "ID", "the host it belongs to (its machine-id, as its reports say); without it, "
		   "the host its first report names, if the collector does not know that host yet",
		   struct enroll_options, host_id),
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
		   struct enroll_options, db),
	OPT_END,
};
static const struct opt_table enroll_table = { NULL, enroll_rows };

static const struct cmd_spec enroll_spec = {
	.name = "enroll",
	.synopsis = "usage: chipaudit-collector enroll --pubkey FILE [--host-id ID] [--db CONNINFO]\n",
	.about = "  Enrol a host's key: reports signed by it are then accepted (and recorded as\n"
		 "  enrolled by the operator). A host may hold several keys: a new key starts a\n"
		 "  new chain.\n",
	.trailer = "Exit: 0 enrolled (or enrolled already); 65 the key belongs to another host or\n"
		   "was revoked, or is not an Ed25519 public key; 66 unreadable; 69 no database; 64 usage.\n",
	.tables = { &enroll_table },
};

static int enroll(const struct enroll_options *o)
{
	struct hostkey key;
	char err[1024], *pem;
	const char *params[3];
	PGconn *conn;
	PGresult *r;
	int rc = hostkey_load_public(o->pubkey, &key, err, sizeof(err));

	if (rc != 0) {
		error_msg("enroll: %s", err);
		return exit_status(rc);
	}
	if (o->host_id && (!*o->host_id || strlen(o->host_id) > HOST_ID_MAX)) {
		hostkey_free(&key);
		return options_usage_error(&enroll_spec, "--host-id: expected 1 to %d characters", HOST_ID_MAX);
	}
	pem = collector_pubkey_to_pem(key.pkey);
	if (!(conn = db_connect("enroll", o->db, &rc)))
		goto out;
	params[0] = key.fingerprint;
	params[1] = o->host_id;
	params[2] = pem;
	/* one statement: the host made when new, the key added, unless the key is there already */
	if (!db_exec(conn, "WITH h AS (INSERT INTO hosts (host_id, enrolment) SELECT $2::text, 'operator' WHERE $2::text IS NOT NULL "
		     "ON CONFLICT (host_id) DO NOTHING), k AS (INSERT INTO keys (fingerprint, host_id, public_key_pem, "
		     "enrolment) VALUES ($1, $2::text, $3, 'operator') ON CONFLICT (fingerprint) DO NOTHING RETURNING 1) "
		     "SELECT (SELECT count(*) FROM k), host_id, revoked_at IS NOT NULL FROM keys WHERE fingerprint = $1 "
		     "UNION ALL SELECT (SELECT count(*) FROM k), $2::text, false LIMIT 1", 3, params, &r)) {
		error_msg("enroll: %s", db_error(conn, r, err, sizeof(err)));
		rc = EXIT_UNAVAILABLE;
	} else if (strcmp(PQgetvalue(r, 0, 0), "1") == 0) {
		text_printf(stdout, "enrolled %s for %s\n", key.fingerprint, o->host_id ? o->host_id :
			    "the host its first report names");
	} else if (strcmp(PQgetvalue(r, 0, 2), "t") == 0) {
		error_msg("enroll: %s was revoked: a revoked key is not enrolled again", key.fingerprint);
		rc = EXIT_DATAERR;
	} else if (!str_same(PQgetisnull(r, 0, 1) ? NULL : PQgetvalue(r, 0, 1), o->host_id)) {
		error_msg("enroll: %s is enrolled already for %s", key.fingerprint,
			  PQgetisnull(r, 0, 1) ? "the host its first report names" : PQgetvalue(r, 0, 1));
		rc = EXIT_DATAERR;
	} else {
		text_printf(stdout, "%s is enrolled already for %s\n", key.fingerprint, o->host_id ? o->host_id :
			    "the host its first report names");
	}
	PQclear(r);
	PQfinish(conn);
out:
	free(pem);
	hostkey_free(&key);
	return rc;
}

int cmd_enroll(int argc, char **argv)
{
	struct enroll_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	int rc = options_parse(&enroll_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n > 0)
		rc = options_usage_error(&enroll_spec, "takes no operands");
	else if (!o.pubkey)
		rc = options_usage_error(&enroll_spec, "--pubkey FILE is needed");
	else
		rc = enroll(&o);
	options_free(&enroll_spec, ctx);
	return rc;
}
