/* chipaudit-collector ingest: the same verification and storage as POST
 * /v1/reports, for reports that a provider's log shipper or object store
 * delivers as files (nodes that must stay network-silent). Each report
 * REPORT comes with its signature REPORT.sig, as `chipaudit audit --sign`
 * writes them; one status line per report. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/exit.h"
#include "cmd/options.h"
#include "collector/commands.h"
#include "collector/db.h"
#include "collector/ingest_core.h"
#include "core/fileio.h"
#include "core/util.h"
#include "parse/pathlist.h"

struct ingest_options {
	const char *db, *files_from;
};

static const struct opt_row ingest_rows[] = {
	OPT_STRING("db", 0, "CONNINFO", "the collector's database (libpq connection string; $CHIPAUDIT_DB)",
		   struct ingest_options, db),
	OPT_STRING("files-from", 0, "FILE", "the reports named in FILE, one per line ('-': standard input), after "
		   "those on the command line", struct ingest_options, files_from),
	OPT_END,
};
static const struct opt_table ingest_table = { NULL, ingest_rows };

static const struct cmd_spec ingest_spec = {
	.name = "ingest",
	.synopsis = "usage: chipaudit-collector ingest [--db CONNINFO] [--files-from FILE|-] [REPORT...]\n",
	.about = "  Verify and store signed reports delivered as files (REPORT and REPORT.sig), as\n"
		 "  the server does for pushed ones: the key must be enrolled, the chain must\n"
		 "  follow what is stored; a refused report is recorded as an incident.\n",
	.trailer = "Exit: 0 every report stored; 65 a report refused; 66 a report or signature\n"
		   "unreadable; 69 the database could not be reached or failed; 64 usage.\n",
	.operands = "FILE",
	.tables = { &ingest_table },
};

/* One report: its status line, and its exit code. */
static int ingest_file(PGconn *conn, const char *path)
{
	char err[1024], *body = NULL, *sig_path = xasprintf("%s.sig", path);
	unsigned char sig[SIGNATURE_LEN], b64[SIGNATURE_B64_LEN + 1];
	struct ingest_outcome out;
	size_t len;
	int rc = read_file_bounded(path, COLLECTOR_DEFAULT_MAX_BODY, &body, &len, err, sizeof(err));

	if (rc == 0)
		rc = signature_read(sig_path, sig, err, sizeof(err));
	free(sig_path);
	if (rc != 0) {
		error_msg("%s", err);
		free(body);
		return exit_status(rc);
	}
	EVP_EncodeBlock(b64, sig, SIGNATURE_LEN);
	ingest_one(conn, &(struct ingest_request){ .body = body, .len = len, .sig_b64 = (const char *)b64,
						   .max_body = COLLECTOR_DEFAULT_MAX_BODY },
		   NULL, &out);
	free(body);
	if (out.r.http == 201) {
		text_printf(stdout, "%s: stored: host %s sequence %lld%s%s\n", path, out.host_id, (long long)out.sequence,
			    out.r.kind ? "; " : "", out.r.kind ? out.r.reason : "");
		return 0;
	}
	error_msg("%s: %s: %d: %s", path, out.r.http >= 500 ? "failed" : "refused", out.r.http, out.r.reason);
	return out.r.http >= 500 ? EXIT_UNAVAILABLE : EXIT_DATAERR;
}

static int read_list(const char *path, struct pathlist *list)
{
	char err[1024], *data = NULL;
	size_t len;
	int rc = read_file_bounded(path, PATHLIST_MAX_BYTES, &data, &len, err, sizeof(err));

	if (rc == 0 && pathlist_parse(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, list, err, sizeof(err)) != 0)
		rc = CA_ERR_DATA;
	free(data);
	if (rc != 0)
		error_msg("ingest: --files-from: %s", err);
	return exit_status(rc);
}

int cmd_ingest(int argc, char **argv)
{
	struct ingest_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	struct pathlist list = { 0 };
	PGconn *conn = NULL;
	size_t stored = 0, total;
	int rc = options_parse(&ingest_spec, ctx, argc, argv, &ops), worst = 0;

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (o.files_from && (rc = read_list(o.files_from, &list)) != 0)
		goto out;
	total = (size_t)ops.n + list.count;
	if (total == 0) {
		rc = options_usage_error(&ingest_spec, "no report given%s", o.files_from ? " (the list is empty)" : "");
		goto out;
	}
	if (!(conn = db_connect("ingest", o.db, &rc)))
		goto out;
	for (size_t i = 0; i < total; i++) {
		int one = ingest_file(conn, i < (size_t)ops.n ? ops.v[i] : list.paths[i - (size_t)ops.n]);

		if (one == 0)
			stored++;
		/* a refusal outranks an unreadable file, a failing database both */
		if (one == EXIT_UNAVAILABLE || (one == EXIT_DATAERR && worst != EXIT_UNAVAILABLE) || worst == 0)
			worst = one ? one : worst;
	}
	if (total > 1)
		printf("%zu of %zu reports stored\n", stored, total);
	rc = worst;
out:
	PQfinish(conn);
	pathlist_free(&list);
	options_free(&ingest_spec, ctx);
	return fflush(stdout) == 0 ? rc : EXIT_IOERR;
}
