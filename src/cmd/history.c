/* chipaudit history: the audits kept in the state directory. */
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/output.h"
#include "core/util.h"
#include "evidence/dsse.h"
#include "evidence/history.h"
#include "evidence/sign.h"
#include "evidence/state.h"

struct history_options {
	const char *state, *host, *ref, *output;
	bool json, check;
	uint64_t limit;
};

static int set_limit(const char *value, void *target, char *err, size_t errlen)
{
	uint64_t *limit = target;

	if (parse_u64(value, 10, limit) != 0 || *limit == 0 || *limit > INT64_MAX) {
		snprintf(err, errlen, "history: -n: '%.64s' is not a positive number", value);
		return EXIT_USAGE;
	}
	return 0;
}

static const struct opt_row history_rows[] = {
	OPT_STRING("state", 0, "DIR", "the state directory ($CHIPAUDIT_STATE, else /var/lib/chipaudit)",
	  struct history_options, state),
	OPT_BOOL("json", 0, "one JSON array", struct history_options, json),
	OPT_STRING("host", 0, "ID", "only this host (its machine-id)", struct history_options, host),
	{ .short_name = 'n', .arg = OPT_ARG_REQUIRED, .arg_name = "N", .help = "only the N latest",
	  .set = set_limit, .offset = offsetof(struct history_options, limit) },
	OPT_STRING("show", 0, "REF",
	  "print the stored report REF (an id as listed, or a sha256 prefix) byte for byte; with -o FILE "
	  "write it there, and its signatures when signed (FILE.sig, FILE.intoto.jsonl)",
	  struct history_options, ref),
	OPT_STRING("output", 'o', "FILE", "with --show: the file to write", struct history_options, output),
	OPT_BOOL("check", 0, "check the database: SQLite integrity, each report's sha256, each chain, each "
	  "statement against its report",
	  struct history_options, check),
	OPT_END,
};
static const struct opt_table history_table = { NULL, history_rows };

const struct cmd_spec history_spec = {
	.name = "history",
	.synopsis = "usage: chipaudit history [--state DIR] [--json] [--host ID] [-n N]\n"
		    "       chipaudit history [--state DIR] --show REF [-o FILE]\n"
		    "       chipaudit history [--state DIR] --check\n",
	.about = "  List the audits recorded in DIR/history.db, oldest first.\n",
	.trailer = "Exit: 0; 65 a damaged history or --check found problems; 66 no history.\n",
	.tables = { &history_table },
};

struct list_state {
	bool json;
	json_t *array;
	int rows;
};

static json_t *row_json(const struct history_row *row)
{
	json_t *o = json_object();

	jset_int(o, "id", (json_int_t)row->id);
	jset_int(o, "sequence", (json_int_t)row->sequence);
	jset_str(o, "time", row->time);
	jset_str(o, "hostname", row->hostname);
	jset_str(o, "host_id", row->host_id);
	jset_str(o, "public_key_fingerprint", row->fingerprint);
	jset_bool(o, "signed", row->signature != NULL || row->envelope != NULL);
	jset_bool(o, "signed_whole", row->signature != NULL);
	jset_bool(o, "signed_statement", row->envelope != NULL);
	jset_str(o, "nonce", row->nonce);
	jset_str(o, "worst", row->worst);
	jset_int(o, "accelerators", (json_int_t)row->accelerators);
	jset_str(o, "sha256", row->sha256);
	jset_str(o, "previous_sha256", row->previous_sha256);
	return o;
}

static int list_row(const struct history_row *row, void *arg)
{
	struct list_state *ls = arg;

	ls->rows++;
	if (ls->json) {
		json_array_append_new(ls->array, row_json(row));
		return 0;
	}
	if (ls->rows == 1)
		text_printf(stdout, "%5s %5s  %-20s  %-20s  %-14s  %-6s  %-5s  %3s  %s\n", "ID", "SEQ", "TIME", "HOST", "KEY",
		       "SIGNED", "WORST", "ACC", "SHA256");
	text_printf(stdout, "%5" PRId64 " %5" PRId64 "  %-20s  %-20.20s  %-14.14s  %-6s  %-5s  %3" PRId64 "  %.16s\n",
	       row->id, row->sequence, row->time ? row->time : "?", row->hostname ? row->hostname : "?",
	       row->fingerprint ? row->fingerprint : "none", row->signature || row->envelope ? "yes" : "no",
	       row->worst ? row->worst : "?", row->accelerators, row->sha256);
	return 0;
}

/* The history row REF names: an id or a sha256 prefix. 1 found, else an exit code. */
static int find_ref(struct history *h, const char *ref, struct history_row *row)
{
	char err[1024];
	uint64_t id;
	int rc;

	if (parse_u64(ref, 10, &id) == 0 && id < INT64_MAX)
		rc = history_by_id(h, (int64_t)id, row, err, sizeof(err));
	else
		rc = history_by_sha256(h, str_starts_with(ref, "sha256:") ? ref + 7 : ref, row, err, sizeof(err));
	if (rc == 0) {
		error_msg("%s: no report %s", history_path(h), ref);
		return EXIT_NOINPUT;
	}
	if (rc > 1)
		error_msg("%s", err);
	return rc;
}

static int show(struct history *h, const char *ref, const char *output)
{
	struct history_row row;
	char err[1024], *sig_path;
	int rc = find_ref(h, ref, &row);

	if (rc != 1)
		return rc;
	if (output == NULL) {
		rc = fwrite(row.body, 1, row.body_len, stdout) == row.body_len && fflush(stdout) == 0 ? 0 : EXIT_IOERR;
		if (rc)
			error_msg("writing the report: output error");
	} else {
		rc = output_file(output, row.body, row.body_len, 0644, 0, err, sizeof(err));
		if (rc == 0 && row.signature) {
			sig_path = xasprintf("%s.sig", output);
			rc = output_file(sig_path, row.signature, row.signature_len, 0644, 0, err, sizeof(err));
			free(sig_path);
		}
		if (rc == 0 && row.envelope) {
			sig_path = xasprintf("%s%s", output, DSSE_SUFFIX);
			rc = output_file(sig_path, row.envelope, row.envelope_len, 0644, 0, err, sizeof(err));
			free(sig_path);
		}
		if (rc)
			error_msg("%s", err);
	}
	history_row_free(&row);
	return rc;
}

static void print_problem(const char *msg, void *arg)
{
	const char *path = arg;
	error_msg("%s: %s", path, msg);
}

static int check(struct history *h)
{
	char err[1024];
	int n = history_check(h, print_problem, (void *)history_path(h), err, sizeof(err));

	if (n < 0) {
		error_msg("%s", err);
		return EXIT_DATAERR;
	}
	if (n > 0)
		return EXIT_DATAERR;
	text_printf(stdout, "%s: ok\n", history_path(h));
	return 0;
}

int cmd_history(int argc, char **argv)
{
	struct history_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	struct list_state ls = { 0 };
	struct history *h;
	const char *dir;
	bool chosen;
	char err[1024];
	int rc = options_parse(&history_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n != 0)
		return options_usage_error(&history_spec, "unexpected argument '%s'", ops.v[0]);
	if (o.output && !o.ref)
		return options_usage_error(&history_spec, "-o goes with --show REF");
	ls.json = o.json;
	dir = state_dir(o.state, &chosen);
	if ((rc = history_open(dir, false, &h, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return rc;
	}
	if (o.ref) {
		rc = show(h, o.ref, o.output);
	} else if (o.check) {
		rc = check(h);
	} else {
		ls.array = json_array();
		rc = history_each(h, o.host, (int64_t)o.limit, false, list_row, &ls, err, sizeof(err));
		if (rc != 0)
			error_msg("%s", err);
		else if (ls.json)
			rc = print_json(stdout, ls.array);
		else if (ls.rows == 0)
			text_printf(stdout, "no audits recorded in %s\n", history_path(h));
		json_decref(ls.array);
	}
	history_close(h);
	return rc;
}
