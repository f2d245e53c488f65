/* chipaudit diff: what changed between two reports. */
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "core/json.h"
#include "core/util.h"
#include "evidence/chain.h"
#include "evidence/diff.h"
#include "evidence/history.h"
#include "evidence/state.h"

struct diff_options {
	const char *state;
	bool json;
};

static const struct opt_row diff_rows[] = {
	OPT_STRING("state", 0, "DIR", "the state directory ($CHIPAUDIT_STATE, else /var/lib/chipaudit)",
	  struct diff_options, state),
	OPT_BOOL("json", 0, "{\"from\", \"to\", \"changes\": [{section, subject, what, from, to}]}",
	  struct diff_options, json),
	OPT_END,
};
static const struct opt_table diff_table = { NULL, diff_rows };

const struct cmd_spec diff_spec = {
	.name = "diff",
	.synopsis = "usage: chipaudit diff [--state DIR] [--json] [A [B]]\n",
	.about = "  Show what changed from report A to report B: accelerators added or removed,\n"
		 "  driver, module and firmware digests, power and clock limits, measured\n"
		 "  throughput, device users and their network peers, findings that appeared\n"
		 "  or cleared. A and B are history ids (as `chipaudit history` lists them),\n"
		 "  sha256 prefixes (8 or more hex digits, or sha256:PREFIX) or report files.\n"
		 "  No argument: the latest report in history and the one before it of the same\n"
		 "  host. One: A against the latest report of A's host.\n",
	.trailer = "Exit: 0 no change, 1 changes (as diff(1)); 64-75 usage and input errors.\n",
	.operands = "FILE",
	.tables = { &diff_table },
};

struct side {
	json_t *report;
	char *label;
	char *host_id;
};

struct diff_ctx {
	const char *dir;
	struct history *h;
};

static int need_history(struct diff_ctx *d)
{
	char err[1024];
	int rc;

	if (d->h)
		return 0;
	if ((rc = history_open(d->dir, false, &d->h, err, sizeof(err))) != 0)
		error_msg("%s", err);
	return rc;
}

static int side_from_row(struct diff_ctx *d, struct history_row *row, struct side *s)
{
	char err[1024], where[96];

	snprintf(where, sizeof(where), "%s #%" PRId64, history_path(d->h), row->id);
	s->report = report_parse(row->body, row->body_len, where, err, sizeof(err));
	if (s->report == NULL) {
		error_msg("%s", err);
		history_row_free(row);
		return EXIT_DATAERR;
	}
	s->label = xasprintf("#%" PRId64 " (sequence %" PRId64 ", %s)", row->id, row->sequence, row->time ? row->time : "?");
	s->host_id = row->host_id ? xstrdup(row->host_id) : NULL;
	history_row_free(row);
	return 0;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static bool is_hash_ref(const char *s)
{
	size_t n = strlen(s);
	return str_starts_with(s, "sha256:") ||
	       (n >= 8 && n <= 64 && strspn(s, "0123456789abcdef") == n && access(s, F_OK) != 0);
}

static int resolve(struct diff_ctx *d, const char *ref, struct side *s)
{
	struct history_row row;
	char err[1024];
	uint64_t id;
	int rc;

	if (all_digits(ref) || is_hash_ref(ref)) {
		if ((rc = need_history(d)) != 0)
			return rc;
		if (all_digits(ref))
			rc = parse_u64(ref, 10, &id) == 0 && id < INT64_MAX ? history_by_id(d->h, (int64_t)id, &row, err, sizeof(err)) : 0;
		else
			rc = history_by_sha256(d->h, str_starts_with(ref, "sha256:") ? ref + 7 : ref, &row, err, sizeof(err));
		if (rc == 0) {
			error_msg("%s: no report %s", history_path(d->h), ref);
			return EXIT_NOINPUT;
		}
		if (rc > 1) {
			error_msg("%s", err);
			return rc;
		}
		return side_from_row(d, &row, s);
	}
	s->report = report_load(ref, NULL, err, sizeof(err), &rc);
	if (s->report == NULL) {
		error_msg("%s", err);
		return rc;
	}
	s->label = xstrdup(ref);
	if (jstr(s->report, "host_id"))
		s->host_id = xstrdup(jstr(s->report, "host_id"));
	else if (jstr(jobj(s->report, "host"), "machine_id"))
		s->host_id = xstrdup(jstr(jobj(s->report, "host"), "machine_id"));
	return 0;
}

/* The latest report of A's host (one argument), or the latest two (none). */
static int defaults(struct diff_ctx *d, struct side *a, struct side *b, bool have_a)
{
	struct history_row latest, before;
	char err[1024];
	int rc;

	if ((rc = need_history(d)) != 0)
		return rc;
	rc = have_a ? history_host_report(d->h, a->host_id, false, &latest, err, sizeof(err))
		    : history_latest(d->h, &latest, err, sizeof(err));
	if (rc == 0) {
		error_msg("%s: no report%s%s to compare with", history_path(d->h),
			  have_a ? " of host " : "", have_a ? (a->host_id ? a->host_id : "(unknown)") : "");
		return EXIT_NOINPUT;
	}
	if (rc > 1) {
		error_msg("%s", err);
		return rc;
	}
	if (!have_a) {
		rc = history_before(d->h, &latest, &before, err, sizeof(err));
		if (rc == 0)
			error_msg("%s: only one report of host %s: nothing to compare it with", history_path(d->h),
				  latest.host_id ? latest.host_id : "(unknown)");
		else if (rc > 1)
			error_msg("%s", err);
		if (rc != 1) {
			history_row_free(&latest);
			return rc == 0 ? EXIT_NOINPUT : rc;
		}
		if ((rc = side_from_row(d, &before, a)) != 0) {
			history_row_free(&latest);
			return rc;
		}
	}
	return side_from_row(d, &latest, b);
}

static void side_free(struct side *s)
{
	json_decref(s->report);
	free(s->label);
	free(s->host_id);
}

int cmd_diff(int argc, char **argv)
{
	struct diff_options o = { 0 };
	void *const ctx[] = { &o };
	struct operands ops;
	struct diff_ctx d = { 0 };
	struct side a = { 0 }, b = { 0 };
	bool chosen;
	json_t *changes;
	int rc = options_parse(&diff_spec, ctx, argc, argv, &ops);

	if (rc != 0)
		return rc == OPTIONS_HELP ? 0 : rc;
	if (ops.n > 2)
		return options_usage_error(&diff_spec, "at most two reports");
	d.dir = state_dir(o.state, &chosen);
	if (ops.n >= 1 && (rc = resolve(&d, ops.v[0], &a)) != 0)
		goto out;
	if (ops.n == 2)
		rc = resolve(&d, ops.v[1], &b);
	else
		rc = defaults(&d, &a, &b, ops.n == 1);
	if (rc != 0)
		goto out;
	changes = report_diff(a.report, b.report);
	if (o.json) {
		json_t *doc = json_pack("{s:s, s:s, s:O}", "from", a.label, "to", b.label, "changes", changes);
		rc = print_json(stdout, doc);
		json_decref(doc);
	} else {
		text_printf(stdout, "diff %s -> %s\n", a.label, b.label);
		diff_render_text(stdout, changes);
	}
	if (rc == 0)
		rc = json_array_size(changes) ? 1 : 0;
	json_decref(changes);
out:
	side_free(&a);
	side_free(&b);
	history_close(d.h);
	return rc;
}
