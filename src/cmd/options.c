/* The one option parser of every command (see options.h). */
#include "cmd/options.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cmd/exit.h"
#include "core/util.h"

/* -h and --help, which every command takes; a table may define its own. */
static const struct opt_row help_rows[] = {
	{ .long_name = "help", .short_name = 'h', .arg = OPT_ARG_NONE, .help = "show this help" },
	OPT_END,
};
static const struct opt_row *const help_row = &help_rows[0];

struct found {
	const struct opt_row *row;
	int table;              /* -1: the built-in help */
};

enum { PASS_EARLY, PASS_REST };

struct parse {
	const struct cmd_spec *spec;
	void *const *ctx;
	int argc;
	char **argv;
	int pass;
	int nops;               /* operands moved to argv[1 .. nops] */
	bool help;
};

static bool is_end(const struct opt_row *r)
{
	return r->long_name == NULL && r->short_name == 0;
}

static bool has_help_row(const struct cmd_spec *spec)
{
	for (int t = 0; t < OPT_MAX_TABLES && spec->tables[t]; t++)
		for (const struct opt_row *r = spec->tables[t]->rows; !is_end(r); r++)
			if (r->long_name && strcmp(r->long_name, "help") == 0)
				return true;
	return false;
}

static bool lookup_short(const struct cmd_spec *spec, char c, struct found *f)
{
	for (int t = 0; t < OPT_MAX_TABLES && spec->tables[t]; t++)
		for (const struct opt_row *r = spec->tables[t]->rows; !is_end(r); r++)
			if (r->short_name == c) {
				*f = (struct found){ r, t };
				return true;
			}
	if (c == 'h' && !has_help_row(spec)) {
		*f = (struct found){ help_row, -1 };
		return true;
	}
	return false;
}

/* NAME (LEN bytes) exactly, else as the one long option it begins.
 * 1 found, 0 unknown, -1 ambiguous (CANDIDATES lists them). */
static int lookup_long(const struct cmd_spec *spec, const char *name, size_t len, struct found *f,
		       char *candidates, size_t clen)
{
	int prefixes = 0;
	struct found first = { 0 };

	candidates[0] = '\0';
	for (int t = -1; t < OPT_MAX_TABLES && (t < 0 || spec->tables[t]); t++) {
		const struct opt_row *rows = t < 0 ? help_rows : spec->tables[t]->rows;
		for (const struct opt_row *r = rows; !is_end(r); r++) {
			if (r->long_name == NULL || strncmp(r->long_name, name, len) != 0)
				continue;
			if (t < 0 && has_help_row(spec))
				continue;
			if (r->long_name[len] == '\0') {
				*f = (struct found){ r, t };
				return 1;
			}
			if (prefixes++ == 0)
				first = (struct found){ r, t };
			snprintf(candidates + strlen(candidates), clen - strlen(candidates), "%s--%s",
				 prefixes > 1 ? ", " : "", r->long_name);
		}
	}
	if (prefixes == 1)
		*f = first;
	return prefixes == 1 ? 1 : prefixes > 1 ? -1 : 0;
}

/* Run the row's setter on VALUE, in the pass it belongs to. */
static int apply(struct parse *p, const struct found *f, const char *value)
{
	char err[1024];
	void *target;
	int rc;

	if (f->table < 0) {
		if (p->pass == PASS_REST)
			p->help = true;
		return 0;
	}
	if (f->row->early != (p->pass == PASS_EARLY) || f->row->set == NULL)
		return 0;
	target = (char *)p->ctx[f->table] + f->row->offset;
	err[0] = '\0';
	rc = f->row->set(value, target, err, sizeof(err));
	if (rc != 0)
		error_msg("%s", err[0] ? err : "invalid option value");
	return rc;
}

/* An option not known, said in the last pass only: the early pass skips
 * what it does not understand. */
static int refuse_unknown(struct parse *p, const char *name)
{
	if (p->pass == PASS_EARLY)
		return 0;
	return options_usage_error(p->spec, "unknown option '%s'", name);
}

static int refuse_missing_value(struct parse *p, const char *name, const struct opt_row *r)
{
	if (p->pass == PASS_EARLY)
		return 0;
	return options_usage_error(p->spec, "option '%s' needs a value (%s %s)", name, name,
				   r->arg_name ? r->arg_name : "VALUE");
}

/* "--name", "--name=value" or "--name value" at argv[*i]. */
static int parse_long(struct parse *p, int *i)
{
	const char *arg = p->argv[*i] + 2, *eq = strchr(arg, '='), *value = eq ? eq + 1 : NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	char candidates[512], name[128];
	struct found f;
	int r = lookup_long(p->spec, arg, len, &f, candidates, sizeof(candidates));

	snprintf(name, sizeof(name), "--%.*s", (int)(len < 100 ? len : 100), arg);
	if (r == 0)
		return refuse_unknown(p, name);
	if (r < 0) {
		if (p->pass == PASS_EARLY)
			return 0;
		return options_usage_error(p->spec, "option '%s' is ambiguous: %s", name, candidates);
	}
	snprintf(name, sizeof(name), "--%s", f.row->long_name);
	if (f.row->arg == OPT_ARG_NONE && value) {
		if (p->pass == PASS_EARLY)
			return 0;
		return options_usage_error(p->spec, "option '%s' takes no value", name);
	}
	if (f.row->arg == OPT_ARG_REQUIRED && value == NULL) {
		if (*i + 1 >= p->argc)
			return refuse_missing_value(p, name, f.row);
		value = p->argv[++*i];
	}
	return apply(p, &f, value);
}

/* "-abc", "-ovalue" or "-o value" at argv[*i]. */
static int parse_short(struct parse *p, int *i)
{
	const char *s = p->argv[*i] + 1;

	for (; *s; s++) {
		char name[3] = { '-', *s, '\0' };
		const char *value = NULL;
		struct found f;
		int rc;

		if (!lookup_short(p->spec, *s, &f))
			return refuse_unknown(p, name);
		if (f.row->arg != OPT_ARG_NONE && s[1] != '\0') {
			value = s + 1;
		} else if (f.row->arg == OPT_ARG_REQUIRED) {
			if (*i + 1 >= p->argc)
				return refuse_missing_value(p, name, f.row);
			value = p->argv[++*i];
		}
		if ((rc = apply(p, &f, value)) != 0)
			return rc;
		if (value)
			break;  /* the rest of the cluster was the value */
	}
	return 0;
}

static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] != '\0';
}

/* One walk over the arguments. Returns 0 or an exit code; *first_operand is
 * where a stop_at_operand walk stopped. */
static int walk(struct parse *p, int *first_operand)
{
	bool options_ended = false;
	int rc;

	*first_operand = p->argc;
	for (int i = 1; i < p->argc; i++) {
		char *arg = p->argv[i];
		if (options_ended || !is_option(arg)) {
			if (p->spec->stop_at_operand) {
				*first_operand = i;
				return 0;
			}
			if (p->pass == PASS_REST)
				p->argv[++p->nops] = arg;  /* never ahead of i: argv is permuted in place */
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options_ended = true;
			if (p->spec->stop_at_operand) {
				*first_operand = i + 1;
				return 0;
			}
			continue;
		}
		rc = arg[1] == '-' ? parse_long(p, &i) : parse_short(p, &i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int options_parse(const struct cmd_spec *spec, void *const ctx[], int argc, char **argv, struct operands *ops)
{
	struct parse p = { .spec = spec, .ctx = ctx, .argc = argc, .argv = argv };
	int rc, first = argc;

	ops->v = argv + 1;
	ops->n = 0;
	p.pass = PASS_EARLY;
	rc = walk(&p, &first);
	if (rc == 0) {
		p.pass = PASS_REST;
		rc = walk(&p, &first);
	}
	if (rc == 0 && p.help) {
		options_help(stdout, spec);
		rc = OPTIONS_HELP;
		if (fflush(stdout) != 0 || ferror(stdout)) {
			error_msg("writing the help: %s", strerror(errno));
			rc = EXIT_IOERR;
		}
	}
	if (rc != 0) {
		options_free(spec, ctx);
		return rc;
	}
	if (spec->stop_at_operand) {
		ops->v = argv + first;
		ops->n = argc - first;
	} else {
		ops->n = p.nops;
	}
	return 0;
}

void options_free(const struct cmd_spec *spec, void *const ctx[])
{
	for (int t = 0; t < OPT_MAX_TABLES && spec->tables[t]; t++)
		for (const struct opt_row *r = spec->tables[t]->rows; !is_end(r); r++)
			if (r->free_value)
				r->free_value((char *)ctx[t] + r->offset);
}

/* ---- help ---- */

enum { HELP_COLUMN = 24, HELP_WIDTH = 80 };

/* TEXT from column COL, wrapped at HELP_WIDTH, continuation lines at HELP_COLUMN + 2. */
static void print_wrapped(FILE *out, const char *text, int col)
{
	const char *w = text;

	while (*w) {
		size_t len = strcspn(w, " ");
		if (col > HELP_COLUMN + 2 && col + 1 + (int)len > HELP_WIDTH) {
			fprintf(out, "\n%*s", HELP_COLUMN + 2, "");
			col = HELP_COLUMN + 2;
		} else if (w != text) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)len, w);
		col += (int)len;
		w += len;
		while (*w == ' ')
			w++;
	}
	fputc('\n', out);
}

static void print_row(FILE *out, const struct opt_row *r)
{
	char left[128];
	int n;

	if (r->short_name && r->long_name)
		n = snprintf(left, sizeof(left), "  -%c, --%s", r->short_name, r->long_name);
	else if (r->short_name)
		n = snprintf(left, sizeof(left), "  -%c", r->short_name);
	else
		n = snprintf(left, sizeof(left), "      --%s", r->long_name);
	if (r->arg == OPT_ARG_REQUIRED)
		n += snprintf(left + n, sizeof(left) - (size_t)n, " %s", r->arg_name);
	else if (r->arg == OPT_ARG_OPTIONAL)
		n += snprintf(left + n, sizeof(left) - (size_t)n, "[=%s]", r->arg_name);
	fputs(left, out);
	if (n > HELP_COLUMN) {
		fprintf(out, "\n%*s", HELP_COLUMN + 2, "");
		print_wrapped(out, r->help, HELP_COLUMN + 2);
	} else {
		fprintf(out, "%*s", HELP_COLUMN + 2 - n, "");
		print_wrapped(out, r->help, HELP_COLUMN + 2);
	}
}

void options_help(FILE *out, const struct cmd_spec *spec)
{
	fputs(spec->synopsis, out);
	if (spec->about)
		fputs(spec->about, out);
	for (int t = 0; t < OPT_MAX_TABLES && spec->tables[t]; t++) {
		const struct opt_table *tab = spec->tables[t];
		if (tab->title)
			fprintf(out, "%s:\n", tab->title);
		for (const struct opt_row *r = tab->rows; !is_end(r); r++)
			print_row(out, r);
	}
	if (!has_help_row(spec))
		print_row(out, help_row);
	if (spec->trailer)
		fputs(spec->trailer, out);
}

int options_usage_error(const struct cmd_spec *spec, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s", program_name, spec->stop_at_operand ? "" : spec->name, spec->stop_at_operand ? "" : ": ");
	va_start(ap, fmt);
	text_vprintf(stderr, fmt, ap);   /* the arguments echoed are the user's: escaped */
	va_end(ap);
	fputc('\n', stderr);
	fputs(spec->synopsis, stderr);
	if (spec->stop_at_operand)
		fprintf(stderr, "Run '%s --help' for the commands.\n", program_name);
	else
		fprintf(stderr, "Run '%s %s --help' for its options.\n", program_name, spec->name);
	return EXIT_USAGE;
}

int opt_set_string(const char *value, void *target, char *err, size_t errlen)
{
	*(const char **)target = value;
	return 0;
}

int opt_set_true(const char *value, void *target, char *err, size_t errlen)
{
	*(bool *)target = true;
	return 0;
}
