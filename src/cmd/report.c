/* chipaudit report: show a saved or received report in another form (text,
 * JSON, a node_exporter textfile, an HTML page); reads nothing else on this
 * machine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/fileio.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/sign.h"

struct render_options {
	const char *pubkey, *sig;
};

static const struct opt_row render_rows[] = {
	OPT_STRING("pubkey", 0, "FILE",
	  "check the report's signature with this public key (PEM, from chipaudit keygen); the page says "
	  "whether it holds",
	  struct render_options, pubkey),
	OPT_STRING("sig", 0, "FILE", "the report's signature (default: REPORT.sig when it exists)", struct render_options,
	  sig),
	OPT_END,
};
static const struct opt_table render_table = { NULL, render_rows };

const struct cmd_spec report_spec = {
	.name = "report",
	.synopsis = "usage: chipaudit report [--format FORMAT] [-o FILE] [--json] [--exit-style STYLE]\n"
		    "                        [--pubkey FILE] [--sig FILE] REPORT.json\n",
	.about = "  Show a report written by `audit -o` or `judge -o` (or '-' for standard input)\n"
		 "  as text, JSON, Prometheus metrics or an HTML page. `chipaudit verify` is what\n"
		 "  checks a report's signature and chain; --pubkey only says so on the page.\n",
	.trailer = "Exit: the report's verdict (0 pass/skip only, 1 a warning, 2 a failure); 64-78 usage\n"
		   "and input errors.\n",
	.operands = "FILE",
	.tables = { &report_table, &render_table },
};

/* report_parse puts the members a report carries once (host, accelerators,
 * limitations) back into its facts, for those who read the facts; shown
 * again, the report is as it was written, so they come out of the facts. */
static void unshare_facts(json_t *report)
{
	static const char *const shared[] = { "host", "accelerators", "limitations" };
	json_t *facts = json_object_get(report, "facts");

	for (size_t i = 0; i < ARRAY_SIZE(shared); i++)
		if (facts && json_object_get(facts, shared[i]) == json_object_get(report, shared[i]))
			json_object_del(facts, shared[i]);
}

/* What is known of the signature of the report BYTES read from PATH. */
static int check_signature(const struct render_options *o, const char *path, const char *bytes, size_t len,
			   struct report_signature *out, char **sig_path, struct hostkey *key)
{
	unsigned char sig[SIGNATURE_LEN];
	char err[1024];
	int rc;

	*out = (struct report_signature){ SIGNATURE_NONE, NULL, NULL };
	*sig_path = o->sig ? xstrdup(o->sig) : strcmp(path, "-") != 0 ? xasprintf("%s.sig", path) : NULL;
	if (*sig_path == NULL || (!o->sig && access(*sig_path, F_OK) != 0 && errno == ENOENT)) {
		if (o->pubkey) {
			error_msg("--pubkey: no signature to check (%s)", *sig_path ? *sig_path : "give --sig FILE");
			return EXIT_NOINPUT;
		}
		return 0;
	}
	if ((rc = signature_read(*sig_path, sig, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return exit_status(rc);
	}
	out->file = *sig_path;
	out->state = SIGNATURE_UNCHECKED;
	if (o->pubkey == NULL)
		return 0;
	if ((rc = hostkey_load_public(o->pubkey, key, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		return exit_status(rc);
	}
	out->fingerprint = key->fingerprint;
	out->state = ed25519_verify(key->pkey, NULL, bytes, len, sig) == 1 ? SIGNATURE_VALID : SIGNATURE_INVALID;
	return 0;
}

static int render(const struct common_options *co, const struct render_options *o, const char *path)
{
	struct report_signature signature = { SIGNATURE_NONE, NULL, NULL };
	struct hostkey key = { 0 };
	struct accdb db = { 0 };
	char *bytes = NULL, *sig_path = NULL;
	json_t *report = NULL;
	char err[1024];
	size_t len;
	int rc = read_file_bounded(path, REPORT_MAX_BYTES, &bytes, &len, err, sizeof(err));

	if (rc != 0) {
		error_msg("%s", err);
		rc = exit_status(rc);
	} else if ((report = report_parse(bytes, len, strcmp(path, "-") == 0 ? "<stdin>" : path, err,
					  sizeof(err))) == NULL) {
		error_msg("%s", err);
		rc = EXIT_DATAERR;
	} else if ((rc = check_signature(o, path, bytes, len, &signature, &sig_path, &key)) == 0 &&
		   co->format == FORMAT_HTML) {
		rc = load_accdb(&db);
	}
	if (report)
		unshare_facts(report);
	rc = finish_report(co, report,
			   &(struct report_view){ .db = &db, .signature = &signature,
						  .source = strcmp(path, "-") == 0 ? "<stdin>" : path },
			   rc);
	accdb_free(&db);
	hostkey_free(&key);
	free(sig_path);
	free(bytes);
	json_decref(report);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct common_options co = { 0 };
	struct render_options ro = { 0 };
	void *const ctx[] = { &co, &ro };
	struct operands ops;
	int rc = options_parse(&report_spec, ctx, argc, argv, &ops);

	if (rc == OPTIONS_HELP)
		return 0;
	if (rc == 0 && ops.n != 1)
		rc = options_usage_error(&report_spec, "expected one report file, got %d", ops.n);
	else if (rc == 0 && co.json && co.exit_style == EXIT_STYLE_NAGIOS)
		rc = options_usage_error(&report_spec, "--json and --exit-style nagios: a monitoring check prints a "
					 "status line; write the JSON report with -o FILE");
	else if (rc == 0)
		rc = report_format_check(&report_spec, &co);
	rc = rc == 0 ? render(&co, &ro, ops.v[0]) : finish_report(&co, NULL, NULL, rc);
	options_free(&report_spec, ctx);
	return rc;
}
