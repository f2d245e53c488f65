/* chipaudit history: the audits kept in the state directory. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/output.h"
#include "core/util.h"
#include "evidence/history.h"
#include "evidence/sign.h"
#include "evidence/state.h"

static const char usage[] =
	"usage: chipaudit history [--state DIR] [--json] [--host ID] [-n N]\n"
	"       chipaudit history [--state DIR] --show REF [-o FILE]\n"
	"       chipaudit history [--state DIR] --check\n"
	"  List the audits recorded in DIR/history.db, oldest first.\n"
	"  --state DIR  the state directory ($CHIPAUDIT_STATE, else /var/lib/chipaudit)\n"
	"  --json       one JSON array\n"
	"  --host ID    only this host (its machine-id)\n"
	"  -n N         only the N latest\n"
	"  --show REF   print the stored report REF (an id as listed, or a sha256 prefix)\n"
	"               byte for byte; with -o FILE write it there, and FILE.sig when signed\n"
	"  --check      check the database: SQLite integrity, each report's sha256, each chain\n"
	"  Exit: 0; 65 a damaged history or --check found problems; 66 no history.\n";

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
	jset_bool(o, "signed", row->signature != NULL);
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
	       row->fingerprint ? row->fingerprint : "none", row->signature_len ? "yes" : "no",
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
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "host", required_argument, NULL, 'H' },
		{ "show", required_argument, NULL, 'S' },
		{ "output", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *opt_state = NULL, *host = NULL, *ref = NULL, *output = NULL, *dir;
	struct list_state ls = { 0 };
	struct history *h;
	bool chosen, do_check = false;
	uint64_t limit = 0;
	char err[1024];
	int c, rc;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt_state = optarg; break;
		case 'j': ls.json = true; break;
		case 'H': host = optarg; break;
		case 'S': ref = optarg; break;
		case 'o': output = optarg; break;
		case 'c': do_check = true; break;
		case 'n':
			if (parse_u64(optarg, 10, &limit) != 0 || limit == 0 || limit > INT64_MAX)
				return usage_error(usage, "history: -n: '%s' is not a positive number", optarg);
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: return usage_error(usage, "history: unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error(usage, "history: unexpected argument '%s'", argv[optind]);
	if (output && !ref)
		return usage_error(usage, "history: -o goes with --show REF");
	dir = state_dir(opt_state, &chosen);
	if ((rc = history_open(dir, false, &h, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return rc;
	}
	if (ref) {
		rc = show(h, ref, output);
	} else if (do_check) {
		rc = check(h);
	} else {
		ls.array = json_array();
		rc = history_each(h, host, (int64_t)limit, false, list_row, &ls, err, sizeof(err));
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
