/* chipaudit justify: one document that sets the accelerators in question
 * (audited, from reports, or declared, a model and a count) beside their
 * alternatives for a workload: declared and measured figures with their
 * sources, export status for a destination and date, audit findings, the
 * units each needs and what limits it, power and cost, and a conclusion.
 * Signed with the host key as reports are. docs/justify.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/data.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/output.h"
#include "core/util.h"
#include "evidence/sign.h"
#include "evidence/state.h"
#include "export/export.h"
#include "justify/justify.h"
#include "parse/pathlist.h"
#include "parse/workload.h"

#define MAX_LIST 64

struct named_count {
	const char *name;
	const char *count;   /* as given, checked once the database is loaded */
};

struct options {
	const char *destination, *rules, *workload, *format, *output, *state, *files_from, *fleet_summary;
	bool sign;
	const char *reports[MAX_LIST];
	size_t nreports;
	struct named_count models[MAX_LIST];
	size_t nmodels;
	const char *vs[MAX_LIST];
	size_t nvs;
	const char *prices[MAX_LIST];
	size_t nprices;
};

static int push(const char **list, size_t *n, const char *value, const char *option, char *err, size_t errlen)
{
	if (*n == MAX_LIST) {
		snprintf(err, errlen, "justify: more than %d %s options", MAX_LIST, option);
		return EXIT_USAGE;
	}
	list[(*n)++] = value;
	return 0;
}

static int set_report(const char *value, void *target, char *err, size_t errlen)
{
	struct options *o = target;
	return push(o->reports, &o->nreports, value, "--report", err, errlen);
}

static int set_vs(const char *value, void *target, char *err, size_t errlen)
{
	struct options *o = target;
	return push(o->vs, &o->nvs, value, "--vs", err, errlen);
}

static int set_price(const char *value, void *target, char *err, size_t errlen)
{
	struct options *o = target;
	return push(o->prices, &o->nprices, value, "--price", err, errlen);
}

static int set_model(const char *value, void *target, char *err, size_t errlen)
{
	struct options *o = target;

	if (o->nmodels == MAX_LIST) {
		snprintf(err, errlen, "justify: more than %d --model options", MAX_LIST);
		return EXIT_USAGE;
	}
	o->models[o->nmodels++] = (struct named_count){ value, NULL };
	return 0;
}

/* --count N belongs to the --model before it. */
static int set_count(const char *value, void *target, char *err, size_t errlen)
{
	struct options *o = target;

	if (o->nmodels == 0 || o->models[o->nmodels - 1].count != NULL) {
		snprintf(err, errlen, "justify: --count %s follows no --model NAME of its own", value);
		return EXIT_USAGE;
	}
	o->models[o->nmodels - 1].count = value;
	return 0;
}

static const struct opt_row justify_rows[] = {
	OPT_STRING("workload", 'w', "FILE|PRESET", "the workload: a file (docs/justify.md; '-': standard input) or a "
	  "preset of data/workloads/ (\"llm-70b-bf16-inference\")", struct options, workload),
	OPT_CALLBACK("report", 'r', OPT_ARG_REQUIRED, "FILE", "the accelerators of an audit report (repeatable): "
	  "measured figures and findings", set_report, NULL),
	OPT_STRING("files-from", 0, "FILE", "also the reports named in FILE, one per line ('-': standard input): a "
	  "fleet's", struct options, files_from),
	OPT_STRING("fleet-summary", 0, "FILE", "the accelerators of a fleet as the collector sums them "
	  "(`chipaudit-collector query summary --json`; '-': standard input): counts by model, trust levels and "
	  "failing checks, without the reports", struct options, fleet_summary),
	OPT_CALLBACK("model", 'm', OPT_ARG_REQUIRED, "NAME", "accelerators in question, declared: a model of "
	  "data/accelerators.json, with --count (repeatable)", set_model, NULL),
	OPT_CALLBACK("count", 'n', OPT_ARG_REQUIRED, "N", "how many units of the --model before it", set_count, NULL),
	OPT_CALLBACK("vs", 0, OPT_ARG_REQUIRED, "MODEL", "an alternative to compare (repeatable; default: every "
	  "datacenter model with figures the rules do not deny to the destination)", set_vs, NULL),
	OPT_STRING("destination", 'd', "CC", "the buyer's country (ISO 3166): licence requirement and review policy",
	  struct options, destination),
	OPT_STRING("rules", 'R', "DATE", "the export rules in force on DATE, YYYY-MM-DD (default: today)",
	  struct options, rules),
	OPT_CALLBACK("price", 0, OPT_ARG_REQUIRED, "MODEL=AMOUNT", "the price of one unit of MODEL, for the cost "
	  "(repeatable; any currency, the same for all)", set_price, NULL),
	{ .long_name = "format", .short_name = 'f', .arg = OPT_ARG_REQUIRED, .arg_name = "FORMAT",
	  .help = "text (default), json or html (one printable page with charts)", .set = opt_set_string,
	  .offset = offsetof(struct options, format), .choices = "text json html" },
	OPT_STRING("output", 'o', "FILE", "write the document to FILE instead of standard output", struct options,
	  output),
	OPT_BOOL("sign", 0, "sign the document with the host key into FILE.sig (needs -o FILE)", struct options, sign),
	OPT_STRING("state", 0, "DIR", "the state directory holding the host key (default: $CHIPAUDIT_STATE or "
	  "/var/lib/chipaudit)", struct options, state),
	OPT_END,
};
static const struct opt_table justify_table = { NULL, justify_rows };

const struct cmd_spec justify_spec = {
	.name = "justify",
	.synopsis = "usage: chipaudit justify --workload FILE|PRESET [--report FILE]... [--files-from FILE]\n"
		    "                         [--fleet-summary FILE] [--model NAME --count N]...\n"
		    "                         [--vs MODEL]... [--destination CC] [--rules DATE] [--price MODEL=AMOUNT]...\n"
		    "                         [--format text|json|html] [-o FILE [--sign] [--state DIR]]\n",
	.about = "  A purchase justification: the accelerators in question (from audit reports, or a\n"
		 "  declared model and count) beside their alternatives for a workload: declared and\n"
		 "  measured figures with their sources, export status for a destination and date,\n"
		 "  audit findings, the units each needs and the resource that limits it (memory\n"
		 "  capacity, memory bandwidth, dense compute, interconnect), power and cost, and\n"
		 "  which candidates meet the workload. Unknown figures stay unknown and say which\n"
		 "  count they block. The fit model is in docs/justify.md.\n",
	.trailer = "Exit: 0 document made (whatever it concludes); 64 bad option or unknown model or preset;\n"
		   "65 malformed workload or report; 66 unreadable file; 73 output not written; 77 host key\n"
		   "unusable; 78 broken data files.\n",
	.tables = { &justify_table },
};

/* ---- inputs ---- */

static const struct accel_model *find_model(const struct accdb *db, const char *name, const char *option)
{
	const struct accel_model *m = accdb_by_name(db, name), *close[6];
	char list[512] = "";
	size_t n;

	if (m != NULL)
		return m;
	n = accdb_close_matches(db, name, close, ARRAY_SIZE(close));
	for (size_t i = 0; i < n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", close[i]->name);
	error_msg("%s \"%.128s\": not in data/accelerators.json%s%s", option, name, n ? "; close matches: " : "", list);
	return NULL;
}

static bool parse_positive(const char *s, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno == 0 && end != s && *end == '\0' && isfinite(*out) && *out > 0 && *out <= max;
}

static bool is_preset_name(const char *s)
{
	return strcmp(s, "-") != 0 && strchr(s, '/') == NULL && strstr(s, ".json") == NULL && access(s, F_OK) != 0;
}

static void preset_list(char *buf, size_t len)
{
	buf[0] = '\0';
	for (const struct embedded_file *f = embedded_data; f->name; f++) {
		if (!str_starts_with(f->name, "workloads/"))
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%.*s", buf[0] ? ", " : "",
			 (int)(strlen(f->name) - strlen("workloads/") - strlen(".json")), f->name + strlen("workloads/"));
	}
}

static int load_workload(const char *arg, struct workload *w)
{
	char err[1024], *data = NULL, *name, presets[512];
	size_t len;
	json_t *doc;
	int rc;

	if (is_preset_name(arg)) {
		name = xasprintf("workloads/%s.json", arg);
		doc = data_load(name, err, sizeof(err));
		free(name);
		if (doc == NULL) {
			preset_list(presets, sizeof(presets));
			error_msg("--workload \"%.64s\": neither a file nor a preset (presets: %s)", arg, presets);
			return EXIT_USAGE;
		}
		rc = workload_from_json(doc, arg, w, err, sizeof(err));
		json_decref(doc);
		if (rc != 0) {
			error_msg("data/workloads/%s", err);
			return EXIT_CONFIG;
		}
		return 0;
	}
	if ((rc = read_file_bounded(arg, WORKLOAD_MAX_BYTES, &data, &len, err, sizeof(err))) == 0)
		rc = workload_parse(data, len, strcmp(arg, "-") ? arg : "<stdin>", w, err, sizeof(err));
	free(data);
	if (rc != 0)
		error_msg("%s", err);
	return exit_status(rc);
}

static int add_models(struct justify *j, const struct options *o)
{
	struct justify_candidate *c;
	const struct accel_model *m;
	double n;

	for (size_t i = 0; i < o->nmodels; i++) {
		if ((m = find_model(j->db, o->models[i].name, "--model")) == NULL)
			return EXIT_USAGE;
		if (o->models[i].count == NULL) {
			error_msg("--model \"%.128s\": give its --count N", o->models[i].name);
			return EXIT_USAGE;
		}
		if (!parse_positive(o->models[i].count, 1e7, &n) || n != floor(n)) {
			error_msg("--count \"%.32s\": expected a whole number of units from 1 to 10000000", o->models[i].count);
			return EXIT_USAGE;
		}
		if ((c = justify_candidate(j, m, true)) == NULL)
			return EXIT_USAGE;
		c->count = isnan(c->count) ? n : c->count + n;
	}
	return 0;
}

static int add_alternatives(struct justify *j, const struct options *o)
{
	const struct accel_model *m;

	if (o->nvs == 0) {
		justify_default_alternatives(j);
		return 0;
	}
	for (size_t i = 0; i < o->nvs; i++) {
		if ((m = find_model(j->db, o->vs[i], "--vs")) == NULL)
			return EXIT_USAGE;
		if (justify_candidate(j, m, false) == NULL)
			return EXIT_USAGE;
	}
	return 0;
}

/* --price MODEL=AMOUNT, for a candidate of the document. */
static int add_prices(struct justify *j, const struct options *o)
{
	for (size_t i = 0; i < o->nprices; i++) {
		const char *eq = strrchr(o->prices[i], '=');
		const struct accel_model *m;
		char *name;
		double amount;
		size_t k;

		if (eq == NULL || eq == o->prices[i] || !parse_positive(eq + 1, 1e12, &amount)) {
			error_msg("--price \"%.128s\": expected MODEL=AMOUNT, a positive amount per unit", o->prices[i]);
			return EXIT_USAGE;
		}
		name = xstrndup(o->prices[i], (size_t)(eq - o->prices[i]));
		m = find_model(j->db, name, "--price");
		free(name);
		if (m == NULL)
			return EXIT_USAGE;
		for (k = 0; k < j->n && j->c[k].model != m; k++)
			;
		if (k == j->n) {
			error_msg("--price \"%.128s\": %s is not a candidate of this document", o->prices[i], m->name);
			return EXIT_USAGE;
		}
		j->c[k].price = amount;
	}
	return 0;
}

/* ---- output ---- */

static char *render(json_t *doc, const char *format, size_t *len)
{
	char *text;

	if (strcmp(format, "json") == 0)
		return report_serialize(doc, len);
	text = strcmp(format, "html") == 0 ? justify_render_html(doc) : justify_render_text(doc);
	if (text)
		*len = strlen(text);
	return text;
}

static int write_signed(const struct options *o, json_t *doc)
{
	struct hostkey key = { 0 };
	unsigned char sig[SIGNATURE_LEN];
	char err[1024], *text = NULL, *sig_path = NULL;
	bool chosen;
	size_t len = 0;
	int rc = hostkey_load_private(state_dir(o->state, &chosen), &key, err, sizeof(err));

	if (rc != 0) {
		error_msg("%s", err);
		return exit_status(rc);
	}
	jset_str(doc, "public_key_fingerprint", key.fingerprint);
	text = render(doc, o->format, &len);
	if (text == NULL || ed25519_sign(key.pkey, text, len, sig) != 0 ||
	    !ed25519_verify(key.pkey, NULL, text, len, sig)) {
		error_msg("signing the document with %s failed", key.fingerprint);
		rc = EXIT_SOFTWARE;
		goto out;
	}
	sig_path = xasprintf("%s.sig", o->output);
	/* the signature first: a document in place has its signature beside it */
	if ((rc = output_file(sig_path, sig, SIGNATURE_LEN, 0644, 0, err, sizeof(err))) != 0 ||
	    (rc = output_file(o->output, text, len, 0644, 0, err, sizeof(err))) != 0) {
		error_msg("%s", err);
		rc = exit_status(rc);
	}
out:
	free(text);
	free(sig_path);
	hostkey_free(&key);
	return rc;
}

static int write_document(const struct options *o, json_t *doc)
{
	char err[1024], *text;
	size_t len = 0;
	int rc;

	if (o->sign)
		return write_signed(o, doc);
	if ((text = render(doc, o->format, &len)) == NULL) {
		error_msg("rendering the document: out of memory");
		return EXIT_SOFTWARE;
	}
	if (o->output && strcmp(o->output, "-") != 0) {
		rc = output_file(o->output, text, len, 0644, 0, err, sizeof(err));
		if (rc != 0)
			error_msg("%s", err);
		rc = exit_status(rc);
	} else {
		rc = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : EXIT_IOERR;
		if (rc)
			error_msg("standard output: %s", strerror(errno));
	}
	free(text);
	return rc;
}

static void now_iso(char out[32])
{
	time_t t = audit_clock();
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- the command ---- */

static int parse_options(int argc, char **argv, struct options *o)
{
	void *const ctx[] = { o };
	struct operands ops;
	int rc = options_parse(&justify_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc;
	if (ops.n != 0)
		return options_usage_error(&justify_spec, "unexpected argument '%s'", ops.v[0]);
	if (o->workload == NULL)
		return options_usage_error(&justify_spec, "--workload FILE|PRESET is required");
	if (o->nreports == 0 && o->nmodels == 0 && o->files_from == NULL && o->fleet_summary == NULL)
		return options_usage_error(&justify_spec, "give the accelerators in question: --report FILE, "
					   "--fleet-summary FILE or --model NAME --count N");
	if (o->format == NULL)
		o->format = "text";
	if (strcmp(o->format, "text") && strcmp(o->format, "json") && strcmp(o->format, "html"))
		return options_usage_error(&justify_spec, "--format \"%.16s\": expected text, json or html", o->format);
	if (o->sign && (o->output == NULL || strcmp(o->output, "-") == 0))
		return options_usage_error(&justify_spec, "--sign needs -o FILE (the signature is written to FILE.sig)");
	if (o->rules && !export_date_valid(o->rules)) {
		error_msg("--rules \"%.32s\": expected a date YYYY-MM-DD", o->rules);
		return EXIT_USAGE;
	}
	return 0;
}

static int add_report(struct justify *j, const char *path)
{
	char err[1024];
	int rc = justify_add_report(j, path, err, sizeof(err));

	if (rc != 0)
		error_msg("--report %s", err);
	return exit_status(rc);
}

/* --files-from: the reports named in PATH ("-": standard input). */
static int add_files_from(struct justify *j, const char *path)
{
	struct pathlist list = { 0 };
	char err[1024], *data = NULL;
	size_t len;
	int rc = read_file_bounded(path, PATHLIST_MAX_BYTES, &data, &len, err, sizeof(err));

	if (rc == 0 && pathlist_parse(data, len, strcmp(path, "-") ? path : "<stdin>", &list, err, sizeof(err)) != 0)
		rc = CA_ERR_DATA;
	free(data);
	if (rc != 0) {
		error_msg("--files-from: %s", err);
		return exit_status(rc);
	}
	for (size_t i = 0; i < list.count && rc == 0; i++)
		rc = add_report(j, list.paths[i]);
	pathlist_free(&list);
	return rc;
}

/* --fleet-summary: a fleet's counts as the collector sums them. */
static int add_fleet_summary(struct justify *j, const char *path)
{
	char err[1024];
	int rc = justify_add_fleet_summary(j, path, err, sizeof(err));

	if (rc != 0)
		error_msg("--fleet-summary %s", err);
	return exit_status(rc);
}

static int build(const struct options *o, struct justify *j)
{
	int rc;

	for (size_t i = 0; i < o->nreports; i++)
		if ((rc = add_report(j, o->reports[i])) != 0)
			return rc;
	if (o->files_from && (rc = add_files_from(j, o->files_from)) != 0)
		return rc;
	if (o->fleet_summary && (rc = add_fleet_summary(j, o->fleet_summary)) != 0)
		return rc;
	if ((rc = add_models(j, o)) != 0 || (rc = add_alternatives(j, o)) != 0 || (rc = add_prices(j, o)) != 0)
		return rc;
	if (j->n == 0) {
		error_msg("--report: no accelerator of the database in the reports or fleet summary given, and no --model");
		return EXIT_DATAERR;
	}
	return 0;
}

int cmd_justify(int argc, char **argv)
{
	struct options o = { 0 };
	struct workload w;
	struct export_data ex;
	struct accdb db;
	struct justify j;
	char date[11], cc[3], err[1024], when[32], host[256] = "";
	const char *dest = NULL;
	json_t *doc;
	int rc = parse_options(argc, argv, &o);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if ((rc = load_workload(o.workload, &w)) != 0)
		return rc;
	if (o.rules)
		snprintf(date, sizeof(date), "%s", o.rules);
	else
		export_today(date);
	if ((rc = load_accdb(&db)) != 0)
		return rc;
	if (export_data_load(&ex, err, sizeof(err)) != 0) {
		error_msg("%s", err);
		accdb_free(&db);
		return EXIT_CONFIG;
	}
	if (o.destination) {
		if (export_destination_parse(&ex, o.destination, cc, err, sizeof(err)) != 0) {
			error_msg("--destination: %s", err);
			rc = EXIT_USAGE;
			goto out_data;
		}
		dest = cc;
	}
	justify_init(&j, &db, &ex, &w, o.workload, date, dest);
	if ((rc = build(&o, &j)) == 0) {
		now_iso(when);
		if (gethostname(host, sizeof(host) - 1) != 0)
			host[0] = '\0';
		doc = justify_document(&j, when, host[0] ? host : NULL);
		rc = write_document(&o, doc);
		json_decref(doc);
	}
	justify_free(&j);
out_data:
	export_data_free(&ex);
	accdb_free(&db);
	return rc;
}
