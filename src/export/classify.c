/* The classifier: TPP, performance density, the 3A090 paragraphs of the rule
 * set in force, exclusions, notices, and the licence requirement for a
 * destination. Every threshold test is kept with its value and margin so the
 * output shows the working. Unknown figures give unknown tests (three-valued
 * logic): a verdict that needs them says which figure is missing. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/json.h"
#include "core/util.h"
#include "export/export.h"

enum metric { M_TPP, M_PD, M_INTERCONNECT, M_MEMBW, M_HBM, M_COUNT, M_DATACENTER = M_COUNT };
static const char *const metric_names[M_COUNT] = {
	"tpp", "performance_density", "interconnect_bandwidth_gbs", "memory_bandwidth_gbs", "hbm_bandwidth_density",
};

/* ---- small helpers ---- */

static enum tri tri_and(enum tri a, enum tri b)
{
	if (a == TRI_NO || b == TRI_NO)
		return TRI_NO;
	return (a == TRI_YES && b == TRI_YES) ? TRI_YES : TRI_UNKNOWN;
}

static enum tri tri_or(enum tri a, enum tri b)
{
	if (a == TRI_YES || b == TRI_YES)
		return TRI_YES;
	return (a == TRI_NO && b == TRI_NO) ? TRI_NO : TRI_UNKNOWN;
}

static enum tri tri_not(enum tri a)
{
	return a == TRI_UNKNOWN ? TRI_UNKNOWN : (a == TRI_YES ? TRI_NO : TRI_YES);
}

static json_t *tri_json(enum tri t)
{
	return t == TRI_UNKNOWN ? json_null() : json_boolean(t == TRI_YES);
}

static bool list_has(const json_t *list, const char *s)
{
	size_t i;
	json_t *v;
	if (s == NULL)
		return false;
	json_array_foreach(list, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

static void add_unique(json_t *list, const char *s)
{
	if (!list_has(list, s))
		json_array_append_new(list, json_string(s));
}

static void note(json_t *notes, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(json_t *notes, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	add_unique(notes, s);
	free(s);
}

static int metric_index(const char *name)
{
	for (int i = 0; i < M_COUNT; i++)
		if (strcmp(metric_names[i], name) == 0)
			return i;
	return -1;
}

/* "H100 SXM" and "h100-sxm" compare equal. */
static void name_key(const char *name, char *key, size_t len)
{
	size_t o = 0;
	for (; *name && o + 1 < len; name++)
		if (*name != ' ' && *name != '-' && *name != '_')
			key[o++] = (char)tolower((unsigned char)*name);
	key[o] = '\0';
}

static bool spec_named(const struct chip_spec *s, const json_t *models)
{
	char want[CHIP_NAME_MAX + 1], have[CHIP_NAME_MAX + 1];
	size_t i;
	json_t *m;

	json_array_foreach(models, i, m) {
		name_key(json_string_value(m), want, sizeof(want));
		name_key(s->name, have, sizeof(have));
		if (strcmp(want, have) == 0)
			return true;
		for (const char *const *o = s->other_names; o && *o; o++) {
			name_key(*o, have, sizeof(have));
			if (strcmp(want, have) == 0)
				return true;
		}
	}
	return false;
}

/* A number for JSON output: rounded to 6 significant decimals so that
 * 2368/814 prints as 2.909091, not 2.9090909090909092. */
static json_t *num_json(double v)
{
	char buf[64];
	if (isnan(v))
		return json_null();
	snprintf(buf, sizeof(buf), "%.6f", v);
	return json_real(strtod(buf, NULL));
}

/* ---- dates ---- */

void export_today(char out[11])
{
	time_t now = audit_clock();
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static const json_t *rule_set_for(const struct export_data *d, const char *date)
{
	const json_t *found = NULL;
	size_t i;
	json_t *rs;

	json_array_foreach(json_object_get(d->rules, "rule_sets"), i, rs)
		if (strcmp(jstr(rs, "in_force"), date) <= 0)
			found = rs;
	return found;
}

/* ---- figures ---- */

double export_tpp(const struct export_data *d, const double tops[PREC_COUNT], int *precision)
{
	const json_t *bits = json_object_get(d->rules, "bit_lengths");
	double best = NAN;

	*precision = -1;
	for (int p = 0; p < PREC_COUNT; p++) {
		json_int_t b;
		if (isnan(tops[p]) || !jint(bits, precision_names[p], &b))
			continue;
		/* the first precision wins a tie (bf16 before fp8 for 148 x 16 = 296 x 8) */
		if (isnan(best) || tops[p] * (double)b > best) {
			best = tops[p] * (double)b;
			*precision = p;
		}
	}
	return best;
}

static bool spec_is_memory(const struct chip_spec *s)
{
	for (int p = 0; p < PREC_COUNT; p++)
		if (!isnan(s->dense_tops[p]))
			return false;
	return !isnan(s->hbm_bandwidth_density);
}

static void compute_metrics(const struct export_data *d, const struct chip_spec *s, double m[M_COUNT],
			    int *precision)
{
	m[M_TPP] = export_tpp(d, s->dense_tops, precision);
	m[M_PD] = (isnan(m[M_TPP]) || isnan(s->die_area_mm2)) ? NAN : m[M_TPP] / s->die_area_mm2;
	m[M_INTERCONNECT] = s->interconnect_bandwidth_gbs;
	m[M_MEMBW] = s->memory_bandwidth_gbs;
	m[M_HBM] = s->hbm_bandwidth_density;
}

/* ---- threshold tests ---- */

/* Evaluate one condition; append its working to OUT when not NULL. The
 * margin is how far the value lies on the passing side of the threshold
 * (negative: it misses). Unknown metrics set their bit in *unknown. */
static enum tri eval_condition(const json_t *c, const double m[M_COUNT], json_t *out, unsigned *unknown)
{
	int idx = metric_index(jstr(c, "metric"));
	const char *op = jstr(c, "op");
	double thr = 0, v = m[idx], margin = NAN;
	enum tri met = TRI_UNKNOWN;

	jnum(c, "value", &thr);
	if (!isnan(v)) {
		bool above = op[0] == '>';
		bool strict = op[1] == '\0';
		margin = above ? v - thr : thr - v;
		met = (strict ? margin > 0 : margin >= 0) ? TRI_YES : TRI_NO;
	} else if (unknown) {
		*unknown |= 1u << idx;
		/* PD is unknown because TPP is: name the root cause */
		if (idx == M_PD && isnan(m[M_TPP]))
			*unknown |= 1u << M_TPP;
	}
	if (out)
		json_array_append_new(out, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "metric", metric_names[idx],
						     "op", op, "threshold", num_json(thr), "value", num_json(v),
						     "margin", num_json(margin), "met", tri_json(met)));
	return met;
}

static enum tri eval_all(const json_t *conds, const double m[M_COUNT], json_t *out, unsigned *unknown)
{
	enum tri t = TRI_YES;
	size_t i;
	json_t *c;
	json_array_foreach(conds, i, c)
		t = tri_and(t, eval_condition(c, m, out, unknown));
	return t;
}

static enum tri eval_any(const json_t *conds, const double m[M_COUNT])
{
	enum tri t = TRI_NO;
	size_t i;
	json_t *c;
	json_array_foreach(conds, i, c)
		t = tri_or(t, eval_condition(c, m, NULL, NULL));
	return t;
}

/* "die area unknown", "TPP unknown (no dense throughput figure)", ... */
static void unknown_text(unsigned mask, const struct chip_spec *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (int i = 0; i <= M_DATACENTER; i++) {
		const char *what;
		if (!(mask & (1u << i)))
			continue;
		if (i == M_PD && (mask & (1u << M_TPP)))
			continue;
		if (i == M_DATACENTER)
			what = "whether it is designed for data centers is unknown";
		else if (i == M_PD)
			what = isnan(s->die_area_mm2) ? "die area unknown" : "PD unknown";
		else if (i == M_TPP)
			what = "TPP unknown (no dense throughput figure)";
		else
			what = i == M_INTERCONNECT ? "interconnect bandwidth unknown" :
			       i == M_MEMBW ? "memory bandwidth unknown" : "HBM bandwidth density unknown";
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? ", " : "", what);
	}
}

/* "3A090.a, 3A090.b and none" */
static void join_choices(const json_t *list, char *buf, size_t len)
{
	size_t n = json_array_size(list), o = 0, i;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(list, i, v)
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s",
				      i == 0 ? "" : (i + 1 == n ? " and " : ", "), json_string_value(v));
}

struct verdict {
	const char *eccn;        /* NULL: undecided */
	const char *paragraph;
	json_t *choices;         /* undecided: the possible answers */
	unsigned unknown;        /* metrics that left it undecided */
	const char *excluded_by; /* exclusion that made it "none" */
	const char *excluded_text;
};

/* The paragraphs in order: the first that is met decides, unless one before
 * it is unknown, in which case the answer is one of several. */
static void decide_paragraphs(const json_t *rs, const char *kind, const double m[M_COUNT], json_t *out,
			      struct verdict *v)
{
	json_t *tests = json_array(), *matched = json_array(), *p;
	bool open = false, closed = false;
	size_t i;

	json_array_foreach(json_object_get(rs, "paragraphs"), i, p) {
		json_t *conds = json_array();
		unsigned unknown = 0;
		enum tri met;

		if (strcmp(jstr(p, "kind"), kind) != 0) {
			json_decref(conds);
			continue;
		}
		met = eval_all(json_object_get(p, "conditions"), m, conds, &unknown);
		json_array_append_new(tests, json_pack("{s:s, s:s, s:s, s:o, s:o}", "paragraph", jstr(p, "id"),
						       "eccn", jstr(p, "eccn"), "text", jstr(p, "text"),
						       "met", tri_json(met), "conditions", conds));
		if (met == TRI_YES)
			json_array_append_new(matched, json_string(jstr(p, "id")));
		if (closed || met == TRI_NO)
			continue;
		if (met == TRI_YES) {
			if (!open) {
				v->eccn = jstr(p, "eccn");
				v->paragraph = jstr(p, "id");
			} else {
				add_unique(v->choices, jstr(p, "eccn"));
			}
			closed = true;
		} else {
			open = true;
			v->unknown |= unknown;
			add_unique(v->choices, jstr(p, "eccn"));
		}
	}
	if (open && !closed)
		add_unique(v->choices, "none");
	if (!open && !closed) {
		v->eccn = "none";
		v->paragraph = "none";
	}
	json_object_set_new(out, "matched", matched);
	json_object_set_new(out, "tests", tests);
}

static void apply_exclusions(const json_t *rs, const char *kind, const struct chip_spec *s, const double m[M_COUNT],
			     json_t *out, struct verdict *v)
{
	json_t *list = json_array(), *x;
	size_t i;

	json_array_foreach(json_object_get(rs, "exclusions"), i, x) {
		json_t *conds = json_array();
		unsigned unknown = 0;
		enum tri dc, t;
		bool want = json_is_true(json_object_get(x, "datacenter"));

		if (strcmp(jstr(x, "kind"), kind) != 0) {
			json_decref(conds);
			continue;
		}
		dc = s->datacenter < 0 ? TRI_UNKNOWN : ((s->datacenter == 1) == want ? TRI_YES : TRI_NO);
		if (dc == TRI_UNKNOWN)
			unknown |= 1u << M_DATACENTER;
		t = tri_and(dc, eval_all(json_object_get(x, "conditions"), m, conds, &unknown));
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", jstr(x, "id"), "text", jstr(x, "text"),
						      "datacenter", json_boolean(want), "applies", tri_json(t),
						      "conditions", conds));
		if (v->eccn && strcmp(v->eccn, "none") == 0 && v->excluded_by == NULL)
			continue; /* nothing to exclude */
		if (t == TRI_YES) {
			v->eccn = "none";
			v->paragraph = "none";
			v->excluded_by = jstr(x, "id");
			v->excluded_text = jstr(x, "text");
			json_array_clear(v->choices);
			v->unknown = 0;
		} else if (t == TRI_UNKNOWN && v->excluded_by == NULL) {
			if (v->eccn)
				add_unique(v->choices, v->eccn);
			add_unique(v->choices, "none");
			v->eccn = v->paragraph = NULL;
			v->unknown |= unknown;
		}
	}
	json_object_set_new(out, "exclusions", list);
}

/* ---- destinations ---- */

static const json_t *find_group(const struct export_data *d, const char *id)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(d->groups, "groups"), i, g)
		if (strcmp(jstr(g, "id"), id) == 0)
			return g;
	return NULL;
}

/* Is CC in group GID? Uncertain memberships are recorded in UNCERTAIN. */
static enum tri group_member(const struct export_data *d, const char *gid, const char *cc, json_t *uncertain)
{
	const json_t *g = find_group(d, gid);

	if (list_has(json_object_get(g, "members"), cc) && strcmp(jstr(g, "status"), "unconfirmed") != 0)
		return TRI_YES;
	if (strcmp(jstr(g, "status"), "unconfirmed") == 0 || list_has(json_object_get(g, "uncertain"), cc)) {
		if (uncertain)
			add_unique(uncertain, gid);
		return TRI_UNKNOWN;
	}
	return TRI_NO;
}

/* Destination set: listed countries, or members of a group not also in an
 * unless-group; never the unless-countries. */
static enum tri dest_match(const struct export_data *d, const json_t *set, const char *cc, json_t *uncertain)
{
	enum tri res = TRI_NO;
	size_t i, j;
	json_t *g, *u;

	if (list_has(json_object_get(set, "unless_countries"), cc))
		return TRI_NO;
	if (list_has(json_object_get(set, "countries"), cc))
		return TRI_YES;
	json_array_foreach(json_object_get(set, "groups"), i, g) {
		enum tri in = group_member(d, json_string_value(g), cc, uncertain), out = TRI_NO;
		if (in == TRI_NO)
			continue;
		json_array_foreach(json_object_get(set, "unless_groups"), j, u)
			out = tri_or(out, group_member(d, json_string_value(u), cc, uncertain));
		res = tri_or(res, tri_and(in, tri_not(out)));
	}
	return res;
}

int export_destination_parse(const struct export_data *d, const char *cc, char out[3], char *err, size_t errlen)
{
	if (strlen(cc) != 2 || !isalpha((unsigned char)cc[0]) || !isalpha((unsigned char)cc[1])) {
		snprintf(err, errlen, "\"%.16s\" is not an ISO 3166-1 alpha-2 country code (two letters, e.g. CN)", cc);
		return -1;
	}
	out[0] = (char)toupper((unsigned char)cc[0]);
	out[1] = (char)toupper((unsigned char)cc[1]);
	out[2] = '\0';
	if (json_object_get(json_object_get(d->groups, "countries"), out) == NULL) {
		snprintf(err, errlen, "\"%s\" is not an ISO 3166-1 alpha-2 country code known to %s", out,
			 COUNTRY_GROUPS_FILE);
		return -1;
	}
	return 0;
}

static json_t *destination_json(const struct export_data *d, const char *given, const char *cc)
{
	json_t *groups = json_array(), *uncertain = json_array(), *g;
	size_t i;

	json_array_foreach(json_object_get(d->groups, "groups"), i, g) {
		enum tri t = group_member(d, jstr(g, "id"), cc, uncertain);
		if (t == TRI_YES)
			json_array_append_new(groups, json_string(jstr(g, "id")));
	}
	return json_pack("{s:s, s:s, s:s?, s:o, s:o, s:s}", "code", given,
			 "name", jstr(json_object_get(d->groups, "countries"), given),
			 "treated_as", strcmp(given, cc) ? cc : NULL, "groups", groups,
			 "uncertain_groups", uncertain, "groups_as_of", jstr(d->groups, "as_of"));
}

struct licence {
	enum tri required;
	const char *policy;
	bool policy_known;
};

static void pick_policy(const struct export_data *d, const json_t *lic, const char *cc, struct licence *l,
			json_t *notes)
{
	size_t i;
	json_t *p, *uncertain = json_array();

	json_array_foreach(json_object_get(lic, "policies"), i, p) {
		const json_t *set = json_object_get(p, "destinations");
		enum tri t = set ? dest_match(d, set, cc, uncertain) : TRI_YES;
		if (t == TRI_NO)
			continue;
		if (t == TRI_UNKNOWN) {
			note(notes, "Review policy for %s unknown: its membership of a country group is uncertain", cc);
			break;
		}
		l->policy = jstr(p, "policy");
		l->policy_known = l->policy != NULL;
		if (l->policy == NULL)
			note(notes, "The review policy of this rule is not recorded in chipaudit's sources");
		break;
	}
	json_decref(uncertain);
}

static void apply_overrides(const struct export_data *d, const json_t *rs, const char *eccn, const char *cc,
			    const double m[M_COUNT], const struct chip_spec *s, struct licence *l, json_t *notes)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(rs, "review_overrides"), i, o) {
		unsigned unknown = 0;
		enum tri t;
		char why[256];

		if (!list_has(json_object_get(o, "eccns"), eccn) ||
		    dest_match(d, json_object_get(o, "destinations"), cc, NULL) != TRI_YES)
			continue;
		t = eval_all(json_object_get(o, "conditions"), m, NULL, &unknown);
		if (t == TRI_YES) {
			l->policy = jstr(o, "policy");
			l->policy_known = true;
		} else if (t == TRI_UNKNOWN) {
			unknown_text(unknown, s, why, sizeof(why));
			note(notes, "Cannot tell whether %s applies: %s", jstr(o, "policy"), why);
		} else {
			note(notes, "%s does not apply: its thresholds are not met", jstr(o, "policy"));
		}
		if (t != TRI_NO && jstr(o, "caveat"))
			note(notes, "Caveat: %s", jstr(o, "caveat"));
	}
}

static json_t *licence_exceptions(const struct export_data *d, const json_t *rs, const char *eccn, const char *cc,
				  const double m[M_COUNT], const struct chip_spec *s)
{
	json_t *list = json_array(), *e;
	size_t i;

	json_array_foreach(json_object_get(rs, "license_exceptions"), i, e) {
		const json_t *set = json_object_get(e, "destinations"), *conds = json_object_get(e, "conditions");
		bool eligible = list_has(json_object_get(e, "eccns"), eccn) ||
				(s->datacenter == 0 && list_has(json_object_get(e, "non_datacenter_eccns"), eccn));
		enum tri t = TRI_YES;

		if (!eligible || (set && dest_match(d, set, cc, NULL) != TRI_YES))
			continue;
		if (conds)
			t = eval_all(conds, m, NULL, NULL);
		if (t == TRI_NO)
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "name", jstr(e, "name"), "text", jstr(e, "text"),
						      "eligible", tri_json(t)));
	}
	return list;
}

/* Notices that name this model add a licence requirement (and later ones
 * change its policy). */
static void apply_notices_licence(const struct export_data *d, const struct chip_spec *s, const char *date,
				  const char *cc, struct licence *l, bool *by_notice)
{
	size_t i;
	json_t *n;

	json_array_foreach(json_object_get(d->rules, "notices"), i, n) {
		const json_t *models = json_object_get(n, "models"), *lic = json_object_get(n, "licence");
		const json_t *pdest = json_object_get(n, "policy_destinations");
		enum tri t;

		if (strcmp(jstr(n, "from"), date) > 0 || !json_is_array(models) || !spec_named(s, models))
			continue;
		if (json_is_object(lic)) {
			t = dest_match(d, json_object_get(lic, "destinations"), cc, NULL);
			if (t == TRI_YES) {
				l->required = TRI_YES;
				*by_notice = true;
				l->policy = jstr(n, "policy");
				l->policy_known = l->policy != NULL;
			} else if (t == TRI_UNKNOWN && l->required == TRI_NO) {
				l->required = TRI_UNKNOWN;
			}
		} else if (*by_notice && jstr(n, "policy") &&
			   (pdest == NULL || dest_match(d, pdest, cc, NULL) == TRI_YES)) {
			l->policy = jstr(n, "policy");
			l->policy_known = true;
		}
	}
}

static void classify_destination(const struct export_data *d, const json_t *rs, const struct chip_spec *s,
				 const double m[M_COUNT], const char *date, const char *given, json_t *out,
				 json_t *notes)
{
	const json_t *alias = json_object_get(json_object_get(d->groups, "aliases"), given);
	const char *cc = alias ? jstr(alias, "as") : given;
	const char *eccn = jstr(out, "eccn");
	const json_t *lic = rs ? json_object_get(rs, "licence") : NULL;
	struct licence l = { TRI_NO, NULL, false };
	json_t *exceptions = json_array(), *uncertain = json_array();
	bool by_notice = false;

	json_object_set_new(out, "destination", destination_json(d, given, cc));
	if (alias)
		note(notes, "%s", jstr(alias, "note"));
	if (lic == NULL) {
		/* no rule in force: nothing to license */
	} else if (eccn == NULL) {
		l.required = TRI_UNKNOWN;
		note(notes, "Licence requirement for %s unknown: the classification is undecided", given);
	} else if (list_has(json_object_get(lic, "eccns"), eccn)) {
		l.required = dest_match(d, json_object_get(lic, "destinations"), cc, uncertain);
		if (l.required == TRI_YES) {
			pick_policy(d, lic, cc, &l, notes);
			apply_overrides(d, rs, eccn, cc, m, s, &l, notes);
			json_decref(exceptions);
			exceptions = licence_exceptions(d, rs, eccn, cc, m, s);
		} else if (l.required == TRI_UNKNOWN) {
			char groups[128];
			join_choices(uncertain, groups, sizeof(groups));
			note(notes, "Licence requirement for %s unknown: its membership of %s is uncertain in %s", given,
			     groups, COUNTRY_GROUPS_FILE);
		} else if (jstr(lic, "end_user_note")) {
			note(notes, "%s", jstr(lic, "end_user_note"));
		}
	} else if (list_has(json_object_get(lic, "unconfirmed_eccns"), eccn)) {
		l.required = TRI_UNKNOWN;
		note(notes, "Licence requirement unknown: %s", jstr(lic, "unconfirmed_note"));
	}
	apply_notices_licence(d, s, date, cc, &l, &by_notice);
	note(notes, "Country groups: snapshot as of %s (%s), transcribed from copies of Supplement No. 1 to Part 740: confirm against the eCFR",
	     jstr(d->groups, "as_of"), COUNTRY_GROUPS_FILE);
	json_object_set_new(out, "license_required", tri_json(l.required));
	json_object_set_new(out, "license_policy", l.required == TRI_YES && l.policy ? json_string(l.policy) : json_null());
	json_object_set_new(out, "license_exceptions", exceptions);
	json_decref(uncertain);
}

/* ---- notices and notes ---- */

static bool any_notice_names(const struct export_data *d, const struct chip_spec *s)
{
	size_t i;
	json_t *n;
	json_array_foreach(json_object_get(d->rules, "notices"), i, n)
		if (json_is_array(json_object_get(n, "models")) && spec_named(s, json_object_get(n, "models")))
			return true;
	return false;
}

static void notice_notes(const struct export_data *d, const struct chip_spec *s, const char *date, const char *eccn,
			 const double m[M_COUNT], json_t *notes)
{
	bool named = any_notice_names(d, s);
	size_t i;
	json_t *n;

	json_array_foreach(json_object_get(d->rules, "notices"), i, n) {
		const json_t *models = json_object_get(n, "models"), *eccns = json_object_get(n, "eccns");
		const json_t *similar = json_object_get(n, "similar_any");
		bool applies;

		if (strcmp(jstr(n, "from"), date) > 0)
			continue;
		if (json_is_array(models))
			applies = spec_named(s, models);
		else if (json_is_array(eccns) && !list_has(eccns, eccn))
			applies = false;
		else if (json_is_array(similar))
			applies = !named && eval_any(similar, m) == TRI_YES;
		else
			applies = json_is_array(eccns);
		if (!applies)
			continue;
		if (jstr(n, "caveat"))
			note(notes, "%s (%s; %s)", jstr(n, "text"), jstr(n, "citation"), jstr(n, "caveat"));
		else
			note(notes, "%s (%s)", jstr(n, "text"), jstr(n, "citation"));
	}
}

static void verdict_notes(const struct verdict *v, const json_t *rs, const struct chip_spec *s, bool memory,
			  const double m[M_COUNT], json_t *out, json_t *notes)
{
	char why[256], choices[128];

	if (v->eccn == NULL) {
		unknown_text(v->unknown, s, why, sizeof(why));
		join_choices(v->choices, choices, sizeof(choices));
		json_object_set_new(out, "undecided", json_sprintf("cannot decide between %s: %s", choices, why));
		note(notes, "Cannot decide between %s: %s", choices, why);
	} else {
		json_object_set_new(out, "undecided", json_null());
	}
	if (v->excluded_by)
		note(notes, "Not 3A090: excluded by %s (%s)", v->excluded_by, v->excluded_text);
	if (!memory && !isnan(s->hbm_bandwidth_density))
		note(notes, "HBM co-packaged with a logic IC is classified by TPP and PD: 3A090.c does not apply to this package");
	if (memory) {
		bool any = false;
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(rs, "paragraphs"), i, p)
			any |= strcmp(jstr(p, "kind"), "memory") == 0;
		if (!any)
			note(notes, "These rules have no paragraph for memory parts (3A090.c applies from 2024-12-02)");
	}
	if (jstr(rs, "caveat"))
		note(notes, "Caveat: %s", jstr(rs, "caveat"));
}

static void figures_json(const struct export_data *d, const struct chip_spec *s, const double m[M_COUNT],
			 int precision, bool memory, json_t *out)
{
	const json_t *bits = json_object_get(d->rules, "bit_lengths");
	json_t *by = json_object();

	for (int p = 0; p < PREC_COUNT; p++) {
		json_int_t b = 0;
		jint(bits, precision_names[p], &b);
		if (!isnan(s->dense_tops[p]))
			json_object_set_new(by, precision_names[p], num_json(s->dense_tops[p] * (double)b));
	}
	json_object_set_new(out, "kind", json_string(memory ? "memory" : "logic"));
	json_object_set_new(out, "tpp", num_json(m[M_TPP]));
	json_object_set_new(out, "tpp_precision", precision >= 0 ? json_string(precision_names[precision]) : json_null());
	json_object_set_new(out, "tpp_working", precision < 0 ? json_null() :
			    json_sprintf("%g x %d", s->dense_tops[precision],
					 (int)json_integer_value(json_object_get(bits, precision_names[precision]))));
	json_object_set_new(out, "tpp_by_precision", by);
	json_object_set_new(out, "performance_density", num_json(m[M_PD]));
	json_object_set_new(out, "die_area_mm2", num_json(s->die_area_mm2));
	json_object_set_new(out, "datacenter", s->datacenter < 0 ? json_null() : json_boolean(s->datacenter));
	json_object_set_new(out, "interconnect_bandwidth_gbs", num_json(m[M_INTERCONNECT]));
	json_object_set_new(out, "memory_bandwidth_gbs", num_json(m[M_MEMBW]));
	json_object_set_new(out, "hbm_bandwidth_density", num_json(m[M_HBM]));
}

json_t *export_classify(const struct export_data *d, const struct chip_spec *s, const char *date,
			const char *destination)
{
	const json_t *rs = rule_set_for(d, date);
	bool memory = spec_is_memory(s);
	const char *kind = memory ? "memory" : "logic";
	json_t *out = json_object(), *notes = json_array();
	struct verdict v = { .choices = json_array() };
	double m[M_COUNT];
	int precision;

	compute_metrics(d, s, m, &precision);
	jset_str(out, "name", s->name);
	jset_str(out, "rules_date", date);
	if (rs) {
		jset_str(out, "rules", jstr(rs, "id"));
		jset_str(out, "rules_title", jstr(rs, "title"));
		jset_str(out, "rules_citation", jstr(rs, "citation"));
		jset_str(out, "rules_in_force", jstr(rs, "in_force"));
	} else {
		jset_str(out, "rules", "none");
		jset(out, "rules_title", NULL);
		jset(out, "rules_citation", NULL);
		jset(out, "rules_in_force", NULL);
	}
	figures_json(d, s, m, precision, memory, out);
	if (rs) {
		decide_paragraphs(rs, kind, m, out, &v);
		apply_exclusions(rs, kind, s, m, out, &v);
	} else {
		v.eccn = v.paragraph = "none";
		json_object_set_new(out, "matched", json_array());
		json_object_set_new(out, "tests", json_array());
		json_object_set_new(out, "exclusions", json_array());
		note(notes, "No 3A090 control was in force on %s (the first rule took effect %s)", date,
		     jstr(json_array_get(json_object_get(d->rules, "rule_sets"), 0), "in_force"));
	}
	json_object_set_new(out, "eccn", v.eccn ? json_string(v.eccn) : json_null());
	json_object_set_new(out, "paragraph", v.paragraph ? json_string(v.paragraph) : json_null());
	if (rs)
		verdict_notes(&v, rs, s, memory, m, out, notes);
	else
		json_object_set_new(out, "undecided", json_null());
	if (!memory)
		notice_notes(d, s, date, v.eccn, m, notes);
	if (destination) {
		classify_destination(d, rs, s, m, date, destination, out, notes);
	} else {
		json_object_set_new(out, "destination", json_null());
		json_object_set_new(out, "license_required", json_null());
		json_object_set_new(out, "license_policy", json_null());
		json_object_set_new(out, "license_exceptions", json_array());
	}
	json_object_set_new(out, "rules_notes", rs ? json_deep_copy(json_object_get(rs, "notes")) : json_array());
	json_object_set_new(out, "notes", notes);
	json_decref(v.choices);
	return out;
}

int export_class_rank(const char *eccn)
{
	if (eccn == NULL)
		return -1;
	if (strcmp(eccn, "none") == 0)
		return 0;
	if (strcmp(eccn, "3A090.b") == 0)
		return 1;
	if (strcmp(eccn, "3A090.a") == 0)
		return 2;
	return -1;
}
